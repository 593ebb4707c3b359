"""The benchmark session: seed once at the chosen scale (timed, step by step, each step beside
its SQL floor), then every benchmark module measures against that data; the table of all
figures is printed at the end."""

import time

import pytest
from django.test import Client

from liaison import seeding
from liaison.models import Cadre, User, Visit
from stations.models import Bureau, Station
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
TABLES = (
    "liaison_visit, liaison_periodrecord, liaison_periodevent, liaison_assignment, "
    "liaison_cadre, liaison_user, stations_station, stations_bureau"
)
COLUMNS = ", ".join(f.column for f in Visit._meta.concrete_fields if not f.primary_key)


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


@pytest.fixture(scope="session")
def seeded(request, django_db_setup, django_db_blocker):
    scale = request.config.getoption("--scale")
    with django_db_blocker.unblock():
        timings: dict[str, float] = {}
        start = time.perf_counter()
        counts = seeding.seed(scale=scale, seed=SEED, reset=True, today=TODAY, timings=timings)
        total = time.perf_counter() - start
        vacuum(TABLES)  # what autovacuum does soon after a bulk load
        floor = _seed_floors()
        record(
            f"seed {scale}: total (one run)",
            total,
            note=f"{counts['stations']} stations, {counts['visits']} visits, "
            f"{counts['period_records']} period records",
        )
        record("seed: organisation (bureaus … assignments)", timings["organisation"])
        record("seed: visits (plan + bulk_create)", timings["visits"], floor["visits"])
        record("seed: period records (sweep + event dating)", timings["sweep"], floor["sweep"])
        print(f"\nseed_demo --scale {scale}: {total:.1f} s, {counts}")
    yield scale
    report(
        f"scale {scale}, today {TODAY}; pages: {RUNS} runs each, median; "
        "provincial user: the largest province"
    )


def largest_province() -> Bureau:
    """The province with the most stations: the heaviest pages a provincial user can open."""
    sizes: dict[str, int] = {}
    for path in Station.objects.values_list("bureau__path", flat=True).iterator():
        sizes[path[:6]] = sizes.get(path[:6], 0) + 1
    return Bureau.objects.get(code=max(sizes, key=sizes.get))


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
