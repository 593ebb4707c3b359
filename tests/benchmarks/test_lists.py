"""Scale benchmarks of the three lists (issue 4, make bench SCALE=hubei|national): the public
board (公开发布) filtered and unfiltered, page 1 and a deep page; the counters page; the daily
overdue job and its repair path — each beside its floor measured in the same run, with its
query count.

The seeding (timed, with its floors) is the session fixture in conftest.py. The overdue runs
are rolled back: the seeded flags stay as the daily job of the seed's "today" left them.
"""

import datetime as dt
import time

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse

from checklists.models import ListEvent, Problem, ProblemCategory
from checklists.models.problems import OPEN_STATUSES
from checklists.rules import escalation_cutoff, escalation_day
from checklists.services.overdue import flag_overdue, rebuild_overdue
from stations.models import Bureau, Tier
from tests.benchmarks import floors
from tests.benchmarks.conftest import largest_city
from tests.benchmarks.harness import (
    RUNS,
    TODAY,
    counting_queries,
    local,
    measure_page,
    median_seconds,
    record,
    vacuum,
)

pytestmark = [pytest.mark.bench, pytest.mark.django_db]

# The pages are opened mid-morning of the seed's "today" (they compare deadlines with it).
PAGE_AT = local(TODAY, dt.time(10))
# The deep page of the unfiltered board (the last page when there are fewer).
DEEP_PAGE = 100
PAGE_SIZE = 50
OPEN = "('" + "', '".join(OPEN_STATUSES) + "')"
OVERDUE_AT = dt.time(0, 45)  # the daily job (CELERY_BEAT_SCHEDULE)

# --- Floors of the pages: the bare SQL each page needs ------------------------------------------

SCOPE = "(b.path = %(scope)s OR b.path LIKE %(scope_below)s)"
REGION = "(b.path = %(region)s OR b.path LIKE %(region_below)s)"
PROBLEMS = """
FROM checklists_problem p
JOIN stations_station s ON s.id = p.station_id
JOIN stations_bureau b ON b.id = s.bureau_id
WHERE {where}
"""
HEADLINE = f"""
SELECT count(*) FILTER (WHERE p.status <> 'draft'), count(*) FILTER (WHERE p.status = 'closed'),
    count(*) FILTER (WHERE p.status IN {OPEN}),
    count(*) FILTER (WHERE p.status IN {OPEN} AND p.deadline < %(today)s),
    count(*) FILTER (WHERE p.status = 'closed' AND p.closed_on <= p.deadline)
{PROBLEMS}"""
# Bureau staff read overdue problems first, then open ones by deadline, closed-out ones last
# (checklists.filters: open ones by deadline, which puts the overdue ones first; in the order
# of the index problem_board_order).
ROWS = f"""
SELECT p.id, p.reference, p.description, p.status, p.deadline, p.created_at, s.name, b.name,
    pb.name, c.name, u.last_name, u.first_name,
    (p.status IN {OPEN} AND p.deadline < %(today)s) AS overdue,
    (SELECT count(*) FROM checklists_task t WHERE t.problem_id = p.id),
    (SELECT count(*) FROM checklists_task t WHERE t.problem_id = p.id AND t.done_on IS NOT NULL)
FROM checklists_problem p
JOIN stations_station s ON s.id = p.station_id
JOIN stations_bureau b ON b.id = s.bureau_id
LEFT JOIN stations_bureau pb ON pb.id = b.parent_id
JOIN checklists_problemcategory c ON c.id = p.category_id
LEFT JOIN liaison_user u ON u.id = p.responsible_id
WHERE {{where}}
ORDER BY CASE WHEN p.status = 'closed' THEN true ELSE false END, p.deadline ASC NULLS LAST,
    p.created_at DESC, p.id DESC
LIMIT {PAGE_SIZE} OFFSET %(offset)s
"""
COUNT = f"SELECT count(*) {PROBLEMS}"
REGION_CHOICES = """
SELECT b.code, b.name FROM stations_bureau b WHERE {where} AND b.tier <> 'province'
ORDER BY b.path
"""
CATEGORIES = 'SELECT id, code, name FROM checklists_problemcategory ORDER BY "order", id'
# The counters page: the headline, one GROUP BY per breakdown (children by the first
# ``depth`` codes of the station's bureau path), the names of the units.
BY_UNIT = f"""
SELECT split_part(b.path, '/', %(depth)s), count(*) FILTER (WHERE p.status <> 'draft'),
    count(*) FILTER (WHERE p.status = 'closed'), count(*) FILTER (WHERE p.status IN {OPEN}),
    count(*) FILTER (WHERE p.status IN {OPEN} AND p.deadline < %(today)s),
    count(*) FILTER (WHERE p.status = 'closed' AND p.closed_on <= p.deadline)
{PROBLEMS} GROUP BY 1
"""
BY_CATEGORY = BY_UNIT.replace("split_part(b.path, '/', %(depth)s)", "p.category_id")
UNITS = "SELECT code, name FROM stations_bureau b WHERE tier = %(tier)s AND {where} ORDER BY code"


def _subtree(name: str, path: str | None) -> dict:
    return {name: path, f"{name}_below": f"{path}/%"}


def _where(scope: str | None, *, region=None, category=None, status=None) -> tuple[str, dict]:
    """The board's conditions: scope, region, category, status (drafts left out without a
    status)."""
    conditions, params = [], {"today": TODAY}
    if scope is not None:
        conditions.append(SCOPE)
        params |= _subtree("scope", scope)
    if region is not None:
        conditions.append(REGION)
        params |= _subtree("region", region)
    if category is not None:
        conditions.append("p.category_id = %(category)s")
        params["category"] = category
    if status is not None:
        conditions.append("p.status = %(status)s")
        params["status"] = status
    else:
        conditions.append("p.status <> 'draft'")
    return " AND ".join(conditions), params


def _board_floor(scope: str | None, page: int, **filters) -> list:
    where, params = _where(scope, **filters)
    regions = SCOPE if scope is not None else "TRUE"
    return [
        (HEADLINE.format(where=where), params),
        (COUNT.format(where=where), params),
        (ROWS.format(where=where), params | {"offset": (page - 1) * PAGE_SIZE}),
        (REGION_CHOICES.format(where=regions), params),
        (CATEGORIES, {}),
    ]


def _counters_floor(scope: str | None, child_tier: str) -> list:
    where, params = _where(scope)
    depth = 1 if scope is None else scope.count("/") + 2
    units = SCOPE if scope is not None else "TRUE"
    params |= {"depth": depth, "tier": child_tier}
    return [
        (HEADLINE.format(where=where), params),
        (BY_UNIT.format(where=where), params),
        (UNITS.format(where=units), params),
        (BY_CATEGORY.format(where=where), params),
        (CATEGORIES, {}),
        (REGION_CHOICES.format(where=units), params),
    ]


# --- Pages --------------------------------------------------------------------------------


def _count(where: str, params: dict) -> int:
    with connection.cursor() as cursor:
        cursor.execute(COUNT.format(where=where), params)
        return cursor.fetchone()[0]


def _board(name, client, bureau: Bureau | None, django_db_blocker) -> None:
    """Page 1 filtered (the largest city, the first category, closed out), page 1 and a
    deep page unfiltered."""
    scope = bureau.path if bureau is not None else None
    board = reverse("checklists:board")
    with django_db_blocker.unblock():
        city = largest_city(bureau or Bureau.objects.get(code="420000"))
        category = ProblemCategory.objects.filter(active=True).order_by("order", "pk").first()
        filtered = {"region": city.path, "category": category.pk, "status": "closed"}
        rows = _count(*_where(scope, **filtered))
        total = _count(*_where(scope))
    deep = max(1, min(DEEP_PAGE, -(-total // PAGE_SIZE)))
    query = f"?region={city.code}&category={category.code}&status=closed"
    measure_page(
        f"board {name}: {city.name} + category + closed, p. 1",
        client,
        board + query,
        _board_floor(scope, 1, **filtered),
        django_db_blocker,
        at=PAGE_AT,
        note=f"{rows} rows",
    )
    for page in (1, deep):
        measure_page(
            f"board {name}: unfiltered, page {page}",
            client,
            board + (f"?page={page}" if page > 1 else ""),
            _board_floor(scope, page),
            django_db_blocker,
            at=PAGE_AT,
            note=f"{total} problems" if page == 1 else "",
        )


def test_board_of_the_largest_province(province_client, django_db_blocker):
    client, province = province_client
    _board(f"({province.name})", client, province, django_db_blocker)


def test_board_of_hubei(hubei_client, django_db_blocker):
    """The same province at both scales: what the rest of the country adds to its board."""
    client, hubei = hubei_client
    _board("(湖北)", client, hubei, django_db_blocker)


def test_board_of_the_whole_country(admin_client, django_db_blocker):
    with django_db_blocker.unblock():
        total = _count(*_where(None))
    measure_page(
        "board (admin, every province), page 1",
        admin_client,
        reverse("checklists:board"),
        _board_floor(None, 1),
        django_db_blocker,
        at=PAGE_AT,
        note=f"{total} problems",
    )


def test_counters_of_the_largest_province(province_client, django_db_blocker):
    client, province = province_client
    measure_page(
        f"counters ({province.name}): cities, categories",
        client,
        reverse("checklists:counters"),
        _counters_floor(province.path, Tier.CITY),
        django_db_blocker,
        at=PAGE_AT,
    )


def test_counters_of_hubei(hubei_client, django_db_blocker):
    client, hubei = hubei_client
    measure_page(
        "counters (湖北): cities, categories",
        client,
        reverse("checklists:counters"),
        _counters_floor(hubei.path, Tier.CITY),
        django_db_blocker,
        at=PAGE_AT,
    )


def test_counters_of_the_whole_country(admin_client, django_db_blocker):
    measure_page(
        "counters (admin): provinces, categories",
        admin_client,
        reverse("checklists:counters"),
        _counters_floor(None, Tier.PROVINCE),
        django_db_blocker,
        at=PAGE_AT,
    )


# --- The overdue job ------------------------------------------------------------------------

_FLIPPED = """
WITH flipped AS ({update}), logged AS (
    INSERT INTO checklists_listevent (kind, problem_id, task_id, day, created_at)
    SELECT '{kind}', problem_id, task_id, %(today)s, %(now)s FROM flipped
    ON CONFLICT DO NOTHING
)
SELECT count(*) FROM flipped
"""
FLAG_TASKS = _FLIPPED.format(
    update=f"""
    UPDATE checklists_task t SET overdue_since = t.due_date + 1
    FROM checklists_problem p
    WHERE p.id = t.problem_id AND p.status IN {OPEN}
      AND t.done_on IS NULL AND t.due_date < %(today)s AND t.overdue_since IS NULL
    RETURNING t.problem_id, t.id AS task_id""",
    kind=ListEvent.Kind.TASK_OVERDUE,
)
FLAG_PROBLEMS = _FLIPPED.format(
    update=f"""
    UPDATE checklists_problem p SET overdue_since = p.deadline + 1
    WHERE p.status IN {OPEN} AND p.deadline < %(today)s AND p.overdue_since IS NULL
    RETURNING p.id AS problem_id, NULL::bigint AS task_id""",
    kind=ListEvent.Kind.PROBLEM_OVERDUE,
)
ESCALATE = _FLIPPED.format(
    update=f"""
    UPDATE checklists_problem p SET escalated_on = %(today)s
    WHERE p.status IN {OPEN} AND p.overdue_since <= %(cutoff)s AND p.escalated_on IS NULL
    RETURNING p.id AS problem_id, NULL::bigint AS task_id""",
    kind=ListEvent.Kind.ESCALATED,
)
# The repair path dates each escalation on the working day it fell due.
ESCALATE_DATED = _FLIPPED.format(
    update=f"""
    UPDATE checklists_problem p SET escalated_on = due.day
    FROM unnest(%(since)s::date[], %(day)s::date[]) AS due(since, day)
    WHERE p.overdue_since = due.since AND due.day <= %(today)s AND p.status IN {OPEN}
      AND p.escalated_on IS NULL
    RETURNING p.id AS problem_id, NULL::bigint AS task_id""",
    kind=ListEvent.Kind.ESCALATED,
)
CLEAR_FLAGS = [
    ("UPDATE checklists_task SET overdue_since = NULL WHERE overdue_since IS NOT NULL", {}),
    (
        "UPDATE checklists_problem SET overdue_since = NULL, escalated_on = NULL "
        "WHERE overdue_since IS NOT NULL OR escalated_on IS NOT NULL",
        {},
    ),
]


def _flag_params(today: dt.date) -> dict:
    working_days = settings.LIAISON_ESCALATE_AFTER_WORKING_DAYS
    return {
        "today": today,
        "now": local(today, OVERDUE_AT),
        "cutoff": escalation_cutoff(today, working_days),
    }


def _dated_params(today: dt.date) -> dict:
    """The (overdue since, escalation day) table of the repair path, as the service builds it."""
    deadlines = sorted(
        Problem.objects.filter(status__in=OPEN_STATUSES, deadline__lt=today)
        .values_list("deadline", flat=True)
        .distinct()
    )
    since = [d + dt.timedelta(days=1) for d in deadlines]
    working_days = settings.LIAISON_ESCALATE_AFTER_WORKING_DAYS
    return {"since": since, "day": [escalation_day(d, working_days) for d in since]}


def _timed_service(call, *, before=()):
    """Seconds of ``call()`` (foreign keys checked before the clock stops), after the untimed
    ``before`` statements, all rolled back; with the query count and what it returned."""
    with transaction.atomic(), connection.cursor() as cursor:
        for statement, params in before:
            cursor.execute(statement, params)
        with counting_queries() as queries:
            start = time.perf_counter()
            result = call()
            cursor.execute(floors.CHECK)
            seconds = time.perf_counter() - start
        transaction.set_rollback(True)
    return seconds, queries[0] - 1, result


def _timed_floor(statements, *, before=()) -> float:
    with transaction.atomic(), connection.cursor() as cursor:
        for statement, params in before:
            cursor.execute(statement, params)
        start = time.perf_counter()
        for statement, params in statements:
            cursor.execute(statement, params)
        cursor.execute(floors.CHECK)
        seconds = time.perf_counter() - start
        transaction.set_rollback(True)
    return seconds


@pytest.fixture(scope="module")
def overdue(seeded, django_db_blocker):
    """The daily job the night after the seed's "today", and the repair path deriving every
    flag again from none; each run and floor rolled back."""
    tomorrow = TODAY + dt.timedelta(days=1)
    figures: dict = {}
    with django_db_blocker.unblock():

        def daily():
            seconds, figures["daily queries"], figures["daily"] = _timed_service(
                lambda: flag_overdue(today=tomorrow, now=local(tomorrow, OVERDUE_AT))
            )
            return seconds

        params = _flag_params(tomorrow)
        daily_floor = [(FLAG_TASKS, params), (FLAG_PROBLEMS, params), (ESCALATE, params)]
        figures["daily seconds"] = median_seconds(daily)
        figures["daily floor"] = median_seconds(lambda: _timed_floor(daily_floor))

        def rebuild():
            seconds, figures["rebuild queries"], figures["rebuild"] = _timed_service(
                lambda: rebuild_overdue(today=TODAY, now=local(TODAY, OVERDUE_AT)),
                before=CLEAR_FLAGS,
            )
            return seconds

        params = _flag_params(TODAY) | _dated_params(TODAY)
        rebuild_floor = [(FLAG_TASKS, params), (FLAG_PROBLEMS, params), (ESCALATE_DATED, params)]
        figures["rebuild seconds"] = median_seconds(rebuild)
        figures["rebuild floor"] = median_seconds(
            lambda: _timed_floor(rebuild_floor, before=CLEAR_FLAGS)
        )
        figures["open"] = Problem.objects.filter(status__in=OPEN_STATUSES).count()
        # The rolled-back runs left dead rows behind: what autovacuum would soon clear.
        vacuum("checklists_problem", "checklists_task", "checklists_listevent")
    return figures


def _flips(report) -> str:
    return (
        f"{report.tasks_overdue} tasks and {report.problems_overdue} problems flagged, "
        f"{report.escalated} escalated, {report.cleared} cleared"
    )


def test_daily_overdue_job_the_night_after(overdue):
    report = overdue["daily"]
    assert report.tasks_overdue + report.problems_overdue > 0
    record(
        f"overdue: daily job, the night after (median of {RUNS})",
        overdue["daily seconds"],
        overdue["daily floor"],
        overdue["daily queries"],
        note=_flips(report),
    )


def test_overdue_rebuild_from_no_flags(overdue):
    report = overdue["rebuild"]
    assert report.problems_overdue > 0
    record(
        f"overdue: rebuild from no flags (median of {RUNS})",
        overdue["rebuild seconds"],
        overdue["rebuild floor"],
        overdue["rebuild queries"],
        note=f"{_flips(report)}; {overdue['open']} open problems",
    )
