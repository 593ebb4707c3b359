"""Measuring for the scale benchmarks: medians, SQL floors, and the table printed at the end.

Every figure is printed beside its floor measured in the same run — the bare SQL of the same
work (plus, for pages, a logged-in request to an empty Django view) — as a ratio, with the
number of queries where it means something.
"""

import contextlib
import datetime as dt
import statistics
import time
from dataclasses import dataclass

import time_machine
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

RUNS = 7
# The seed's "today" for every benchmark: a Sunday, so county weeks end on it and the
# incremental sweep the day after records one whole week.
TODAY = dt.date(2026, 11, 22)


@dataclass
class Result:
    name: str
    seconds: float | None
    floor: float | None = None
    queries: int | None = None
    note: str = ""


RESULTS: list[Result] = []


def record(name, seconds, floor=None, queries=None, note="") -> None:
    RESULTS.append(Result(name, seconds, floor, queries, note))


def skipped(name: str, reason: str) -> None:
    RESULTS.append(Result(name, None, note=f"skipped: {reason}"))


def median(fn, runs=RUNS, between=None) -> float:
    """The median of ``runs`` timed calls after one warm-up; ``between`` runs untimed before
    each call (to restore the state a call changed)."""
    if between:
        between()
    fn()  # warm-up
    samples = []
    for _ in range(runs):
        if between:
            between()
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


@contextlib.contextmanager
def counting_queries():
    """Counts every query sent while inside (a list of one int): unlike the debug query log,
    it has no upper limit."""
    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        yield count


def median_seconds(measure, runs=RUNS, between=None) -> float:
    """Like ``median`` for a ``measure`` that times itself and returns the seconds."""
    if between:
        between()
    measure()  # warm-up
    samples = []
    for _ in range(runs):
        if between:
            between()
        samples.append(measure())
    return statistics.median(samples)


def timed_and_rolled_back(statements, *, before=()) -> float:
    """Seconds to run ``statements`` (end them with ``SET CONSTRAINTS ALL IMMEDIATE`` to
    count the deferred foreign-key checks), after the untimed ``before``; then undo all."""
    with transaction.atomic(), connection.cursor() as cursor:
        for statement, params in before:
            cursor.execute(statement, params)
        start = time.perf_counter()
        for statement, params in statements:
            cursor.execute(statement, params)
        seconds = time.perf_counter() - start
        transaction.set_rollback(True)
    return seconds


def sql(*statements):
    """A callable running (sql, params) pairs and fetching whatever they return."""

    def run():
        with connection.cursor() as cursor:
            for statement, params in statements:
                cursor.execute(statement, params)
                if cursor.description:
                    cursor.fetchall()

    return run


def local(day: dt.date, at: dt.time = dt.time()) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, at))


def url(name: str, query: str = "") -> str | None:
    """The path of a named URL, or None while the page does not exist yet."""
    try:
        return reverse(name) + query
    except NoReverseMatch:
        return None


def _page(client, path):
    def run():
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)

    return run


def measure_page(name, client, path, floor_statements, django_db_blocker, at=None, note="") -> None:
    """A page's server time and query count beside the SQL it needs plus an empty view;
    with the clock at ``at`` when given (the pages read the local date)."""
    clock = time_machine.travel(at, tick=True) if at else contextlib.nullcontext()
    with (
        django_db_blocker.unblock(),
        override_settings(ROOT_URLCONF="tests.benchmarks.empty_urls"),
        clock,
    ):
        with CaptureQueriesContext(connection) as ctx:
            _page(client, path)()
        queries = len(ctx.captured_queries)  # request_started resets the log: count now
        page = median(_page(client, path))
        empty = median(_page(client, "/empty/"))
        floor = median(sql(*floor_statements))
    record(name, page, floor + empty, queries, note)


def vacuum(*tables: str) -> None:
    """VACUUM ANALYZE (autocommit only): what autovacuum would soon do after a bulk load."""
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {', '.join(tables)}")


def report(header: str) -> None:
    print(f"\n{header}")
    title = f"{'measure':<52} {'ms':>10} {'floor ms':>10} {'ratio':>6} {'queries':>8}"
    print(f"\n{title}")
    for r in RESULTS:
        if r.seconds is None:
            print(f"{r.name:<52} {r.note}")
            continue
        floor = f"{r.floor * 1000:>10.1f}" if r.floor else f"{'':>10}"
        ratio = f"{r.seconds / r.floor:>6.2f}" if r.floor else f"{'':>6}"
        queries = f"{r.queries:>8}" if r.queries is not None else f"{'':>8}"
        note = f"  {r.note}" if r.note else ""
        print(f"{r.name:<52} {r.seconds * 1000:>10.1f} {floor} {ratio} {queries}{note}")
