"""The cadre's phone home: station, current period, met or not, days left, last visits."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liaison.models import Assignment, Visit
from liaison.services.visits import record_visit
from tests import factories as f

SH = ZoneInfo("Asia/Shanghai")
SIX = [
    "no_notice",
    "no_greeting",
    "no_report",
    "no_escort",
    "straight_to_grassroots",
    "straight_to_scene",
]


def at(y, m, d, hh=10):
    return dt.datetime(y, m, d, hh, tzinfo=SH)


def _log(user, when, *, six=True):
    assignment = Assignment.objects.select_related("cadre", "station").get(
        cadre__user=user, end_date__isnull=True
    )
    attestation = dict.fromkeys(SIX if six else SIX[:5], True)
    return record_visit(
        assignment=assignment,
        by=user,
        visited_at=when,
        attestation=attestation,
        now=when + dt.timedelta(minutes=5),
    )


def _home(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_home_shows_the_station_the_week_and_days_left(login, personas):
    with time_machine.travel(at(2026, 11, 18), tick=False):  # Wednesday
        page = _home(login(personas.cadre))
    assert "大智派出所" in page and "江岸区公安分局" in page
    assert "本周" in page and "2026-11-16 – 2026-11-22" in page
    assert "尚未达标：还剩 5 天" in page and "即将到期" not in page
    assert reverse("checklists:visit-new") in page and "走访登记" in page


def test_an_unannounced_visit_meets_the_week(login, personas):
    with time_machine.travel(at(2026, 11, 18), tick=False):
        _log(personas.cadre, at(2026, 11, 17))
        page = _home(login(personas.cadre))
    assert "已达标" in page and "还剩" not in page
    visit = Visit.objects.get()
    assert reverse("checklists:visit-detail", args=[visit.pk]) in page


def test_a_visit_without_all_six_does_not_meet_the_week(login, personas):
    with time_machine.travel(at(2026, 11, 18), tick=False):
        _log(personas.cadre, at(2026, 11, 17), six=False)
        page = _home(login(personas.cadre))
    assert "尚未达标" in page and "只有六项全部确认的走访才计入" in page


def test_a_visit_of_last_week_does_not_count_for_this_week(login, personas):
    with time_machine.travel(at(2026, 11, 16, 9), tick=False):  # Monday
        _log(personas.cadre, at(2026, 11, 15))
        page = _home(login(personas.cadre))
    assert "尚未达标：还剩 7 天" in page


def test_the_week_is_due_soon_on_saturday(login, personas):
    with time_machine.travel(at(2026, 11, 21), tick=False):
        page = _home(login(personas.cadre))
    assert "即将到期：尚未达标，还剩 2 天" in page


def test_home_reads_the_visits_not_the_nightly_columns(login, personas):
    """Assignment.period_* may lag behind (the sweep runs at night): the page asks the
    visits themselves."""
    Assignment.objects.filter(cadre__user=personas.cadre).update(
        period_start=dt.date(2026, 11, 9), period_end=dt.date(2026, 11, 15), period_met=True
    )
    with time_machine.travel(at(2026, 11, 18), tick=False):
        page = _home(login(personas.cadre))
    assert "尚未达标" in page and "2026-11-16 – 2026-11-22" in page


@pytest.mark.parametrize(
    ("tier", "bureau", "label", "period"),
    [
        ("city", "wuhan", "本半月", "2026-11-16 – 2026-11-30"),
        ("province", "hubei", "本月", "2026-11-01 – 2026-11-30"),
    ],
)
def test_city_and_province_cadres_see_their_own_periods(login, org, tier, bureau, label, period):
    cadre = f.CadreFactory(bureau=getattr(org, bureau), tier=tier)
    f.AssignmentFactory(cadre=cadre, station=org.s_jiangan2)
    with time_machine.travel(at(2026, 11, 18), tick=False):
        page = _home(login(cadre.user))
    assert label in page and period in page


def test_a_period_that_began_before_the_assignment_is_not_required(login, org):
    cadre = f.CadreFactory(bureau=org.jiangan, tier="county")
    f.AssignmentFactory(cadre=cadre, station=org.s_jiangan2, start_date=dt.date(2026, 11, 18))
    with time_machine.travel(at(2026, 11, 20), tick=False):
        page = _home(login(cadre.user))
    assert "首个应访周期从 2026-11-23 开始" in page and "即将到期" not in page


def test_home_shows_the_last_five_visits(login, personas):
    with time_machine.travel(at(2026, 11, 18), tick=False):
        for day in range(11, 18):
            _log(personas.cadre, at(2026, 11, day))
        page = _home(login(personas.cadre))
    assert "2026-11-17 10:00" in page and "2026-11-13 10:00" in page
    assert "2026-11-12 10:00" not in page


def _many_visits(user, count):
    assignment = Assignment.objects.get(cadre__user=user, end_date__isnull=True)
    first = at(2026, 11, 18, 9)
    rows = [
        Visit(
            assignment=assignment,
            cadre_id=assignment.cadre_id,
            station_id=assignment.station_id,
            visited_at=first - dt.timedelta(hours=i),
            visited_on=(first - dt.timedelta(hours=i)).date(),
            logged_at=first,
            logged_by=user,
            unannounced=True,
            **dict.fromkeys(SIX, True),
        )
        for i in range(count)
    ]
    Visit.objects.bulk_create(rows)


def test_home_query_count_is_the_same_for_1_and_50_visits(login, personas):
    client = login(personas.cadre)
    counts = []
    with time_machine.travel(at(2026, 11, 18, 10), tick=False):
        for n in (1, 49):
            _many_visits(personas.cadre, n)
            with CaptureQueriesContext(connection) as ctx:
                _home(client)
            counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
