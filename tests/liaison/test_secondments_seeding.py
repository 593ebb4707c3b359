"""The demo's secondments: one secondee per Wuhan station in this year's and last year's
batches, some extended, absences that reach every standing, deterministic for a seed."""

import datetime as dt

import pytest
from django.db.models import Count

from liaison.models import Absence, Secondment, SecondmentAssessment, SpotCheck
from liaison.secondments.rules import Standing
from liaison.secondments.seeding import batch_start, seed_secondments
from liaison.secondments.services import refresh_absent_days
from tests import factories as f

TODAY = dt.date(2026, 12, 4)


@pytest.fixture
def wuhan_stations(org):
    for i in range(60):
        f.StationFactory(bureau=org.jianghan, code=f"S4201039{i:02d}")
    return 63  # with the fixture's three Wuhan stations


def _snapshot():
    return (
        list(
            Secondment.objects.order_by("year", "station__code").values_list(
                "officer_name", "police_number", "station__code", "year", "absent_days"
            )
        ),
        list(
            Absence.objects.order_by("secondment__police_number", "start_date").values_list(
                "start_date", "end_date", "working_days"
            )
        ),
    )


def test_every_wuhan_station_gets_a_secondee_each_year_and_the_standings_show(org, wuhan_stations):
    counts = seed_secondments(seed=235, today=TODAY)
    assert counts["secondments"] == 2 * wuhan_stations
    per_year = dict(Secondment.objects.values_list("year").annotate(n=Count("pk")).order_by("year"))
    assert per_year == {2025: wuhan_stations, 2026: wuhan_stations}
    assert not Secondment.objects.exclude(station__bureau__parent=org.wuhan).exists()
    extended = Secondment.objects.filter(extends__isnull=False)
    assert 1 <= extended.count() <= wuhan_stations // 4
    assert all(
        s.police_number == s.extends.police_number for s in extended.select_related("extends")
    )
    # The stored totals are the sums of the absences, and every standing occurs in each year.
    before = list(Secondment.objects.order_by("pk").values_list("absent_days", flat=True))
    refresh_absent_days(list(Secondment.objects.values_list("pk", flat=True)))
    assert list(Secondment.objects.order_by("pk").values_list("absent_days", flat=True)) == before
    for year in (2025, 2026):
        standings = {s.standing for s in Secondment.objects.filter(year=year)}
        assert standings == set(Standing)
    assert not Absence.objects.filter(end_date__gte=TODAY).exists()
    # Last year's batch has ended and is assessed; this year's is not.
    assert SecondmentAssessment.objects.filter(secondment__year=2025).count() == wuhan_stations
    assert not SecondmentAssessment.objects.filter(secondment__year=2026).exists()
    assert SpotCheck.objects.count() >= 2 * wuhan_stations


def test_the_same_seed_gives_the_same_secondments(org, wuhan_stations):
    seed_secondments(seed=7, today=TODAY)
    first = _snapshot()
    SecondmentAssessment.objects.all().delete()
    SpotCheck.objects.all().delete()
    Absence.objects.all().delete()
    Secondment.objects.filter(extends__isnull=False).delete()
    Secondment.objects.all().delete()
    seed_secondments(seed=7, today=TODAY)
    assert _snapshot() == first


@pytest.mark.parametrize(
    ("today", "start"),
    [
        (dt.date(2026, 12, 4), dt.date(2026, 3, 1)),
        (dt.date(2027, 2, 28), dt.date(2026, 3, 1)),
        (dt.date(2027, 3, 1), dt.date(2027, 3, 1)),
    ],
)
def test_the_current_batch_starts_on_the_last_first_of_march(today, start):
    assert batch_start(today) == start


def test_seeding_takes_the_same_queries_however_many_stations(org, django_assert_num_queries):
    # The city, its stations, the office (none here: then an administrator), the station
    # staff, and one insert per model.
    with django_assert_num_queries(10):
        seed_secondments(seed=1, today=TODAY)
    for model in (SecondmentAssessment, SpotCheck, Absence):
        model.objects.all().delete()
    Secondment.objects.filter(extends__isnull=False).delete()
    Secondment.objects.all().delete()
    for i in range(40):
        f.StationFactory(bureau=org.jiangan, code=f"S4201029{i:02d}")
    with django_assert_num_queries(10):
        counts = seed_secondments(seed=1, today=TODAY)
    assert counts["current"] == 43
