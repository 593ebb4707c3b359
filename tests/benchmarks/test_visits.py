"""Scale benchmarks of visits (issue 3, make bench SCALE=hubei|national): the compliance
table at province level and the cadre's home page, then the missed-period sweep — the full
rebuild and the incremental daily run — each beside its floor measured in the same run.

The seeding (timed, with its floors) is the session fixture in conftest.py. The pages are
measured first: the sweep benchmarks commit rebuilt period records.
"""

import datetime as dt
import time

import pytest
from django.db import connection, transaction

from liaison.models import Assignment, PeriodRecord
from liaison.periods import period_containing
from liaison.seeding import ASSIGNMENT_START
from liaison.services.sweep import flag_missed_periods, rebuild_period_records
from tests.benchmarks import floors
from tests.benchmarks.harness import (
    RUNS,
    TODAY,
    counting_queries,
    local,
    measure_page,
    median_seconds,
    record,
    skipped,
    timed_and_rolled_back,
    url,
    vacuum,
)

pytestmark = [pytest.mark.bench, pytest.mark.django_db]

SWEEP_AT = dt.time(0, 30)
# The pages are opened mid-morning of the seed's "today".
PAGE_AT = local(TODAY, dt.time(10))
# A full rebuild at national scale takes a minute or more: fewer runs there.
REBUILD_RUNS = {"national": 3}
RECORD_TABLES = ("liaison_periodrecord", "liaison_periodevent", "liaison_assignment")

RECORDS_IN_SUBTREE = """
FROM liaison_periodrecord r
JOIN liaison_assignment a ON a.id = r.assignment_id
JOIN stations_station s ON s.id = a.station_id
JOIN stations_bureau b ON b.id = s.bureau_id
WHERE r.period_end >= %s AND r.period_end <= %s AND (b.path = %s OR b.path LIKE %s)
"""
TABLE = f"""
SELECT substring(b.path from 8 for 6), count(*),
    count(*) FILTER (WHERE r.status = 'met'), count(*) FILTER (WHERE r.met_on_time),
    count(*) FILTER (WHERE r.status = 'missed')
{RECORDS_IN_SUBTREE} GROUP BY 1
"""
TREND = f"""
SELECT date_trunc('month', r.period_end), r.tier, count(*),
    count(*) FILTER (WHERE r.status = 'met')
{RECORDS_IN_SUBTREE} GROUP BY 1, 2
"""
CHILDREN = "SELECT code, name FROM stations_bureau WHERE parent_id = %s"

CADRE_ASSIGNMENT = """
SELECT a.id, a.start_date, c.tier, s.name, b.name FROM liaison_assignment a
JOIN liaison_cadre c ON c.id = a.cadre_id
JOIN stations_station s ON s.id = a.station_id
JOIN stations_bureau b ON b.id = s.bureau_id
WHERE c.user_id = %s AND a.end_date IS NULL
"""
CURRENT_PERIOD = """
SELECT count(*), count(*) FILTER (WHERE unannounced) FROM liaison_visit
WHERE assignment_id = %s AND visited_on >= %s AND visited_on <= %s
"""
LAST_VISITS = """
SELECT v.id, v.visited_at, v.unannounced, s.name FROM liaison_visit v
JOIN stations_station s ON s.id = v.station_id
WHERE v.cadre_id = %s ORDER BY v.visited_at DESC, v.id DESC LIMIT 5
"""


def _twelve_months_back(day: dt.date) -> dt.date:
    """The compliance page's default range starts on the first day of the month eleven
    months back; the benchmark asks for the same range explicitly."""
    month = day.month - 11
    return dt.date(day.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def _missing(name: str, url_name: str) -> None:
    reason = f"URL name {url_name!r} does not resolve yet (the page is not built)"
    skipped(name, reason)
    pytest.skip(reason)


def _compliance(name, client, bureau, django_db_blocker):
    start = _twelve_months_back(TODAY)
    path = url("liaison:compliance", f"?from={start}&to={TODAY}")
    if path is None:
        _missing(name, "liaison:compliance")
    subtree = (start, TODAY, bureau.path, bureau.path + "/%")
    floor = [(TABLE, subtree), (TREND, subtree), (CHILDREN, (bureau.pk,))]
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) {RECORDS_IN_SUBTREE}", subtree)
        records = cursor.fetchone()[0]
    note = f"{bureau.name}: {records} period records in range"
    measure_page(name, client, path, floor, django_db_blocker, at=PAGE_AT, note=note)


def test_compliance_table_at_province_level(province_client, django_db_blocker):
    client, province = province_client
    _compliance("compliance table (largest province)", client, province, django_db_blocker)


def test_compliance_table_for_hubei(hubei_client, django_db_blocker):
    """The same province at both scales: what the rest of the country adds to its page."""
    client, hubei = hubei_client
    _compliance("compliance table (Hubei)", client, hubei, django_db_blocker)


def test_cadre_home(cadre_client, django_db_blocker):
    client, cadre = cadre_client
    name = "cadre home (county cadre)"
    path = url("home")
    if path is None:
        _missing(name, "home")
    with django_db_blocker.unblock():
        assignment = Assignment.objects.active().get(cadre=cadre)
    week = period_containing("county", TODAY)
    floor = [
        (CADRE_ASSIGNMENT, (cadre.user_id,)),
        (CURRENT_PERIOD, (assignment.pk, *week)),
        (LAST_VISITS, (cadre.pk,)),
    ]
    measure_page(name, client, path, floor, django_db_blocker, at=PAGE_AT)


@pytest.fixture(scope="module")
def sweep(seeded, django_db_blocker):
    """Every sweep figure, measured outside the tests' transactions: a rebuild commits (and
    VACUUM, between runs, needs autocommit); the incremental run and the floors are rolled
    back, so each run starts from the same state."""
    runs = REBUILD_RUNS.get(seeded, RUNS)
    tomorrow = TODAY + dt.timedelta(days=1)
    figures = {}
    with django_db_blocker.unblock():

        def between():
            vacuum(*RECORD_TABLES)

        def rebuild():
            with counting_queries() as queries:
                start = time.perf_counter()
                result = rebuild_period_records(today=TODAY, now=local(TODAY, SWEEP_AT))
                seconds = time.perf_counter() - start  # the commit checks the foreign keys
            figures["rebuilt"], figures["rebuild queries"] = result.recorded, queries[0]
            return seconds

        rebuild_floor = floors.rebuild_statements(ASSIGNMENT_START, TODAY, local(TODAY, SWEEP_AT))
        figures["rebuild"] = median_seconds(rebuild, runs, between)
        figures["rebuild floor"] = median_seconds(
            lambda: timed_and_rolled_back(rebuild_floor), runs, between
        )
        between()

        def incremental():
            with transaction.atomic():
                start = time.perf_counter()
                with counting_queries() as queries:
                    result = flag_missed_periods(today=tomorrow, now=local(tomorrow, SWEEP_AT))
                with connection.cursor() as cursor:
                    cursor.execute(floors.CHECK)  # what the commit would check
                seconds = time.perf_counter() - start
                transaction.set_rollback(True)
            figures["incremental recorded"] = result.recorded
            figures["incremental queries"] = queries[0]
            return seconds

        incremental_floor = floors.incremental_statements(
            TODAY, tomorrow, local(tomorrow, SWEEP_AT)
        )
        figures["incremental"] = median_seconds(incremental, RUNS, between)
        figures["incremental floor"] = median_seconds(
            lambda: timed_and_rolled_back(incremental_floor), RUNS, between
        )
        figures["records"] = PeriodRecord.objects.count()
        figures["runs"] = runs
    return figures


def test_full_rebuild_of_period_records(sweep):
    assert sweep["rebuilt"] == sweep["records"] > 0
    record(
        f"sweep: full rebuild (median of {sweep['runs']})",
        sweep["rebuild"],
        sweep["rebuild floor"],
        sweep["rebuild queries"],
        note=f"{sweep['records']} records",
    )


def test_incremental_sweep_of_the_next_day(sweep):
    assert sweep["incremental recorded"] > 0
    record(
        "sweep: incremental, the day after",
        sweep["incremental"],
        sweep["incremental floor"],
        sweep["incremental queries"],
        note=f"{sweep['incremental recorded']} records",
    )
