"""Seeded five-haves audits: most stations audited, some failing, the latest flag right,
the same for the same seed, and no audit item turned into a problem (the Hubei counts)."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Max, OuterRef, Q, Subquery

from checklists.models import AuditResult, StationAudit
from stations.models import Station

TODAY = dt.date(2026, 11, 22)


def _snapshot():
    return sorted(
        StationAudit.objects.values_list("station__code", "audited_on", "unmet_count", "is_latest")
    )


@pytest.mark.django_db
def test_seed_demo_audits_most_stations_and_some_fail():
    call_command("seed_demo", scale="demo", seed=235, today=TODAY, stdout=StringIO())
    stations = Station.objects.active().count()
    latest = StationAudit.objects.filter(is_latest=True)
    assert latest.count() >= stations * 0.75
    assert 0 < latest.filter(unmet_count__gt=0).count() < latest.count()
    assert not StationAudit.objects.filter(audited_on__gt=TODAY).exists()
    # The flag marks each station's latest audit by date.
    newest = StationAudit.objects.filter(station=OuterRef("station")).order_by("-audited_on")
    assert not latest.exclude(pk=Subquery(newest.values("pk")[:1])).exists()
    assert (
        StationAudit.objects.values("station")
        .annotate(n=Count("pk"))
        .aggregate(most=Max("n"))["most"]
        == 2
    )
    # One result per active item, unmet ones counted and explained; none is a problem.
    assert AuditResult.objects.count() == 5 * StationAudit.objects.count()
    for audit in StationAudit.objects.annotate(
        unmet=Count("results", filter=~Q(results__met=True))
    ).values("unmet_count", "unmet"):
        assert audit["unmet_count"] == audit["unmet"]
    assert not AuditResult.objects.filter(met=False, note="").exists()
    assert not AuditResult.objects.filter(problem__isnull=False).exists()
    first = _snapshot()
    call_command("seed_demo", scale="demo", seed=235, today=TODAY, reset=True, stdout=StringIO())
    assert _snapshot() == first
