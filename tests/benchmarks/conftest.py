"""The benchmark session: seed once at the chosen scale (timed, step by step, each step beside
its SQL floor: the organisation and visits, then the problems; then the practices of
issue 6; then the point ledger, as the nightly recompute writes it), then every benchmark
module measures against that data; the table of all figures is printed at the end."""

import datetime as dt
import time

import pytest
from django.db import connection
from django.db.models import Count
from django.test import Client

from checklists.models import (
    AuditResult,
    ListEvent,
    Opinion,
    Problem,
    Residency,
    ResidencyLog,
    Result,
    StationAudit,
    SupportCover,
    SupportOfficer,
    SupportRequest,
    Task,
)
from checklists.seeding import seed_problems
from checklists.seeding.standards import seed_five_haves
from checklists.seeding.support import seed_support
from liaison import seeding
from liaison.models import (
    Absence,
    Cadre,
    Secondment,
    SecondmentAssessment,
    SpotCheck,
    User,
    Visit,
)
from liaison.secondments.seeding import seed_secondments
from scoring.services.ledger import recompute_points
from stations.drilldown import path_code
from stations.models import Bureau, StaffingReturn, Station
from stations.staffing.seeding import seed_staffing
from tests.benchmarks import floors
from tests.benchmarks.harness import (
    RUNS,
    TODAY,
    local,
    record,
    report,
    timed_and_rolled_back,
    vacuum,
)

SEED = 235
RECOMPUTE_AT = dt.time(0, 50)  # the nightly recompute (CELERY_BEAT_SCHEDULE)
TABLES = (
    "liaison_visit, liaison_periodrecord, liaison_periodevent, liaison_assignment, "
    "liaison_cadre, liaison_user, stations_station, stations_bureau"
)
COLUMNS = ", ".join(f.column for f in Visit._meta.concrete_fields if not f.primary_key)
PROBLEM_TABLES = "checklists_problem, checklists_task, checklists_result, checklists_listevent"
# The related practices of issue 6, seeded by the demo's own functions, in seed_demo's order
# (after the problems: accepted opinions link to seeded problems): name, function, tables.
PRACTICES = (
    ("five-haves audits", seed_five_haves, (StationAudit, AuditResult)),
    (
        "support, opinions, residencies",
        seed_support,
        (
            SupportOfficer,
            SupportOfficer.skills.through,
            SupportRequest,
            SupportRequest.skills.through,
            SupportCover,
            Opinion,
            Residency,
            ResidencyLog,
        ),
    ),
    ("staffing returns", seed_staffing, (StaffingReturn,)),
    ("secondments", seed_secondments, (Secondment, Absence, SpotCheck, SecondmentAssessment)),
)


def _copy(model, **changed) -> tuple[str, dict]:
    """One INSERT … SELECT writing every row of ``model`` again (``changed``: column →
    expression, to keep unique columns unique)."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = [f.column for f in model._meta.concrete_fields if not f.primary_key]
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    select = ", ".join(changed.get(c, connection.ops.quote_name(c)) for c in columns)
    return f"INSERT INTO {table} ({names}) SELECT {select} FROM {table}", {}


def _problems_floor() -> float:
    """The database writing the same problems, tasks, results and overdue events again (one
    INSERT … SELECT each, foreign keys checked), rolled back."""
    seconds = timed_and_rolled_back(
        [
            _copy(Problem, reference="reference || '+'"),
            _copy(Task),
            _copy(Result),
            _copy(ListEvent, day="day + 1"),
            (floors.CHECK, {}),
        ]
    )
    vacuum(PROBLEM_TABLES)
    return seconds


def _seed_floors() -> dict[str, float]:
    """The database writing the same visits again into the same table (one INSERT…SELECT,
    foreign keys checked), and deriving every period record from them in bare SQL (as the
    seed does: from no records)."""
    copy = f"INSERT INTO liaison_visit ({COLUMNS}) SELECT {COLUMNS} FROM liaison_visit"
    copy_visits = [(copy, {}), (floors.CHECK, {})]
    visits = timed_and_rolled_back(copy_visits)
    vacuum("liaison_visit")
    clear, *derive = floors.rebuild_statements(seeding.ASSIGNMENT_START, TODAY, local(TODAY))
    sweep = timed_and_rolled_back(derive, before=[clear])
    vacuum("liaison_periodrecord", "liaison_periodevent", "liaison_assignment")
    return {"visits": visits, "sweep": sweep}


def _seed_practices() -> None:
    """Each practice of issue 6 as seed_demo seeds it, timed as its own "seed: …" row (no
    floor: bulk inserts of a few thousand rows), then VACUUM ANALYZE of its tables."""
    for name, seed_practice, models in PRACTICES:
        started = time.perf_counter()
        counts = seed_practice(seed=SEED, today=TODAY)
        seconds = time.perf_counter() - started
        note = ", ".join(f"{value} {key}" for key, value in counts.items())
        record(f"seed: {name}", seconds, note=note)
        vacuum(*(model._meta.db_table for model in models))


@pytest.fixture(scope="session")
def seeded(request, django_db_setup, django_db_blocker):
    scale = request.config.getoption("--scale")
    with django_db_blocker.unblock():
        timings: dict[str, float] = {}
        start = time.perf_counter()
        counts = seeding.seed(scale=scale, seed=SEED, reset=True, today=TODAY, timings=timings)
        organisation = time.perf_counter()
        problems = seed_problems(scale=scale, seed=SEED, today=TODAY, timings=timings)
        end = time.perf_counter()
        vacuum(TABLES)  # what autovacuum does soon after a bulk load
        vacuum(PROBLEM_TABLES)
        floor = _seed_floors()
        record(
            f"seed {scale}: total (one run)",
            end - start,
            note=f"{counts['stations']} stations, {counts['visits']} visits, "
            f"{counts['period_records']} period records, {problems['problems']} problems",
        )
        record("seed: organisation (bureaus … assignments)", timings["organisation"])
        record("seed: visits (plan + bulk_create)", timings["visits"], floor["visits"])
        record("seed: period records (sweep + dating)", timings["sweep"], floor["sweep"])
        record(
            "seed: problems (plan, people, visits, bulk_create)",
            end - organisation,
            _problems_floor(),
            note=f"{problems['collected']} collected, {problems['solved']} solved, "
            f"{problems['tasks']} tasks, {problems['results']} results; plan "
            f"{timings['problems: plan']:.1f} s, people and visits "
            f"{timings['problems: people and visits']:.1f} s, "
            f"writing {timings['problems: write']:.1f} s",
        )
        _seed_practices()
        # The ledger from every seeded fact, by the service (its floor: test_points.py).
        started = time.perf_counter()
        points = recompute_points(today=TODAY, now=local(TODAY, RECOMPUTE_AT))
        record(
            "seed: points (full recompute, empty ledger)",
            time.perf_counter() - started,
            note=f"{points.added} entries",
        )
        vacuum("scoring_pointentry")
        print(f"\nseed_demo --scale {scale}: {end - start:.1f} s, {counts}, {problems}")
    yield scale
    report(
        f"scale {scale}, today {TODAY}; pages: {RUNS} runs each, median; "
        "provincial user: the largest province"
    )


def _largest_unit(level: str, within: Bureau | None = None) -> Bureau:
    """The ``level`` unit (province or city) with the most stations, optionally within a
    bureau: one GROUP BY on the bureau path's code."""
    stations = Station.objects.all()
    if within is not None:
        stations = stations.filter(bureau__path__startswith=within.path + "/")
    code = (
        stations.annotate(unit=path_code("bureau__path", level))
        .values("unit")
        .annotate(n=Count("pk"))
        .order_by("-n", "unit")
        .values_list("unit", flat=True)
        .first()
    )
    return Bureau.objects.get(code=code)


def largest_province() -> Bureau:
    """The province with the most stations: the heaviest pages a provincial user can open."""
    return _largest_unit("province")


def largest_city(province: Bureau) -> Bureau:
    """The city of ``province`` with the most stations."""
    return _largest_unit("city", province)


@pytest.fixture
def admin_client(seeded, django_db_blocker):
    """An administrator: the whole country's pages."""
    with django_db_blocker.unblock():
        client = Client()
        client.force_login(User.objects.filter(role="admin").order_by("pk").first())
        yield client


@pytest.fixture
def province_client(seeded, django_db_blocker):
    with django_db_blocker.unblock():
        province = largest_province()
        user = User.objects.filter(role="bureau", bureau=province).first()
        client = Client()
        client.force_login(user)
        yield client, province


@pytest.fixture
def hubei_client(seeded, django_db_blocker):
    """The bureau user of 湖北 (seeded at every scale), whatever the largest province is."""
    with django_db_blocker.unblock():
        hubei = Bureau.objects.get(code="420000")
        client = Client()
        client.force_login(User.objects.get(username="province"))
        yield client, hubei


@pytest.fixture
def cadre_client(seeded, django_db_blocker):
    """A county cadre of the largest province with a station and a year of visits."""
    with django_db_blocker.unblock():
        province = largest_province()
        cadre = (
            Cadre.objects.filter(
                tier="county",
                bureau__path__startswith=province.path + "/",
                assignments__end_date__isnull=True,
            )
            .select_related("user")
            .order_by("user__username")
            .first()
        )
        client = Client()
        client.force_login(cadre.user)
        yield client, cadre
