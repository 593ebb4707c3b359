"""The missed-period sweep and visit recording against periods."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from liaison.models import Assignment, PeriodEvent, PeriodRecord, Visit
from liaison.services.sweep import flag_missed_periods, rebuild_period_records
from liaison.services.visits import Location, edit_visit, record_visit
from tests import factories as f

SH = ZoneInfo("Asia/Shanghai")
ALL_SIX = dict.fromkeys(
    [
        "no_notice",
        "no_greeting",
        "no_report",
        "no_escort",
        "straight_to_grassroots",
        "straight_to_scene",
    ],
    True,
)


def at(y, m, d, hh=10, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=SH)


@pytest.fixture
def county_assignment(org):
    cadre = f.CadreFactory(bureau=org.jiangan, tier="county")
    # Monday 2026-11-02: weeks 2–8 Nov, 9–15 Nov, 16–22 Nov are whole weeks.
    return f.AssignmentFactory(cadre=cadre, station=org.s_jiangan, start_date=dt.date(2026, 11, 2))


def visit(assignment, when, logged=None, **attest):
    return record_visit(
        assignment=assignment,
        by=assignment.cadre.user,
        visited_at=when,
        attestation=attest or ALL_SIX,
        now=logged or when + dt.timedelta(hours=1),
    )


def statuses(assignment):
    return list(
        PeriodRecord.objects.filter(assignment=assignment)
        .order_by("period_start")
        .values_list("period_start", "status", "met_on_time")
    )


def test_county_cadre_misses_the_week_after_sunday_passes(county_assignment):
    visit(county_assignment, at(2026, 11, 4))
    flag_missed_periods(today=dt.date(2026, 11, 15), now=at(2026, 11, 15, 0, 30))
    # The week of 9–15 Nov is not over on the 15th.
    assert statuses(county_assignment) == [(dt.date(2026, 11, 2), "met", True)]
    flag_missed_periods(today=dt.date(2026, 11, 16), now=at(2026, 11, 16, 0, 30))
    assert statuses(county_assignment)[-1] == (dt.date(2026, 11, 9), "missed", False)
    assert PeriodEvent.objects.filter(kind="missed").count() == 1


def test_running_the_sweep_twice_equals_running_it_once(county_assignment):
    visit(county_assignment, at(2026, 11, 4))
    first = flag_missed_periods(today=dt.date(2026, 11, 23), now=at(2026, 11, 23, 0, 30))
    snapshot = statuses(county_assignment), PeriodEvent.objects.count()
    second = flag_missed_periods(today=dt.date(2026, 11, 23), now=at(2026, 11, 23, 0, 31))
    assert first.recorded == 3 and second.recorded == 0
    assert (statuses(county_assignment), PeriodEvent.objects.count()) == snapshot


def test_a_visit_without_all_six_attestations_does_not_count(county_assignment):
    partial = {**ALL_SIX, "no_escort": False}
    v = visit(county_assignment, at(2026, 11, 4), **partial)
    assert not v.unannounced
    flag_missed_periods(today=dt.date(2026, 11, 9), now=at(2026, 11, 9, 0, 30))
    assert statuses(county_assignment) == [(dt.date(2026, 11, 2), "missed", False)]


def test_a_late_visit_within_the_window_cures_the_missed_period(county_assignment):
    flag_missed_periods(today=dt.date(2026, 11, 16), now=at(2026, 11, 16, 0, 30))
    assert statuses(county_assignment)[-1] == (dt.date(2026, 11, 9), "missed", False)
    # Logged on Tuesday the 17th for Saturday the 14th: within 7 days.
    visit(county_assignment, at(2026, 11, 14), logged=at(2026, 11, 17, 9))
    assert statuses(county_assignment)[-1] == (dt.date(2026, 11, 9), "met", False)
    record = PeriodRecord.objects.get(assignment=county_assignment, period_start="2026-11-09")
    assert record.cured_at is not None
    assert set(record.events.values_list("kind", flat=True)) == {"missed", "cured"}


def test_the_nightly_cure_looks_only_at_recent_periods_and_the_rebuild_repairs_the_rest(
    county_assignment,
):
    flag_missed_periods(today=dt.date(2026, 11, 16), now=at(2026, 11, 16, 0, 30))
    # A visit moved into the first week behind the services' back (e.g. a database repair):
    # that week ended more than 7 + 31 days before the night of 2027-01-05, so the nightly
    # cure leaves it; the full rebuild derives it again from the visits.
    v = visit(county_assignment, at(2026, 11, 12), logged=at(2026, 11, 12, 11))
    flag_missed_periods(today=dt.date(2026, 11, 16), now=at(2026, 11, 16, 0, 40))
    Visit.objects.filter(pk=v.pk).update(visited_at=at(2026, 11, 4), visited_on="2026-11-04")
    flag_missed_periods(today=dt.date(2027, 1, 5), now=at(2027, 1, 5, 0, 30))
    first_week = PeriodRecord.objects.get(assignment=county_assignment, period_start="2026-11-02")
    assert first_week.status == "missed"
    rebuild_period_records(today=dt.date(2027, 1, 5), now=at(2027, 1, 5, 1))
    first_week = PeriodRecord.objects.get(assignment=county_assignment, period_start="2026-11-02")
    assert first_week.status == "met"


def test_a_visit_beyond_the_back_dating_window_is_refused(county_assignment):
    with pytest.raises(ValidationError) as exc:
        visit(county_assignment, at(2026, 11, 3), logged=at(2026, 11, 11))
    assert exc.value.code == "too_old"
    assert not Visit.objects.exists()


def test_a_visit_in_the_future_is_refused(county_assignment):
    with pytest.raises(ValidationError) as exc:
        visit(county_assignment, at(2026, 11, 20), logged=at(2026, 11, 19))
    assert exc.value.code == "future"


def test_only_the_assignment_s_cadre_can_log_a_visit(county_assignment, org):
    other = f.UserFactory(role="bureau", bureau=org.jiangan)
    with pytest.raises(ValidationError):
        record_visit(
            assignment=county_assignment,
            by=other,
            visited_at=at(2026, 11, 4),
            attestation=ALL_SIX,
            now=at(2026, 11, 4, 12),
        )


def test_a_visit_at_2330_on_sunday_counts_for_that_week(county_assignment):
    visit(county_assignment, at(2026, 11, 15, 23, 30), logged=at(2026, 11, 15, 23, 45))
    assert Visit.objects.get().visited_on == dt.date(2026, 11, 15)
    flag_missed_periods(today=dt.date(2026, 11, 16), now=at(2026, 11, 16, 0, 30))
    assert statuses(county_assignment)[-1] == (dt.date(2026, 11, 9), "met", True)


def test_the_sweep_moves_the_deadline_and_tracks_the_current_period(county_assignment):
    flag_missed_periods(today=dt.date(2026, 11, 18), now=at(2026, 11, 18, 0, 30))
    county_assignment.refresh_from_db()
    assert (county_assignment.period_start, county_assignment.period_end) == (
        dt.date(2026, 11, 16),
        dt.date(2026, 11, 22),
    )
    assert county_assignment.period_met is False
    visit(county_assignment, at(2026, 11, 18, 9), logged=at(2026, 11, 18, 11))
    county_assignment.refresh_from_db()
    assert county_assignment.period_met is True


def test_an_edit_that_withdraws_an_attestation_unmeets_the_period(county_assignment):
    v = visit(county_assignment, at(2026, 11, 4), logged=at(2026, 11, 8, 20))
    flag_missed_periods(today=dt.date(2026, 11, 9), now=at(2026, 11, 9, 0, 30))
    assert statuses(county_assignment) == [(dt.date(2026, 11, 2), "met", True)]
    edit_visit(
        visit=v,
        by=county_assignment.cadre.user,
        visited_at=v.visited_at,
        attestation={**ALL_SIX, "no_report": False},
        now=at(2026, 11, 9, 8),
    )
    assert statuses(county_assignment) == [(dt.date(2026, 11, 2), "missed", False)]
    assert v.history.count() == 2


def test_a_visit_cannot_be_edited_after_24_hours(county_assignment):
    v = visit(county_assignment, at(2026, 11, 4))
    with pytest.raises(ValidationError) as exc:
        edit_visit(
            visit=v,
            by=county_assignment.cadre.user,
            visited_at=v.visited_at,
            attestation=ALL_SIX,
            findings="later",
            now=at(2026, 11, 5, 12),
        )
    assert exc.value.code == "locked"


def test_periods_before_the_assignment_started_are_not_required(org):
    cadre = f.CadreFactory(bureau=org.hubei, tier="province")
    a = f.AssignmentFactory(cadre=cadre, station=org.s_xiling, start_date=dt.date(2026, 9, 10))
    flag_missed_periods(today=dt.date(2026, 11, 2), now=at(2026, 11, 2, 0, 30))
    # September started mid-month: only October is required and ended.
    assert statuses(a) == [(dt.date(2026, 10, 1), "missed", False)]


def test_an_ended_assignment_is_not_required_for_periods_after_it_ended(org):
    cadre = f.CadreFactory(bureau=org.wuhan, tier="city")
    a = f.AssignmentFactory(
        cadre=cadre,
        station=org.s_jianghan,
        start_date=dt.date(2026, 10, 1),
        end_date=dt.date(2026, 10, 20),
    )
    rebuild_period_records(today=dt.date(2026, 11, 22), now=at(2026, 11, 22))
    assert [s for s, *_ in statuses(a)] == [dt.date(2026, 10, 1)]


def test_incremental_daily_sweeps_agree_with_a_full_rebuild(org):
    """The repair path and the daily path give the same records."""
    county = f.AssignmentFactory(
        cadre=f.CadreFactory(bureau=org.jiangan, tier="county"),
        station=org.s_jiangan2,
        start_date=dt.date(2026, 9, 1),
    )
    city = f.AssignmentFactory(
        cadre=f.CadreFactory(bureau=org.wuhan, tier="city"),
        station=org.s_jianghan,
        start_date=dt.date(2026, 9, 1),
    )
    prov = f.AssignmentFactory(
        cadre=f.CadreFactory(bureau=org.hubei, tier="province"),
        station=org.s_xiling,
        start_date=dt.date(2026, 9, 1),
    )
    day = dt.date(2026, 9, 1)
    while day <= dt.date(2026, 11, 22):
        # A visit every ninth day, logged two days late; every fourth one is announced.
        n = (day - dt.date(2026, 9, 1)).days
        if n % 9 == 0 and day >= dt.date(2026, 9, 3):
            for i, a in enumerate((county, city, prov)):
                when = at(day.year, day.month, day.day) - dt.timedelta(days=2)
                attest = ALL_SIX if (n // 9 + i) % 4 else {**ALL_SIX, "no_notice": False}
                visit(a, when, logged=at(day.year, day.month, day.day, 8), **attest)
        flag_missed_periods(today=day, now=at(day.year, day.month, day.day, 0, 30))
        day += dt.timedelta(days=1)
    incremental = sorted(
        PeriodRecord.objects.values_list(
            "assignment_id", "period_start", "period_end", "status", "met_on_time"
        )
    )
    assert len(incremental) == 10 + 5 + 2  # county weeks, city half-months, months
    rebuild_period_records(today=dt.date(2026, 11, 22), now=at(2026, 11, 22, 0, 30))
    rebuilt = sorted(
        PeriodRecord.objects.values_list(
            "assignment_id", "period_start", "period_end", "status", "met_on_time"
        )
    )
    assert rebuilt == incremental


def test_the_sweep_query_count_does_not_grow_with_assignments(org, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def run(n, today):
        for _ in range(n):
            station = f.StationFactory(bureau=org.jianghan)
            f.AssignmentFactory(
                cadre=f.CadreFactory(bureau=org.jianghan, tier="county"),
                station=station,
                start_date=dt.date(2026, 11, 2),
            )
        with CaptureQueriesContext(connection) as ctx:
            flag_missed_periods(today=today, now=at(today.year, today.month, today.day))
        return len(ctx.captured_queries)

    one = run(1, dt.date(2026, 11, 16))
    Assignment.objects.update(period_end=None)
    PeriodRecord.objects.all().delete()
    fifty = run(49, dt.date(2026, 11, 16))
    assert one == fifty


def test_distance_from_the_station_is_recorded_and_far_visits_flagged(org):
    org.s_jiangan.latitude, org.s_jiangan.longitude = 30.6, 114.3
    org.s_jiangan.save()
    a = f.AssignmentFactory(
        cadre=f.CadreFactory(bureau=org.jiangan, tier="county"),
        station=org.s_jiangan,
        start_date=dt.date(2026, 11, 2),
    )
    near = record_visit(
        assignment=a,
        by=a.cadre.user,
        visited_at=at(2026, 11, 4),
        attestation=ALL_SIX,
        location=Location(30.6005, 114.3005, 20),
        now=at(2026, 11, 4, 12),
    )
    far = record_visit(
        assignment=a,
        by=a.cadre.user,
        visited_at=at(2026, 11, 5),
        attestation=ALL_SIX,
        location=Location(30.7, 114.3, 50),
        now=at(2026, 11, 5, 12),
    )
    assert near.distance_m < 100 and not near.far_from_station
    assert 11_000 < far.distance_m < 11_200 and far.far_from_station
