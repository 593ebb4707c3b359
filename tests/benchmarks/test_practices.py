"""Scale benchmarks of the related practices (issue 6, make bench SCALE=hubei|national): the
staffing-ratio roll-up (两个40%), the five-haves roll-up (五有) with a drill-down and a status
filter, the secondment batch (挂职) page 1, its last page, its Excel export and a secondment's
page, the support request list (驻所帮扶) and the opinion list (意见清单) — each beside its
floor measured in the same run (the bare SQL the page needs plus an empty logged-in view),
with its query count.

The data is seeded by the demo's own seeding functions (conftest.py, "seed: …" rows). The
secondments are Wuhan's practice: the demo seeds them for Wuhan (420100) only, at every scale,
so they are measured for 湖北's user; the largest province at national scale (四川) has none.
"""

import datetime as dt
import statistics
import time

import pytest
import time_machine
from django.db import connection
from django.db.models import Count
from django.urls import reverse

from liaison.models import Secondment
from liaison.secondments.seeding import WUHAN, batch_start
from stations.models import Bureau, Station
from tests.benchmarks.conftest import largest_city
from tests.benchmarks.harness import RESULTS, TODAY, local, measure_page

pytestmark = [pytest.mark.bench, pytest.mark.django_db]

# The pages are opened mid-morning of the seed's "today" (they read the local date).
PAGE_AT = local(TODAY, dt.time(10))
PAGE_SIZE = 50
YEAR = batch_start(TODAY).year  # the current secondment batch

SCOPE = "(b.path = %(scope)s OR b.path LIKE %(scope_below)s)"
UNIT = "(b.path = %(unit)s OR b.path LIKE %(unit_below)s)"
# The unit a roll-up shows (its own row, then the breadcrumb from the top of the scope).
UNIT_ROW = "SELECT id, name, code, tier, parent_id, path FROM stations_bureau WHERE path = %(unit)s"
BREADCRUMB = """
SELECT id, name, code, path FROM stations_bureau b
WHERE {SCOPE} AND code = ANY(string_to_array(%(unit)s, '/')) ORDER BY path
""".replace("{SCOPE}", SCOPE)

# --- Staffing ratios: one GROUP BY over the recording bureaus, each with its latest figures on
# or before the day (one index probe per bureau on the (bureau, as_of) unique index).
STAFFING = """
SELECT g.*, k.name FROM (
    SELECT split_part(b.path, '/', %(depth)s) AS key, count(*), count(r.as_of), min(r.as_of),
        max(r.as_of), count(*) FILTER (WHERE 100 * r.station_police - 40 * r.police_total < 0),
        count(*) FILTER (WHERE 100 * r.community_police - 40 * r.station_police < 0
            AND r.station_police > 0),
        coalesce(sum(r.police_total), 0), coalesce(sum(r.station_police), 0),
        coalesce(sum(r.community_police), 0)
    FROM stations_bureau b
    LEFT JOIN LATERAL (
        SELECT as_of, police_total, station_police, community_police
        FROM stations_staffingreturn
        WHERE bureau_id = b.id AND as_of <= %(day)s ORDER BY as_of DESC LIMIT 1
    ) r ON true
    WHERE {UNIT} AND (b.tier = 'county' OR b.directly_administered)
    GROUP BY 1
) g JOIN stations_bureau k ON k.code = g.key
ORDER BY g.key
"""

# --- Five haves: the items, one GROUP BY of the stations under the unit with their latest
# audit (the partial is_latest rows), the children's names, the failures per item.
FIVE_HAVES_ITEMS = """
SELECT i.id, i.code, i.label FROM checklists_checklistitem i
JOIN checklists_checklisttemplate t ON t.id = i.template_id
WHERE t.code = 'five_haves' AND i.active ORDER BY i."order", i.id
"""
FIVE_HAVES_ROWS = """
SELECT split_part(b.path, '/', %(depth)s), count(*), count(a.id),
    count(*) FILTER (WHERE a.unmet_count = 0)
FROM stations_station s
JOIN stations_bureau b ON b.id = s.bureau_id
LEFT JOIN checklists_stationaudit a ON a.station_id = s.id AND a.is_latest
WHERE s.active AND {UNIT} {status}
GROUP BY 1 ORDER BY 1
"""
CHILD_NAMES = "SELECT code, name FROM stations_bureau WHERE parent_id = %(unit_id)s ORDER BY code"
FIVE_HAVES_FAILURES = """
SELECT r.item_id, count(*) FROM checklists_auditresult r
JOIN checklists_stationaudit a ON a.id = r.audit_id AND a.is_latest
JOIN stations_station s ON s.id = a.station_id
JOIN stations_bureau b ON b.id = s.bureau_id
WHERE NOT r.met AND s.active AND {UNIT} {status}
GROUP BY 1
"""
STATUS = {"": "", "unmet": "AND a.unmet_count > 0", "met": "AND a.unmet_count = 0"}

# --- Secondments: the years in scope, the batch's counts (also the pager's count), one page.
SECONDMENTS = f"""
FROM liaison_secondment sec
JOIN stations_station s ON s.id = sec.station_id
JOIN stations_bureau b ON b.id = s.bureau_id
WHERE {SCOPE}
"""
SECONDMENT_YEARS = f"SELECT sec.year, min(sec.start_date) {SECONDMENTS} GROUP BY 1"
SECONDMENT_COUNTS = f"""
SELECT count(*), count(DISTINCT sec.station_id),
    count(*) FILTER (WHERE sec.extends_id IS NOT NULL OR EXISTS (
        SELECT 1 FROM liaison_secondment x WHERE x.extends_id = sec.id)),
    count(*) FILTER (WHERE sec.absent_days BETWEEN 10 AND 12),
    count(*) FILTER (WHERE sec.absent_days BETWEEN 13 AND 15),
    count(*) FILTER (WHERE sec.absent_days >= 16),
    (SELECT count(*) FROM liaison_secondmentassessment sa
     JOIN liaison_secondment y ON y.id = sa.secondment_id
     JOIN stations_station ys ON ys.id = y.station_id
     JOIN stations_bureau yb ON yb.id = ys.bureau_id
     WHERE y.year = %(year)s AND (yb.path = %(scope)s OR yb.path LIKE %(scope_below)s))
{SECONDMENTS} AND sec.year = %(year)s
"""
SECONDMENT_ROWS = """
SELECT sec.id, sec.officer_name, sec.police_number, sec.start_date, sec.end_date,
    sec.absent_days, sec.extends_id, home.name, s.name, s.code, b.name, x.id, sa.grade
FROM liaison_secondment sec
JOIN stations_station s ON s.id = sec.station_id
JOIN stations_bureau b ON b.id = s.bureau_id
JOIN stations_bureau home ON home.id = sec.home_bureau_id
LEFT JOIN liaison_secondment x ON x.extends_id = sec.id
LEFT JOIN liaison_secondmentassessment sa ON sa.secondment_id = sec.id
WHERE {SCOPE} AND sec.year = %(year)s
ORDER BY b.path, s.code, sec.id {limit}
""".replace("{SCOPE}", SCOPE)
SECONDMENT = """
SELECT sec.*, home.name, s.name, s.code, b.name, b.path, e.id, e.year, x.id, x.year,
    sa.grade, sa.comments, sa.assessed_at, u.last_name, u.first_name
FROM liaison_secondment sec
JOIN stations_station s ON s.id = sec.station_id
JOIN stations_bureau b ON b.id = s.bureau_id
JOIN stations_bureau home ON home.id = sec.home_bureau_id
LEFT JOIN liaison_secondment e ON e.id = sec.extends_id
LEFT JOIN liaison_secondment x ON x.extends_id = sec.id
LEFT JOIN liaison_secondmentassessment sa ON sa.secondment_id = sec.id
LEFT JOIN liaison_user u ON u.id = sa.assessed_by_id
WHERE {SCOPE} AND sec.id = %(pk)s
""".replace("{SCOPE}", SCOPE)
OFFICER_RECORD = f"""
SELECT sec.id, sec.year, sec.start_date, sec.end_date, sec.absent_days, s.name, sa.grade
FROM liaison_secondment sec
JOIN stations_station s ON s.id = sec.station_id
JOIN stations_bureau b ON b.id = s.bureau_id
LEFT JOIN liaison_secondmentassessment sa ON sa.secondment_id = sec.id
WHERE {SCOPE} AND sec.police_number = %(number)s AND sec.id <> %(pk)s ORDER BY sec.year DESC
"""
ABSENCES = """
SELECT a.id, a.start_date, a.end_date, a.kind, a.note, a.working_days, a.recorded_at,
    sum(a.working_days) OVER (ORDER BY a.start_date, a.id), u.last_name, u.first_name
FROM liaison_absence a LEFT JOIN liaison_user u ON u.id = a.recorded_by_id
WHERE a.secondment_id = %(pk)s ORDER BY a.start_date, a.id
"""
SPOT_CHECKS = """
SELECT c.id, c.checked_on, c.present, c.findings, u.last_name, u.first_name
FROM liaison_spotcheck c LEFT JOIN liaison_user u ON u.id = c.checked_by_id
WHERE c.secondment_id = %(pk)s ORDER BY c.checked_on DESC, c.id DESC
"""

# --- Support requests and opinions: the pager's count and one page, newest first.
SUPPORT_COUNT = f"""
SELECT count(*) FROM checklists_supportrequest r
JOIN stations_station s ON s.id = r.station_id JOIN stations_bureau b ON b.id = s.bureau_id
WHERE {SCOPE}
"""
SUPPORT_ROWS = f"""
SELECT r.id, r.kind, r.start_date, r.end_date, r.officers_needed, r.status, s.name, b.name,
    u.last_name, u.first_name,
    (SELECT count(*) FROM checklists_supportcover c WHERE c.request_id = r.id)
FROM checklists_supportrequest r
JOIN stations_station s ON s.id = r.station_id
JOIN stations_bureau b ON b.id = s.bureau_id
JOIN liaison_user u ON u.id = r.requested_by_id
WHERE {SCOPE}
ORDER BY r.start_date DESC, r.id DESC LIMIT {PAGE_SIZE}
"""
OPINION_COUNT = SUPPORT_COUNT.replace("checklists_supportrequest", "checklists_opinion")
OPINION_ROWS = f"""
SELECT o.id, o.text, o.anonymous, o.submitted_at, o.status, s.name, b.name, c.name,
    u.last_name, u.first_name, p.reference
FROM checklists_opinion o
JOIN stations_station s ON s.id = o.station_id
JOIN stations_bureau b ON b.id = s.bureau_id
JOIN checklists_problemcategory c ON c.id = o.category_id
LEFT JOIN liaison_user u ON u.id = o.submitted_by_id
LEFT JOIN checklists_problem p ON p.id = o.problem_id
WHERE {SCOPE}
ORDER BY o.submitted_at DESC, o.id DESC LIMIT {PAGE_SIZE}
"""


def _subtree(name: str, path: str) -> dict:
    return {name: path, f"{name}_below": f"{path}/%"}


def _page_sql_ms(client, path, django_db_blocker) -> float:
    """The time the page's own queries spend in the database (median of 5 requests): what of
    the page's time is SQL, the rest being Python (view, forms, template, middleware)."""
    spent = [0.0]

    def timer(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent[0] += time.perf_counter() - start

    samples = []
    with django_db_blocker.unblock(), time_machine.travel(PAGE_AT, tick=True):
        client.get(path)  # warm-up
        with connection.execute_wrapper(timer):
            for _ in range(5):
                spent[0] = 0.0
                assert client.get(path).status_code == 200, path
                samples.append(spent[0])
    return statistics.median(samples) * 1000


def _measure(name, client, path, floor, django_db_blocker, *, at, note) -> None:
    """measure_page, with the page's own SQL time added to the note."""
    sql_ms = _page_sql_ms(client, path, django_db_blocker)
    note = f"{note}; page SQL {sql_ms:.1f} ms"
    measure_page(name, client, path, floor, django_db_blocker, at=at, note=note)


def _queries_of_last() -> int:
    return RESULTS[-1].queries


def _rollup_params(scope: Bureau, unit: Bureau) -> dict:
    return {
        **_subtree("scope", scope.path),
        **_subtree("unit", unit.path),
        "unit_id": unit.pk,
        "depth": unit.path.count("/") + 2,
        "day": TODAY,
    }


# --- Staffing ratios -------------------------------------------------------------------------


def _staffing_floor(scope: Bureau | None, unit: Bureau | None) -> list:
    if unit is None:  # an administrator: every province, no unit, no breadcrumb
        params = {"depth": 1, "day": TODAY}
        return [(STAFFING.replace("{UNIT}", "TRUE"), params)]
    params = _rollup_params(scope, unit)
    table = STAFFING.replace("{UNIT}", UNIT)
    return [(UNIT_ROW, params), (table, params), (BREADCRUMB, params)]


def _staffing(name, client, scope: Bureau, django_db_blocker, *, drill=False) -> None:
    with django_db_blocker.unblock():
        unit = largest_city(scope) if drill else scope
        bureaus = Bureau.objects.holding_stations().filter(path__startswith=unit.path + "/").count()
    query = f"?unit={unit.code}" if drill else ""
    _measure(
        f"staffing {name}{': ' + unit.name if drill else ''}",
        client,
        reverse("stations:staffing") + query,
        _staffing_floor(scope, unit),
        django_db_blocker,
        at=PAGE_AT,
        note=f"{bureaus} recording bureaus",
    )


def test_staffing_rollup(province_client, hubei_client, django_db_blocker):
    client, province = province_client
    _staffing("(largest)", client, province, django_db_blocker)
    top = _queries_of_last()
    _staffing("(largest)", client, province, django_db_blocker, drill=True)
    assert _queries_of_last() == top  # as many queries for cities as for counties
    client, hubei = hubei_client
    _staffing("(湖北)", client, hubei, django_db_blocker)


def test_staffing_rollup_for_the_whole_country(admin_client, django_db_blocker):
    client = admin_client
    with django_db_blocker.unblock():
        bureaus = Bureau.objects.holding_stations().count()
    _measure(
        "staffing (admin, every province)",
        client,
        reverse("stations:staffing"),
        _staffing_floor(None, None),
        django_db_blocker,
        at=PAGE_AT,
        note=f"{bureaus} recording bureaus",
    )
    assert _queries_of_last() <= 6


# --- Five haves ------------------------------------------------------------------------------


def _five_haves_floor(scope: Bureau, unit: Bureau, status: str) -> list:
    params = _rollup_params(scope, unit)
    fill = {"{UNIT}": UNIT, "{status}": STATUS[status]}
    rows, failures = FIVE_HAVES_ROWS, FIVE_HAVES_FAILURES
    for old, new in fill.items():
        rows, failures = rows.replace(old, new), failures.replace(old, new)
    return [
        (UNIT_ROW, params),
        (FIVE_HAVES_ITEMS, {}),
        (rows, params),
        (CHILD_NAMES, params),
        (failures, params),
        (BREADCRUMB, params),
    ]


def _five_haves(name, client, scope: Bureau, django_db_blocker, *, drill=False, status=""):
    with django_db_blocker.unblock():
        unit = largest_city(scope) if drill else scope
        stations = Station.objects.active().filter(bureau__path__startswith=unit.path + "/")
        if status:
            stations = stations.filter(
                five_haves_audits__is_latest=True, five_haves_audits__unmet_count__gt=0
            )
        count = stations.count()
    parts = (f"unit={unit.code}" if drill else "", f"status={status}" if status else "")
    query = "&".join(part for part in parts if part)
    _measure(
        f"five haves {name}{': ' + unit.name if drill else ''}{', ' + status if status else ''}",
        client,
        reverse("checklists:five-haves") + (f"?{query}" if query else ""),
        _five_haves_floor(scope, unit, status),
        django_db_blocker,
        at=PAGE_AT,
        note=f"{count} stations",
    )


def test_five_haves_rollup(province_client, hubei_client, django_db_blocker):
    client, province = province_client
    _five_haves("(largest)", client, province, django_db_blocker)
    top = _queries_of_last()
    _five_haves("(largest)", client, province, django_db_blocker, status="unmet")
    assert _queries_of_last() == top
    _five_haves("(largest)", client, province, django_db_blocker, drill=True)
    assert _queries_of_last() == top
    _five_haves("(largest)", client, province, django_db_blocker, drill=True, status="unmet")
    assert _queries_of_last() == top
    client, hubei = hubei_client
    _five_haves("(湖北)", client, hubei, django_db_blocker)


# --- Secondments -----------------------------------------------------------------------------


def test_secondment_batch_pages_and_export(hubei_client, django_db_blocker):
    client, hubei = hubei_client
    params = {**_subtree("scope", hubei.path), "year": YEAR}
    with django_db_blocker.unblock():
        total = Secondment.objects.filter(
            station__bureau__path__startswith=hubei.path + "/", year=YEAR
        ).count()
        wuhan = Bureau.objects.get(code=WUHAN)
    assert total, "the demo seeds Wuhan's secondments at every scale"
    last = -(-total // PAGE_SIZE)
    batch = reverse("liaison:secondments")
    for page in sorted({1, last}):
        limit = f"LIMIT {PAGE_SIZE} OFFSET {(page - 1) * PAGE_SIZE}"
        _measure(
            f"secondments (湖北), page {page}",
            client,
            batch + (f"?page={page}" if page > 1 else ""),
            [
                (SECONDMENT_YEARS, params),
                (SECONDMENT_COUNTS, params),
                (SECONDMENT_ROWS.replace("{limit}", limit), params),
            ],
            django_db_blocker,
            at=PAGE_AT,
            note=f"{total} secondees of {YEAR} ({wuhan.name})",
        )
        if page == 1:
            first = _queries_of_last()
    assert _queries_of_last() == first
    _measure(
        "secondments (湖北): Excel export",
        client,
        reverse("liaison:secondments-export"),
        [(SECONDMENT_YEARS, params), (SECONDMENT_ROWS.replace("{limit}", ""), params)],
        django_db_blocker,
        at=PAGE_AT,
        note=f"{total} rows",
    )


def test_secondment_detail(hubei_client, django_db_blocker):
    """The current secondment with the most absences (its record, absences, spot checks)."""
    client, hubei = hubei_client
    with django_db_blocker.unblock():
        secondment = (
            Secondment.objects.filter(year=YEAR)
            .annotate(n=Count("absences"))
            .order_by("-n", "pk")
            .first()
        )
        absences, checks = secondment.n, secondment.spot_checks.count()
    params = {
        **_subtree("scope", hubei.path),
        "pk": secondment.pk,
        "number": secondment.police_number,
    }
    _measure(
        "secondment page (most absences)",
        client,
        reverse("liaison:secondment-detail", args=[secondment.pk]),
        [
            (SECONDMENT, params),
            (OFFICER_RECORD, params),
            (ABSENCES, params),
            (SPOT_CHECKS, params),
        ],
        django_db_blocker,
        at=PAGE_AT,
        note=f"{absences} absences, {checks} spot checks",
    )


# --- Support requests and opinions -----------------------------------------------------------


def _list(name, client, scope: Bureau, count_sql, rows_sql, url, django_db_blocker) -> None:
    params = _subtree("scope", scope.path)
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(count_sql, params)
        rows = cursor.fetchone()[0]
    _measure(
        name,
        client,
        url,
        [(count_sql, params), (rows_sql, params)],
        django_db_blocker,
        at=PAGE_AT,
        note=f"{rows} rows",
    )


def test_support_and_opinion_lists(province_client, hubei_client, django_db_blocker):
    for who, (client, scope) in (("largest", province_client), ("湖北", hubei_client)):
        _list(
            f"support requests ({who}), page 1",
            client,
            scope,
            SUPPORT_COUNT,
            SUPPORT_ROWS,
            reverse("checklists:support-list"),
            django_db_blocker,
        )
        _list(
            f"opinions ({who}), page 1",
            client,
            scope,
            OPINION_COUNT,
            OPINION_ROWS,
            reverse("checklists:opinion-list"),
            django_db_blocker,
        )
