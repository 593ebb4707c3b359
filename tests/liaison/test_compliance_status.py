"""The visit-status page: due soon, missed in the last 30 days, predictable patterns."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liaison import compliance, rules
from liaison.models import Assignment
from liaison.services.sweep import flag_missed_periods
from liaison.services.visits import record_visit
from stations.scope import Scope
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
SATURDAY = dt.date(2026, 11, 21)  # the county week 16–22 Nov ends tomorrow


def at(y, m, d, hh=10, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=SH)


def visit(assignment, when):
    return record_visit(
        assignment=assignment,
        by=assignment.cadre.user,
        visited_at=when,
        attestation=ALL_SIX,
        now=when + dt.timedelta(hours=1),
    )


def assign(bureau, station, tier, start):
    return f.AssignmentFactory(
        cadre=f.CadreFactory(bureau=bureau, tier=tier), station=station, start_date=start
    )


@pytest.fixture
def due(org, personas):
    """Swept on Saturday 21 Nov. The personas' county cadre (大智) has not visited this week."""
    Assignment.objects.filter(cadre__user=personas.cadre).update(start_date=dt.date(2026, 11, 2))
    unmet = assign(org.jiangan, org.s_jiangan2, "county", dt.date(2026, 11, 2))
    met = assign(org.jianghan, org.s_jianghan, "county", dt.date(2026, 11, 2))
    visit(met, at(2026, 11, 17))
    # 16–30 Nov: nine days left, more than a city cadre's four.
    city_station = f.StationFactory(bureau=org.jianghan, name="汉兴派出所")
    assign(org.wuhan, city_station, "city", dt.date(2026, 11, 1))
    # Started on Wednesday: this week is not required of them.
    late_starter = f.StationFactory(bureau=org.jiangan, name="永清派出所")
    assign(org.jiangan, late_starter, "county", dt.date(2026, 11, 18))
    outside = assign(org.furong, org.s_furong, "county", dt.date(2026, 11, 2))
    flag_missed_periods(today=SATURDAY, now=at(2026, 11, 21, 0, 30))
    # Assigned after the sweep ran: the current period is not known yet.
    fresh_station = f.StationFactory(bureau=org.jiangan, name="新村派出所")
    fresh = assign(org.jiangan, fresh_station, "county", dt.date(2026, 11, 21))
    return {"unmet": unmet, "met": met, "outside": outside, "fresh": fresh}


def names(assignments):
    return [a.station.name for a in assignments]


def test_due_soon_lists_unmet_periods_near_their_deadline_then_unknown_ones(due, org):
    rows = compliance.due_soon_assignments(scope=Scope(bureau_path=org.wuhan.path), today=SATURDAY)
    assert names(rows) == ["大智派出所", "球场派出所", "新村派出所"]
    assert [r.days_left.days if r.days_left is not None else None for r in rows] == [1, 1, None]


def test_due_soon_without_unknown_periods_is_what_reminders_use(due, org):
    rows = compliance.due_soon_assignments(
        scope=Scope(everything=True), today=SATURDAY, include_unknown=False
    )
    assert names(rows) == ["大智派出所", "球场派出所", "定王台派出所"]


@pytest.mark.parametrize("days_after", range(0, 9))
def test_the_sql_due_soon_agrees_with_the_pure_rule(due, days_after):
    today = SATURDAY + dt.timedelta(days=days_after)
    flag_missed_periods(today=today, now=at(today.year, today.month, today.day, 0, 30))
    listed = set(
        compliance.due_soon_assignments(
            scope=Scope(everything=True), today=today, include_unknown=False
        ).values_list("pk", flat=True)
    )
    expected = {
        a.pk
        for a in Assignment.objects.active().select_related("cadre")
        if a.period_end
        and a.period_start >= a.start_date
        and rules.is_due_soon(
            tier=a.cadre.tier, period_end=a.period_end, today=today, met=a.period_met
        )
    }
    assert listed == expected


def test_recent_missed_lists_the_last_30_days_in_scope(org, personas):
    Assignment.objects.filter(cadre__user=personas.cadre).update(start_date=dt.date(2026, 10, 5))
    assign(org.furong, org.s_furong, "county", dt.date(2026, 10, 5))
    flag_missed_periods(today=dt.date(2026, 11, 23), now=at(2026, 11, 23, 0, 30))
    rows = list(
        compliance.recent_missed(
            scope=Scope(bureau_path=org.jiangan.path), today=dt.date(2026, 11, 23)
        )
    )
    # Weeks ending 25 Oct … 22 Nov; the week ending 18 Oct is older than 30 days.
    assert [r.period_end for r in rows] == [
        dt.date(2026, 11, 22),
        dt.date(2026, 11, 15),
        dt.date(2026, 11, 8),
        dt.date(2026, 11, 1),
        dt.date(2026, 10, 25),
    ]
    assert {r.assignment.station.name for r in rows} == {"大智派出所"}


# --- Predictable patterns ------------------------------------------------------------------


def _visits(assignment, times):
    for when in times:
        visit(assignment, when)


@pytest.fixture
def patterns(org):
    start = dt.date(2026, 9, 1)
    # Every Monday at about 07:30 local time, which is Sunday 23:30 in UTC.
    steady = assign(org.jianghan, org.s_jianghan, "county", start)
    mondays = [at(2026, 10, 19), at(2026, 10, 26), at(2026, 11, 2), at(2026, 11, 9)]
    mondays += [at(2026, 11, 16)]
    _visits(steady, [d.replace(hour=7, minute=30 + i) for i, d in enumerate(mondays)])
    # Varied days and hours.
    varied = assign(org.jiangan, org.s_jiangan2, "county", start)
    _visits(varied, [at(2026, 11, d, h) for d, h in [(2, 9), (10, 15), (18, 11), (19, 16)]])
    # Six old Monday-10:00 visits, then eight recent varied ones: only the last eight count.
    # Twelve Mondays at 10:00 from June (12 of 20 would be predictable), then eight varied.
    reformed = assign(org.xiling, org.s_xiling, "county", dt.date(2026, 6, 1))
    _visits(reformed, [at(2026, 6, 1) + dt.timedelta(weeks=k) for k in range(12)])
    _visits(reformed, [at(2026, 10, 14 + 2 * i, 8 + i) for i in range(8)])
    # A cadre outside the Wuhan scope with the same habit.
    outside = assign(org.furong, org.s_furong, "county", start)
    _visits(outside, [at(2026, 11, d, 9) for d in (3, 10, 17)] + [at(2026, 10, 27, 9)])
    return {"steady": steady, "varied": varied, "reformed": reformed, "outside": outside}


def test_a_cadre_who_always_visits_at_the_same_weekday_and_hour_is_flagged(patterns, org):
    flagged = compliance.predictable_cadres(
        scope=Scope(bureau_path=org.hubei.path), today=dt.date(2026, 11, 22)
    )
    assert [(p.cadre.pk, p.weekday, p.hour, p.count, p.total) for p in flagged] == [
        (patterns["steady"].cadre_id, 1, 7, 5, 5)
    ]
    assert flagged[0].cadre.station_name == "民族派出所"


def test_predictable_patterns_respect_the_scope(patterns, org):
    flagged = compliance.predictable_cadres(
        scope=Scope(bureau_path=org.hunan.path), today=dt.date(2026, 11, 22)
    )
    assert [p.cadre.pk for p in flagged] == [patterns["outside"].cadre_id]
    assert (flagged[0].weekday, flagged[0].hour, flagged[0].count) == (2, 9, 4)


def test_only_the_last_eight_visits_count(patterns, org):
    flagged = compliance.predictable_cadres(
        scope=Scope(bureau_path=org.yichang.path), today=dt.date(2026, 11, 22)
    )
    assert flagged == []


# --- The page ------------------------------------------------------------------------------


def test_the_status_page_shows_due_missed_and_predictable_in_chinese(
    login, personas, patterns_for_page, due
):
    with time_machine.travel(dt.datetime(2026, 11, 21, 9, tzinfo=SH), tick=False):
        response = login(personas.city_bureau).get(reverse("liaison:visit-status"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "即将到期" in body and "大智派出所" in body
    assert "定王台派出所" not in body  # outside Wuhan
    assert "尚未确定" in body  # the fresh assignment's period is not known yet
    assert names(response.context["due_page"]) == ["大智派出所", "球场派出所", "新村派出所"]
    # Weeks ending 8 and 15 Nov at 大智, 球场 and 民族; the half month ending 15 Nov at 汉兴.
    missed = response.context["missed_page"]
    assert len(missed.object_list) == 7
    assert {r.period_end for r in missed} == {dt.date(2026, 11, 8), dt.date(2026, 11, 15)}
    assert [p.cadre.pk for p in response.context["predictable"]] == [patterns_for_page]
    assert "星期一" in body


@pytest.fixture
def patterns_for_page(org):
    steady = assign(
        org.jianghan, f.StationFactory(bureau=org.jianghan), "county", dt.date(2026, 9, 1)
    )
    _visits(steady, [at(2026, 10, 19, 7), at(2026, 10, 26, 7), at(2026, 11, 2, 7)])
    _visits(steady, [at(2026, 11, 9, 7), at(2026, 11, 16, 7)])
    return steady.cadre_id


def test_the_due_soon_list_pages_with_htmx(login, personas, org, due):
    for i in range(30):
        assign(
            org.jianghan,
            f.StationFactory(bureau=org.jianghan, code=f"S9{i:05d}"),
            "county",
            dt.date(2026, 11, 2),
        )
    flag_missed_periods(today=SATURDAY, now=at(2026, 11, 21, 0, 30))
    client = login(personas.city_bureau)
    with time_machine.travel(dt.datetime(2026, 11, 21, 9, tzinfo=SH), tick=False):
        response = client.get(
            reverse("liaison:visit-status"),
            {"due_page": 2},
            HTTP_HX_REQUEST="true",
            HTTP_HX_TARGET="due-soon",
        )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="due-soon">')
    assert response.context["due_page"].number == 2
    assert "missed_page" not in response.context


@pytest.mark.parametrize("persona", ["admin", "province_bureau", "city_bureau", "leader"])
def test_the_status_page_makes_the_same_number_of_queries_for_1_and_50_rows(
    login, personas, org, persona
):
    client = login(getattr(personas, persona))

    def grow(n):
        for _ in range(n):
            a = assign(
                org.jianghan,
                f.StationFactory(bureau=org.jianghan),
                "county",
                dt.date(2026, 10, 5),
            )
            _visits(a, [at(2026, 11, d, 7) for d in (2, 9, 16)] + [at(2026, 10, 26, 7)])
        flag_missed_periods(today=SATURDAY, now=at(2026, 11, 21, 0, 30))
        with (
            time_machine.travel(dt.datetime(2026, 11, 21, 9, tzinfo=SH), tick=False),
            CaptureQueriesContext(connection) as ctx,
        ):
            response = client.get(reverse("liaison:visit-status"))
        assert response.status_code == 200
        assert (
            len(response.context["predictable"])
            == Assignment.objects.filter(station__bureau=org.jianghan).count()
        )
        return len(ctx.captured_queries)

    one = grow(1)
    assert grow(49) == one
