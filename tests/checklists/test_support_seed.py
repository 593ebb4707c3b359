"""Seeded station support, opinions and residencies: every request status at the demo
station, officers never double-booked, anonymous opinions with no user, accepted ones linked
to seeded problems, the same rows for the same seed."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from checklists.models import (
    Opinion,
    ResidencyLog,
    SupportCover,
    SupportRequest,
    SupportStatus,
)

TODAY = dt.date(2026, 11, 22)


def _snapshot():
    return sorted(
        SupportRequest.objects.values_list(
            "station__code", "start_date", "status", "officers_needed"
        )
    ), sorted(SupportCover.objects.values_list("officer__user__username", "start_date", "hours"))


@pytest.mark.django_db
def test_seed_demo_writes_support_requests_in_every_state_and_opinions():
    call_command("seed_demo", scale="demo", seed=235, today=TODAY, stdout=StringIO())
    demo = SupportRequest.objects.filter(requested_by__username="station")
    assert set(demo.values_list("status", flat=True)) == set(SupportStatus.values)
    # Covered requests have exactly the officers they asked for; completed ones their hours.
    for req in SupportRequest.objects.filter(
        status__in=["assigned", "confirmed", "completed"]
    ).prefetch_related("covers"):
        assert len(req.covers.all()) == req.officers_needed
        if req.status == "completed":
            assert all(c.hours and c.incidents is not None for c in req.covers.all())
    # No officer covers two requests on overlapping dates.
    covers = list(SupportCover.objects.values_list("officer_id", "start_date", "end_date"))
    for i, (o, s, e) in enumerate(covers):
        for o2, s2, e2 in covers[i + 1 :]:
            assert o != o2 or e < s2 or e2 < s
    anonymous = Opinion.objects.filter(anonymous=True)
    assert anonymous.exists() and not anonymous.filter(submitted_by__isnull=False).exists()
    accepted = Opinion.objects.filter(status="accepted")
    assert accepted.exists() and not accepted.filter(problem__isnull=True).exists()
    assert ResidencyLog.objects.filter(day__gt=TODAY).count() == 0
    assert ResidencyLog.objects.exists()


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_support_rows():
    call_command("seed_demo", scale="demo", seed=235, today=TODAY, stdout=StringIO())
    first = _snapshot()
    call_command("seed_demo", scale="demo", seed=235, today=TODAY, reset=True, stdout=StringIO())
    assert _snapshot() == first
