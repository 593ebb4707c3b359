"""Scale benchmarks of the points and rankings (issue 5, make bench SCALE=hubei|national): the
full recompute of the ledger (from an empty ledger, and the nightly run on a ledger in line),
the incremental recompute after one day of new facts, the monthly freeze, the ranking page
and the cadre's and a county bureau's PDF — each beside its floor measured in the same run.

The seed recomputes the ledger once (conftest.py, timed). Every recompute here is rolled back,
so the ledger stays as the seed left it; the freeze commits (the pages read frozen months).
This module runs before test_visits.py (file order): the sweep's full rebuild there writes
every period record again under new ids, which the ledger's period entries refer to.
"""

import datetime as dt
import time
from unittest import mock

import pytest
import time_machine
import weasyprint
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from checklists.models.problems import OPEN_STATUSES
from liaison.models import Assignment, User, Visit
from liaison.services.sweep import flag_missed_periods
from scoring.models import MonthlyRank, PointEntry, PointRule, RuleCode
from scoring.reports import render
from scoring.selectors import add_months, month_end
from scoring.services.ledger import recompute_points
from scoring.services.ranking import freeze_month
from tests.benchmarks import floors
from tests.benchmarks import points_floors as pf
from tests.benchmarks.harness import (
    RUNS,
    TODAY,
    counting_queries,
    local,
    measure_page,
    median,
    median_seconds,
    record,
    vacuum,
)

pytestmark = [pytest.mark.bench, pytest.mark.django_db]

RECOMPUTE_AT = dt.time(0, 50)  # the nightly recompute (CELERY_BEAT_SCHEDULE)
FREEZE_AT = dt.time(1, 0)  # the freeze on the 1st
PAGE_AT = local(TODAY, dt.time(10))
# The day of new facts: the seed's facts end the day before "today". The nightly run after it.
DAY = TODAY
NIGHT = TODAY + dt.timedelta(days=1)
WEEK = dt.timedelta(days=7)
EVERYTHING = dt.date(1970, 1, 1)
# A full recompute at national scale takes a minute or more: fewer runs there.
FULL_RUNS = {"national": 3}
# The month the pages and PDFs show (the default: last month), frozen here.
MONTH = add_months(TODAY.replace(day=1), -1)
OPEN = list(OPEN_STATUSES)
FACT_TABLES = (
    "liaison_visit",
    "liaison_periodrecord",
    "liaison_periodevent",
    "liaison_assignment",
    "checklists_problem",
    "checklists_task",
    "checklists_result",
    "checklists_listevent",
    "scoring_pointentry",
)


def _weeks() -> int:
    caps = PointRule.objects.filter(code=RuleCode.TASK_OVERDUE_WEEK)
    assert not caps.filter(cap__isnull=True).exists(), "the floor scans the capped weeks only"
    return caps.aggregate(weeks=Max("cap"))["weeks"] or 0


def _floor_params(*, today: dt.date, since: dt.date, now: dt.datetime) -> dict:
    return {
        "since": since,
        "since_at": local(since),
        "today": today,
        "tz": settings.TIME_ZONE,
        "this_month": today.replace(day=1),
        "now": now,
        "weeks": _weeks(),
    }


def _recompute(*, today, since=None, before=()):
    """Seconds of one recompute (foreign keys checked before the clock stops), after the
    untimed ``before``, rolled back; with its query count and report."""
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in before:
            cursor.execute(statement)
        with counting_queries() as queries:
            start = time.perf_counter()
            report = recompute_points(today=today, since=since, now=local(today, RECOMPUTE_AT))
            cursor.execute(floors.CHECK)
            seconds = time.perf_counter() - start
        transaction.set_rollback(True)
    return seconds, queries[0] - 1, report


def _floor(statement, params, *, before=()) -> float:
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in before:
            cursor.execute(sql)
        start = time.perf_counter()
        cursor.execute(statement, params)
        cursor.execute(floors.CHECK)
        seconds = time.perf_counter() - start
        transaction.set_rollback(True)
    return seconds


def _floor_differences(params) -> int:
    """Entries the floor writes that the service did not, and the reverse (once, untimed)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(pf.SNAPSHOT)
        cursor.execute(pf.EMPTY_LEDGER)
        cursor.execute(pf.WRITE, params)
        cursor.execute(pf.DIFFERENCES)
        differences = cursor.fetchone()[0]
        transaction.set_rollback(True)
    return differences


# --- One day of new facts (written with SQL, untimed, rolled back) --------------------------

_VISIT_COLUMNS = [f.column for f in Visit._meta.concrete_fields if not f.primary_key]
_SHIFTED = {
    "visited_at": "visited_at + interval '7 days'",
    "visited_on": "visited_on + 7",
    "logged_at": "logged_at + interval '7 days'",
}
NEW_VISITS = (
    f"INSERT INTO liaison_visit ({', '.join(_VISIT_COLUMNS)}) "
    f"SELECT {', '.join(_SHIFTED.get(c, c) for c in _VISIT_COLUMNS)} FROM liaison_visit "
    "WHERE visited_on = %(week_before)s"
)
# As many of each kind of fact as on the same weekday a week before.
PUBLISH = """
UPDATE checklists_problem SET status = 'published', published_at = %(at)s,
    published_by_id = %(bureau_user)s, responsible_id = coalesce(responsible_id, raised_by_id),
    deadline = %(day)s + 30, version = version + 1
WHERE id IN (SELECT id FROM checklists_problem WHERE status = 'draft' ORDER BY id LIMIT (
    SELECT count(*) FROM checklists_problem
    WHERE published_at >= %(week_before_at)s AND published_at < %(week_before_end)s))
"""
FINISH_TASKS = """
UPDATE checklists_task SET done_on = %(day)s, done_by_id = assignee_id, progress = 100,
    overdue_since = NULL, version = version + 1
WHERE id IN (
    SELECT t.id FROM checklists_task t JOIN checklists_problem p ON p.id = t.problem_id
    WHERE t.done_on IS NULL AND p.status = ANY(%(open)s) ORDER BY t.due_date, t.id
    LIMIT (SELECT count(*) FROM checklists_task WHERE done_on = %(week_before)s))
"""
VERIFY = """
UPDATE checklists_result r SET verified_at = %(at)s, verified_by_id = p.published_by_id,
    rating = CASE WHEN r.id %% 4 = 0 THEN 'excellent' WHEN r.id %% 10 = 1 THEN 'poor'
                  ELSE 'good' END
FROM checklists_problem p
WHERE p.id = r.problem_id AND p.published_by_id <> r.submitted_by_id AND r.id IN (
    SELECT id FROM checklists_result WHERE verified_at IS NULL ORDER BY submitted_at, id
    LIMIT (SELECT count(*) FROM checklists_result
           WHERE verified_at >= %(week_before_at)s AND verified_at < %(week_before_end)s))
"""
CLOSE_OUT = """
UPDATE checklists_problem SET status = 'closed', closed_on = %(day)s, closed_at = %(at)s,
    closed_by_id = published_by_id, overdue_since = NULL, escalated_on = NULL,
    version = version + 1
WHERE id IN (SELECT id FROM checklists_problem WHERE status = ANY(%(open)s)
    ORDER BY deadline, id
    LIMIT (SELECT count(*) FROM checklists_problem WHERE closed_on = %(week_before)s))
"""


def _new_day_of_facts(cursor) -> str:
    """The facts of ``DAY``: the visits of the same weekday a week before, shifted by a week;
    the missed-period sweep of the night after (the county week ending on ``DAY``); as many
    problems published, tasks done, results verified and problems closed out as a week
    before. Returns what was written."""
    params = {
        "day": DAY,
        "at": local(DAY, dt.time(15)),
        "week_before": DAY - WEEK,
        "week_before_at": local(DAY - WEEK),
        "week_before_end": local(DAY - WEEK + dt.timedelta(days=1)),
        "open": OPEN,
        "bureau_user": User.objects.filter(role="bureau").order_by("pk").values("pk")[0]["pk"],
    }
    cursor.execute(NEW_VISITS, params)
    counts = {"visits": cursor.rowcount}
    counts["period records"] = flag_missed_periods(
        today=NIGHT, now=local(NIGHT, dt.time(0, 30))
    ).recorded
    for name, statement in (
        ("published", PUBLISH),
        ("tasks done", FINISH_TASKS),
        ("verified", VERIFY),
        ("closed out", CLOSE_OUT),
    ):
        cursor.execute(statement, params)
        counts[name] = cursor.rowcount
    cursor.execute(floors.CHECK)
    return ", ".join(f"{n} {name}" for name, n in counts.items())


# --- The ledger -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ledger(seeded, django_db_blocker):
    runs = FULL_RUNS.get(seeded, RUNS)
    figures: dict = {"runs": runs}
    with django_db_blocker.unblock():
        full = _floor_params(today=TODAY, since=EVERYTHING, now=local(TODAY, RECOMPUTE_AT))
        figures["entries"] = PointEntry.objects.count()
        figures["differences"] = _floor_differences(full)

        def from_empty():
            seconds, figures["empty queries"], figures["empty"] = _recompute(
                today=TODAY, before=[pf.EMPTY_LEDGER]
            )
            return seconds

        figures["empty seconds"] = median_seconds(from_empty, runs)
        figures["empty floor"] = median_seconds(
            lambda: _floor(pf.WRITE, full, before=[pf.EMPTY_LEDGER]), runs
        )

        def in_line():
            seconds, figures["nightly queries"], figures["nightly"] = _recompute(today=TODAY)
            return seconds

        figures["nightly seconds"] = median_seconds(in_line, runs)

        def compare():
            with connection.cursor() as cursor:
                start = time.perf_counter()
                cursor.execute(pf.COMPARE, full)
                figures["nightly differences"] = cursor.fetchone()[0]
                return time.perf_counter() - start

        figures["nightly floor"] = median_seconds(compare, runs)

        night = local(NIGHT, RECOMPUTE_AT)
        window = NIGHT - dt.timedelta(days=settings.LIAISON_BACKDATE_DAYS + 1)
        with transaction.atomic(), connection.cursor() as cursor:
            figures["new facts"] = _new_day_of_facts(cursor)

            def incremental():
                seconds, figures["day queries"], figures["day"] = _recompute(today=NIGHT, since=DAY)
                return seconds

            day = _floor_params(today=NIGHT, since=DAY, now=night)
            figures["day seconds"] = median_seconds(incremental)
            figures["day floor"] = median_seconds(lambda: _floor(pf.WRITE, day))

            def recent():
                seconds, figures["window queries"], figures["window"] = _recompute(
                    today=NIGHT, since=window
                )
                return seconds

            recent_params = _floor_params(today=NIGHT, since=window, now=night)
            figures["window seconds"] = median_seconds(recent)
            figures["window floor"] = median_seconds(lambda: _floor(pf.WRITE, recent_params))
            figures["window since"] = window
            transaction.set_rollback(True)
        vacuum(*FACT_TABLES)  # the rolled-back day left dead rows behind
    return figures


def test_floor_writes_the_same_entries_as_the_service(ledger):
    assert ledger["entries"] > 0
    assert ledger["differences"] == 0


def test_full_recompute_from_an_empty_ledger(ledger):
    report = ledger["empty"]
    assert report.added == ledger["entries"]
    record(
        f"points: full recompute, empty ledger (median of {ledger['runs']})",
        ledger["empty seconds"],
        ledger["empty floor"],
        ledger["empty queries"],
        note=f"{report.added} entries",
    )


def test_nightly_full_recompute_of_a_ledger_in_line(ledger):
    report = ledger["nightly"]
    assert report.added == report.reversed == ledger["nightly differences"] == 0
    record(
        f"points: nightly full recompute, in line (median of {ledger['runs']})",
        ledger["nightly seconds"],
        ledger["nightly floor"],
        ledger["nightly queries"],
        note=f"{report.desired} entries checked, none changed",
    )


def test_incremental_recompute_after_one_day_of_new_facts(ledger):
    report = ledger["day"]
    assert report.added > 0
    record(
        f"points: incremental, since the new day (median of {RUNS})",
        ledger["day seconds"],
        ledger["day floor"],
        ledger["day queries"],
        note=f"{report.added} entries added; new facts: {ledger['new facts']}",
    )


def test_recompute_of_the_back_dating_window(ledger):
    report = ledger["window"]
    assert report.added == ledger["day"].added
    record(
        f"points: 10-minute job, since {ledger['window since']:%m-%d} (median of {RUNS})",
        ledger["window seconds"],
        ledger["window floor"],
        ledger["window queries"],
        note=f"{report.desired} entries checked, {report.added} added",
    )


# --- The freeze ---------------------------------------------------------------------------


def _freeze_at(month: dt.date) -> dt.datetime:
    return local(add_months(month, 1), FREEZE_AT)


@pytest.fixture(scope="module")
def frozen(ledger, django_db_blocker):
    """Every month of the seeded year before ``MONTH`` frozen as the job on the 1st would
    have (untimed), then ``MONTH`` itself: timed (rolled back) beside its floor, then for
    good."""
    figures: dict = {}
    with django_db_blocker.unblock():
        month = PointEntry.objects.order_by("booked_month").values("booked_month")[0]
        month = month["booked_month"]
        while month < MONTH:
            freeze_month(month=month, now=_freeze_at(month))
            month = add_months(month, 1)

        def freeze():
            with transaction.atomic(), connection.cursor() as cursor:
                with counting_queries() as queries:
                    start = time.perf_counter()
                    freeze_month(month=MONTH, now=_freeze_at(MONTH))
                    cursor.execute(floors.CHECK)
                    seconds = time.perf_counter() - start
                figures["queries"] = queries[0] - 1
                transaction.set_rollback(True)
            return seconds

        def floor():
            params = {"month": MONTH, "day": month_end(MONTH), "now": _freeze_at(MONTH)}
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(pf.FREEZE_MONTH, params)
                params["ranking"] = cursor.fetchone()[0]
                start = time.perf_counter()
                cursor.execute(pf.FREEZE, params)
                cursor.execute(floors.CHECK)
                seconds = time.perf_counter() - start
                transaction.set_rollback(True)
            return seconds

        figures["seconds"] = median_seconds(freeze)
        figures["floor"] = median_seconds(floor)
        ranking = freeze_month(month=MONTH, now=_freeze_at(MONTH))
        figures["ranks"] = MonthlyRank.objects.filter(ranking=ranking).count()
        vacuum("scoring_monthlyrank", "scoring_rankingmonth")
    return figures


def test_freezing_a_month(frozen):
    assert frozen["ranks"] > 0
    record(
        f"freeze {MONTH:%Y-%m} (median of {RUNS})",
        frozen["seconds"],
        frozen["floor"],
        frozen["queries"],
        note=f"{frozen['ranks']} cadres ranked",
    )


# --- The ranking page ---------------------------------------------------------------------

SUBTREE = "(b.path = %(scope)s OR b.path LIKE %(scope_below)s)"
FROZEN = """
SELECT r.cadre_id, r.tier, r.station_id, r.points, r.rank_in_tier, r.rank_overall
FROM scoring_monthlyrank r JOIN scoring_rankingmonth m ON m.id = r.ranking_id
WHERE m.month = %({p}month)s
"""
LIVE = """
SELECT c.id AS cadre_id, c.tier, a.station_id, coalesce(t.points, 0) AS points,
    rank() OVER (PARTITION BY c.tier ORDER BY coalesce(t.points, 0) DESC) AS rank_in_tier,
    rank() OVER (ORDER BY coalesce(t.points, 0) DESC) AS rank_overall
FROM liaison_cadre c JOIN liaison_assignment a ON a.cadre_id = c.id AND a.end_date IS NULL
LEFT JOIN (
    SELECT cadre_id, sum(points) AS points FROM scoring_pointentry
    WHERE booked_month = %({p}month)s GROUP BY cadre_id
) t ON t.cadre_id = c.id
"""
SUMMED = """
SELECT g.cadre_id, g.tier, g.station_id, g.points,
    rank() OVER (PARTITION BY g.tier ORDER BY g.points DESC) AS rank_in_tier,
    rank() OVER (ORDER BY g.points DESC) AS rank_overall
FROM (
    SELECT r.cadre_id, max(r.tier) AS tier, max(r.station_id) AS station_id,
        sum(r.points) AS points
    FROM scoring_monthlyrank r JOIN scoring_rankingmonth m ON m.id = r.ranking_id
    WHERE m.month >= %({p}first)s AND m.month <= %({p}last)s GROUP BY r.cadre_id
) g
"""
RANKED = """
FROM ({current}) s
LEFT JOIN stations_station st ON st.id = s.station_id
LEFT JOIN stations_bureau b ON b.id = st.bureau_id
WHERE {where}
"""
PAGE = f"""
SELECT k.*, u.last_name, u.first_name, hb.name, st.name, sb.name, prev.rank_overall
FROM (
    SELECT s.*, rank() OVER (ORDER BY s.points DESC) AS rank_here {RANKED}
    ORDER BY s.points DESC, s.cadre_id LIMIT 50 OFFSET %(offset)s
) k
JOIN liaison_cadre c ON c.id = k.cadre_id
JOIN liaison_user u ON u.id = c.user_id
JOIN stations_bureau hb ON hb.id = c.bureau_id
LEFT JOIN stations_station st ON st.id = k.station_id
LEFT JOIN stations_bureau sb ON sb.id = st.bureau_id
LEFT JOIN ({{previous}}) prev ON prev.cadre_id = k.cadre_id
ORDER BY k.points DESC, k.cadre_id
"""
COUNT = f"SELECT count(*) {RANKED}"
MONTHS = "SELECT month FROM scoring_rankingmonth WHERE month >= %(from)s AND month <= %(to)s"
CITIES = "SELECT code, name FROM stations_bureau b WHERE tier = 'city' AND {where} ORDER BY code"


def _ranking_floor(scope: str | None, *, kind: str, month: dt.date, page: int = 1) -> list:
    """The rows of one page of the ranking (with names and the previous period's rank), the
    count, the frozen months of the two periods and the city choices."""
    if kind == "quarter":
        first = dt.date(month.year, (month.month - 1) // 3 * 3 + 1, 1)
        current, previous = SUMMED.format(p="cur_"), SUMMED.format(p="prev_")
        params = {
            "cur_first": first,
            "cur_last": add_months(first, 2),
            "prev_first": add_months(first, -3),
            "prev_last": add_months(first, -1),
        }
    else:
        first = month
        current = (LIVE if kind == "live" else FROZEN).format(p="cur_")
        previous = FROZEN.format(p="prev_")
        params = {"cur_month": month, "prev_month": add_months(month, -1)}
    where = SUBTREE if scope is not None else "TRUE"
    params |= {
        "scope": scope,
        "scope_below": f"{scope}/%",
        "offset": (page - 1) * 50,
        "from": add_months(first, -3),
        "to": month,
    }
    return [
        (MONTHS, params),
        (CITIES.format(where=where), params),
        (COUNT.format(current=current, where=where), params),
        (PAGE.format(current=current, where=where, previous=previous), params),
    ]


def _rankings(name, client, query, floor, django_db_blocker, note="") -> None:
    path = reverse("scoring:rankings") + query
    measure_page(name, client, path, floor, django_db_blocker, at=PAGE_AT, note=note)


def test_ranking_of_the_largest_province(frozen, province_client, django_db_blocker):
    client, province = province_client
    scope = province.path
    for page in (1, 20):
        _rankings(
            f"ranking ({province.name}): {MONTH:%Y-%m} frozen, page {page}",
            client,
            f"?month={MONTH:%Y-%m}" + (f"&page={page}" if page > 1 else ""),
            _ranking_floor(scope, kind="month", month=MONTH, page=page),
            django_db_blocker,
        )
    current = TODAY.replace(day=1)
    _rankings(
        f"ranking ({province.name}): {current:%Y-%m} provisional, p. 1",
        client,
        f"?month={current:%Y-%m}",
        _ranking_floor(scope, kind="live", month=current),
        django_db_blocker,
        note="summed from the ledger",
    )
    quarter = add_months(MONTH, -1)
    _rankings(
        f"ranking ({province.name}): quarter of {quarter:%Y-%m}, p. 1",
        client,
        f"?period=quarter&month={quarter:%Y-%m}",
        _ranking_floor(scope, kind="quarter", month=quarter),
        django_db_blocker,
        note="three frozen months summed",
    )


def test_ranking_of_hubei(frozen, hubei_client, django_db_blocker):
    client, hubei = hubei_client
    _rankings(
        f"ranking (湖北): {MONTH:%Y-%m} frozen, page 1",
        client,
        f"?month={MONTH:%Y-%m}",
        _ranking_floor(hubei.path, kind="month", month=MONTH),
        django_db_blocker,
    )


def test_ranking_of_the_whole_country(frozen, admin_client, django_db_blocker):
    _rankings(
        f"ranking (admin, every province): {MONTH:%Y-%m}, page 1",
        admin_client,
        f"?month={MONTH:%Y-%m}",
        _ranking_floor(None, kind="month", month=MONTH),
        django_db_blocker,
    )


# --- PDFs ---------------------------------------------------------------------------------


def _pdf(name, client, path, django_db_blocker) -> None:
    """The request's server time and query count beside the floor: WeasyPrint laying out
    the same HTML (captured from the request) plus an empty view. Each request also records
    the issued report under its verification code."""
    rendered: list[str] = []
    original = render.render_to_string

    def capture(*args, **kwargs):
        rendered.append(original(*args, **kwargs))
        return rendered[-1]

    def get():
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        assert response["Content-Type"] == "application/pdf"
        return response

    with (
        django_db_blocker.unblock(),
        override_settings(ROOT_URLCONF="tests.benchmarks.empty_urls"),
        time_machine.travel(PAGE_AT, tick=True),
        mock.patch.object(render, "render_to_string", capture),
    ):
        with CaptureQueriesContext(connection) as ctx:
            size = len(get().content)
        queries = len(ctx.captured_queries)
        seconds = median(get)
        html = rendered[-1]

        def layout():
            weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).render().write_pdf()

        floor = median(layout)
        empty = median(lambda: client.get("/empty/"))
        pages = len(weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).render().pages)
    note = f"{pages} pages, {size // 1024} kB; floor: WeasyPrint alone"
    record(name, seconds, floor + empty, queries, note)


def test_cadre_pdf(frozen, cadre_client, django_db_blocker):
    client, cadre = cadre_client
    path = reverse("scoring:cadre-report", args=[cadre.pk]) + f"?month={MONTH:%Y-%m}"
    _pdf(f"cadre PDF {MONTH:%Y-%m} (county cadre, own)", client, path, django_db_blocker)


def test_county_bureau_pdf(frozen, province_client, cadre_client, django_db_blocker):
    client, _province = province_client
    _client, cadre = cadre_client
    with django_db_blocker.unblock():
        assignment = Assignment.objects.active().select_related("station__bureau")
        county = assignment.get(cadre=cadre).station.bureau
        stations = county.stations.count()
    path = reverse("scoring:bureau-report", args=[county.code]) + f"?month={MONTH:%Y-%m}"
    _pdf(
        f"county bureau PDF {MONTH:%Y-%m} ({stations} stations)",
        client,
        path,
        django_db_blocker,
    )
