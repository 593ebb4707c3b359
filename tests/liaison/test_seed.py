"""seed_demo and demo_accounts: deterministic demo data with a year of visits, and the real
Hubei at full scale."""

import datetime as dt
import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q, Value
from django.db.models.functions import Concat
from django.utils import timezone

from liaison import rules, seeding
from liaison.models import (
    Assignment,
    Cadre,
    PeriodEvent,
    PeriodRecord,
    Role,
    User,
    Visit,
)
from liaison.models.visits import ALL_ATTESTED
from liaison.reports import split_report, uncovered_stations
from liaison.services.visits import record_visit
from stations.models import Bureau, Station
from stations.scope import Scope
from stations.services import rebuild_bureau_paths

# A Sunday: the county week ends today, so an unmet county week is due soon.
TODAY = dt.date(2026, 11, 22)
MIDNIGHT = timezone.make_aware(dt.datetime(2026, 11, 22))
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


def fingerprint() -> str:
    """One hash over the names, codes, usernames, assignments, visits and period records."""
    parts = [
        *Station.objects.order_by("code").values_list("code", "name", "address", "latitude"),
        *User.objects.order_by("username").values_list("username", "last_name", "first_name"),
        *Assignment.objects.order_by("station__code").values_list(
            "station__code", "cadre__user__username", "start_date"
        ),
        *Visit.objects.order_by("station__code", "visited_at").values_list(
            "station__code", "visited_at", "logged_at", "unannounced", "distance_m", "inspected"
        ),
        *PeriodRecord.objects.order_by("assignment__station__code", "period_start").values_list(
            "assignment__station__code", "period_start", "status", "met_on_time"
        ),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def row_counts() -> tuple[int, ...]:
    models = (Bureau, Station, User, Cadre, Assignment, Visit, PeriodRecord)
    return tuple(m.objects.count() for m in models)


@pytest.mark.parametrize(
    ("total", "weights", "caps", "parts"),
    [
        (10, [1, 1, 1], None, [4, 3, 3]),  # ties go to the earlier part
        (7, [5, 3, 2], None, [4, 2, 1]),  # 3.5 / 2.1 / 1.4
        (6, [1, 1, 1], [1, 5, 5], [1, 3, 2]),  # a capped part hands its share on
        (0, [2, 3], None, [0, 0]),
    ],
)
def test_apportion_splits_by_largest_remainder_within_caps(total, weights, caps, parts):
    assert seeding.apportion(total, weights, caps) == parts
    assert sum(parts) == total


def test_apportion_refuses_caps_that_cannot_hold_the_total():
    with pytest.raises(ValueError):
        seeding.apportion(5, [1, 1], [2, 2])


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_demo_and_another_seed_a_different_one():
    seeding.seed(scale="demo", seed=235, today=TODAY)
    first = fingerprint()
    seeding.seed(scale="demo", seed=235, reset=True, today=TODAY)
    assert fingerprint() == first
    seeding.seed(scale="demo", seed=7, reset=True, today=TODAY)
    assert fingerprint() != first


@pytest.mark.django_db
def test_demo_has_every_role_memorable_accounts_and_work_for_the_planner():
    seeding.seed(scale="demo", seed=235, today=TODAY)

    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    units = {
        u.username: (u.role, u.unit.name if u.unit else None)
        for u in User.objects.filter(username__in=seeding.DEMO_USERNAMES).select_related(
            "bureau", "station"
        )
    }
    cadre = Cadre.objects.select_related("bureau").get(user__username="cadre")
    station = Assignment.objects.active().get(cadre=cadre).station
    assert units == {
        "admin": ("admin", None),
        "province": ("bureau", "湖北省公安厅"),
        "wuhan": ("bureau", "武汉市公安局"),
        "jiangan": ("bureau", "江岸区公安分局"),
        "leader": ("leader", "湖北省公安厅"),
        "wuhan_leader": ("leader", "武汉市公安局"),
        "cadre": ("cadre", "江岸区公安分局"),
        "station": ("station", station.name),
    }
    assert cadre.tier == "county"
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="station").check_password("demo235")
    assert Bureau.objects.filter(code="429004", directly_administered=True).exists()
    assert Station.objects.count() == 40
    assert 3 <= uncovered_stations(Scope(everything=True)).count() <= 4
    assert Cadre.objects.free().count() >= 3


@pytest.mark.django_db
def test_demo_has_a_year_of_visits_consistent_with_their_assignments():
    counts = seeding.seed(scale="demo", seed=235, today=TODAY)

    visits = Visit.objects.all()
    assert counts["visits"] == visits.count() > 1000
    assert not visits.exclude(cadre_id=F("assignment__cadre_id")).exists()
    assert not visits.exclude(station_id=F("assignment__station_id")).exists()
    assert not visits.exclude(logged_by_id=F("assignment__cadre__user_id")).exists()
    assert not visits.filter(visited_at__lt=timezone.make_aware(dt.datetime(2026, 1, 1))).exists()
    assert not visits.filter(logged_at__gte=MIDNIGHT).exists()
    assert not visits.filter(logged_at__gt=F("visited_at") + dt.timedelta(days=7)).exists()
    assert visits.filter(logged_at__date__gt=F("visited_on")).exists()  # some logged later
    for visited_at, visited_on in visits.values_list("visited_at", "visited_on"):
        local = timezone.localtime(visited_at)
        assert local.date() == visited_on
        assert 8 <= local.hour < 21
    # Only all six attested is unannounced (the database checks it too); a few lack one.
    assert visits.filter(unannounced=True).count() == visits.filter(ALL_ATTESTED).count()
    assert visits.filter(unannounced=False).exists()
    assert visits.filter(far_from_station=True).exists()
    assert visits.filter(distance_m__lte=500, far_from_station=False).exists()
    assert visits.filter(latitude__isnull=True).exists()
    assert visits.exclude(inspected=[]).exclude(activities=[]).count() == visits.count()


@pytest.mark.django_db
def test_demo_has_county_cadres_due_soon_and_county_cadres_who_missed_last_week():
    seeding.seed(scale="demo", seed=235, today=TODAY)

    county = Assignment.objects.active().filter(cadre__tier="county")
    assert set(county.values_list("period_start", "period_end")) == {(dt.date(2026, 11, 16), TODAY)}
    due = [
        a
        for a in county
        if rules.is_due_soon(tier="county", period_end=a.period_end, today=TODAY, met=a.period_met)
    ]
    assert len(due) >= 3
    last_week = PeriodRecord.objects.filter(tier="county", period_start=dt.date(2026, 11, 9))
    assert last_week.count() == county.count()
    missed = last_week.filter(status="missed")
    assert missed.count() >= 3
    # Each period was recorded (and a missed one flagged) the night after it ended, as the
    # daily job would have.
    night = timezone.make_aware(dt.datetime(2026, 11, 16, 0, 30))
    assert set(last_week.values_list("flagged_at", flat=True)) == {night}
    flagged = PeriodEvent.objects.filter(record__in=missed, kind="missed")
    assert set(flagged.values_list("at", flat=True)) == {night}
    # Periods met only by a visit logged after they ended were missed, then cured.
    late = PeriodRecord.objects.filter(status="met", met_on_time=False)
    assert late.exists()
    assert not late.filter(cured_at__isnull=True).exists()
    assert PeriodEvent.objects.filter(kind="cured").count() == late.count()


@pytest.mark.django_db
def test_the_memorable_cadre_has_this_week_open_last_week_met_one_late_and_one_missed():
    seeding.seed(scale="demo", seed=235, today=TODAY)

    assignment = Assignment.objects.active().get(cadre__user__username="cadre")
    assert (assignment.period_start, assignment.period_met) == (dt.date(2026, 11, 16), False)
    weeks = PeriodRecord.objects.filter(assignment=assignment).order_by("-period_start")
    assert list(weeks.values_list("period_start", "status", "met_on_time")[:3]) == [
        (dt.date(2026, 11, 9), "met", True),
        (dt.date(2026, 11, 2), "met", False),
        (dt.date(2026, 10, 26), "missed", False),
    ]
    assert not weeks.filter(period_start__lt=dt.date(2026, 10, 26), status="missed").exists()
    missed_week = Visit.objects.filter(
        assignment=assignment, visited_on__range=(dt.date(2026, 10, 26), dt.date(2026, 11, 1))
    )
    assert list(missed_week.values_list("unannounced", "no_escort")) == [(False, False)]
    assert not Visit.objects.filter(assignment=assignment, visited_on__gte=dt.date(2026, 11, 16))


def test_a_later_today_adds_visits_and_keeps_the_past():
    plan = seeding.build_plan(scale="hubei", seed=235)
    memorable = next(c.station for c in plan.cadres if c.user.username == "cadre")
    tz = timezone.get_default_timezone()

    def visits(today):
        planned = seeding.plan_visits(plan, seed=235, start=dt.date(2026, 1, 1), today=today, tz=tz)
        return [v for v in planned if v.station != memorable]  # its weeks follow today

    early, later = visits(dt.date(2026, 6, 3)), visits(TODAY)
    cutoff = dt.datetime(2026, 6, 3, tzinfo=tz)
    assert early == [v for v in later if v.logged_at < cutoff]
    assert len(later) > len(early) > 20_000


@pytest.mark.django_db
def test_reset_deletes_visits_logged_since_with_their_history():
    seeding.seed(scale="demo", seed=235, today=TODAY)
    seeded = fingerprint()
    assignment = Assignment.objects.active().get(cadre__user__username="cadre")
    record_visit(
        assignment=assignment,
        by=assignment.cadre.user,
        visited_at=MIDNIGHT - dt.timedelta(hours=3),
        attestation=ALL_SIX,
        now=MIDNIGHT + dt.timedelta(hours=9),
    )
    assert Visit.history.exists()

    seeding.seed(scale="demo", seed=235, reset=True, today=TODAY)

    assert not Visit.history.exists()
    assert fingerprint() == seeded


@pytest.mark.django_db
def test_hubei_is_the_real_province_fully_covered_by_the_235_split_within_jurisdiction(
    django_assert_num_queries,
):
    counts = seeding.seed(scale="hubei", seed=235, today=TODAY)

    assert Bureau.objects.filter(tier="province").get().name == "湖北省公安厅"
    assert Bureau.objects.filter(tier="city").count() == 17
    assert set(
        Bureau.objects.filter(directly_administered=True).values_list("code", flat=True)
    ) == {"429004", "429005", "429006", "429021"}
    assert (
        Bureau.objects.holding_stations().filter(stations__isnull=False).distinct().count() == 103
    )
    names = dict(
        Bureau.objects.filter(code__in=["420100", "420102", "420525"]).values_list("code", "name")
    )
    assert names == {"420100": "武汉市公安局", "420102": "江岸区公安分局", "420525": "远安县公安局"}
    assert Station.objects.active().count() == 1504
    paths = dict(Bureau.objects.values_list("code", "path"))
    rebuild_bureau_paths()
    assert dict(Bureau.objects.values_list("code", "path")) == paths

    by_tier = dict(
        Assignment.objects.active()
        .values_list("cadre__tier")
        .annotate(n=Count("id"))
        .values_list("cadre__tier", "n")
    )
    assert by_tier == {"province": 301, "city": 451, "county": 752}
    assert uncovered_stations(Scope(everything=True)).count() == 0

    inside_home = Q(station__bureau_id=F("cadre__bureau_id")) | Q(
        station__bureau__path__startswith=Concat(F("cadre__bureau__path"), Value("/"))
    )
    with django_assert_num_queries(1):
        wrong = Assignment.objects.active().aggregate(
            outside=Count("id", filter=~inside_home),
            county_away=Count(
                "id", filter=Q(cadre__tier="county") & ~Q(station__bureau_id=F("cadre__bureau_id"))
            ),
            home_tier=Count(
                "id",
                filter=Q(cadre__tier="province") & ~Q(cadre__bureau__tier="province")
                | Q(cadre__tier="city") & ~Q(cadre__bureau__tier="city"),
            ),
        )
    assert wrong == {"outside": 0, "county_away": 0, "home_tier": 0}

    total, cities = split_report(Scope(bureau_path="420000"))
    assert total.total == 1504
    assert total.uncovered == 0
    assert [(t.tier, t.target, t.actual, t.deviation) for t in total.tiers] == [
        ("province", 301, 301, 0),
        ("city", 451, 451, 0),
        ("county", 752, 752, 0),
    ]
    assert len(cities) == 17
    assert all(city.uncovered == 0 for city in cities)

    # A year of visits; a record per assignment and ended required period: ten months, 21
    # half months, 45 whole ISO weeks (5 Jan to 15 Nov).
    assert 45_000 < counts["visits"] == Visit.objects.count() < 52_000
    records = dict(
        PeriodRecord.objects.values_list("tier").annotate(n=Count("id")).values_list("tier", "n")
    )
    assert records == {"province": 301 * 10, "city": 451 * 21, "county": 752 * 45}
    missed = PeriodRecord.objects.filter(status="missed").count()
    assert 0.05 < missed / sum(records.values()) < 0.12
    assert not Visit.objects.filter(logged_at__gte=MIDNIGHT).exists()


@pytest.mark.django_db
def test_seed_demo_if_empty_leaves_a_loaded_database_alone():
    call_command("seed_demo", scale="demo", seed=235, today=TODAY, stdout=StringIO())
    before = (row_counts(), fingerprint())
    out = StringIO()

    call_command("seed_demo", scale="demo", seed=9, today=TODAY, if_empty=True, stdout=out)

    assert "演示数据已加载" in out.getvalue()
    assert (row_counts(), fingerprint()) == before


@pytest.mark.django_db
def test_seed_demo_refuses_a_database_that_holds_bureaus_unless_reset():
    call_command("seed_demo", scale="demo", seed=235, today=TODAY, stdout=StringIO())
    before = (row_counts(), fingerprint())

    with pytest.raises(CommandError, match="数据库中已有公安机关数据.*--reset"):
        call_command("seed_demo", scale="demo", seed=9, today=TODAY, stdout=StringIO())
    assert (row_counts(), fingerprint()) == before

    out = StringIO()
    call_command("seed_demo", "--today=2026-11-22", scale="demo", seed=9, reset=True, stdout=out)
    assert "派出所 40 个" in out.getvalue()
    assert "已生成 2026-11-22 之前的走访" in out.getvalue()
    assert fingerprint() != before[1]
    assert Bureau.objects.count() == before[0][0]


@pytest.mark.django_db
def test_demo_accounts_prints_an_account_per_role_with_password_and_address():
    call_command("seed_demo", scale="demo", seed=235, today=TODAY, stdout=StringIO())
    out = StringIO()

    call_command("demo_accounts", stdout=out)

    text = out.getvalue()
    assert "密码均为 demo235" in text
    assert "http://127.0.0.1:8000" in text
    for label in ("系统管理员", "235机制办", "领导", "包联干部", "派出所"):
        assert label in text
    for username in seeding.DEMO_USERNAMES:
        assert f" {username} " in text


@pytest.mark.django_db
def test_demo_accounts_on_an_empty_database_says_to_seed_first():
    out = StringIO()
    call_command("demo_accounts", stdout=out)
    assert "请先运行 manage.py seed_demo" in out.getvalue()
