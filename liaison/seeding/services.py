"""Writing the plan to the database with a few bulk inserts per model, never a query per row;
a year of visits and the period records the sweep derives from them; clearing it again; and
listing the demo accounts."""

import datetime as dt
import time
from collections.abc import Callable, Iterable

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Count, Min, OuterRef, Q, Subquery
from django.utils import timezone

from liaison.models import (
    Assignment,
    Cadre,
    PeriodEvent,
    PeriodRecord,
    PeriodStatus,
    Role,
    User,
    Visit,
    VisitPhoto,
)
from liaison.models.visits import ATTESTATIONS
from liaison.seeding.plan import DEMO_USERNAMES, Plan, build_plan
from liaison.seeding.visits import plan_visits
from liaison.services.sweep import flag_missed_periods
from stations.models import Bureau, Station, Tier

DEMO_PASSWORD = "demo235"  # every seeded account; demo data only, printed by demo_accounts
ASSIGNMENT_START = dt.date(2026, 1, 1)
BATCH_SIZE = 5000


def database_is_empty() -> bool:
    return not Bureau.objects.exists()


def _is_history(model) -> bool:
    return hasattr(model, "instance_type")  # simple_history's historical models


def _pointing_at(models: Iterable) -> list:
    """Every other model whose rows refer to rows of ``models`` through a database foreign key,
    directly or through one another; those pointing at the others come first. Found through
    the app registry (problems, tasks… of the apps above liaison, which it must not import).
    Users are left to the ORM's delete."""
    targets, found = set(models), []
    while True:
        more = [
            model
            for model in apps.get_models(include_auto_created=True)
            if model not in targets
            and model is not User
            and model._meta.managed
            and not model._meta.proxy
            and not _is_history(model)
            and any(
                field.remote_field.model in targets
                for field in model._meta.concrete_fields
                if field.is_relation and field.db_constraint
            )
        ]
        if not more:
            return found
        targets.update(more)
        found = more + found


def _delete_all(cursor, models: Iterable) -> None:
    for model in models:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


@transaction.atomic
def clear_seeded_data() -> None:
    """Delete what ``seed`` writes, everything that refers to it (visits, period records,
    and the rows of other apps pointing at stations, cadres or visits), and their history.

    Plain ``DELETE``s: the ORM's delete would load every row and write one history row per
    object (minutes at national scale). Users attached to a unit (and ``admin``) go through
    the ORM, which refuses, and rolls back, when other records still protect them.
    """
    seeded = (PeriodEvent, PeriodRecord, VisitPhoto, Visit, Assignment, Cadre)
    dependents = _pointing_at((*seeded, Station, Bureau))
    cleared = {*dependents, *seeded, Station, Bureau}
    history = [m for m in apps.get_models() if _is_history(m) and m.instance_type in cleared]
    with connection.cursor() as cursor:
        _delete_all(cursor, (*dependents, *seeded, *history))
        User.objects.filter(
            Q(bureau__isnull=False) | Q(station__isnull=False) | Q(username="admin")
        ).delete()
        _delete_all(cursor, (Station, Bureau))


def step_timer(timings: dict[str, float] | None) -> Callable[[str], None]:
    """A ``step(name)`` that records into ``timings`` (when given) the seconds since the
    previous step, or since this call for the first one."""
    timings = {} if timings is None else timings
    clock = time.perf_counter()

    def step(name: str) -> None:
        nonlocal clock
        timings[name] = time.perf_counter() - clock
        clock = time.perf_counter()

    return step


@transaction.atomic
def seed(
    *,
    scale: str,
    seed: int,
    reset: bool = False,
    start: dt.date = ASSIGNMENT_START,
    today: dt.date | None = None,
    timings: dict[str, float] | None = None,
) -> dict[str, int]:
    """Write the plan for ``scale`` and ``seed`` (after deleting the old data when ``reset``);
    assignments start on ``start``; visits run until the day before ``today`` (default: the
    local date), and the period records are those of the daily sweep at 00:30 today.
    Returns what was written, counted; ``timings``, when given, receives each step's seconds."""
    today = today or timezone.localdate()
    step = step_timer(timings)
    plan = build_plan(scale=scale, seed=seed)
    step("plan")
    if reset:
        clear_seeded_data()
        step("clear")
    write_plan(plan, start=start)
    step("organisation")
    visits = write_visits(plan, seed=seed, start=start, today=today)
    step("visits")
    periods = record_periods(today=today)
    step("sweep")
    return {**plan.counts(), "visits": visits, **periods}


def write_plan(plan: Plan, *, start: dt.date) -> None:
    bureau_ids: dict[str, int] = {}
    for tier in (Tier.PROVINCE, Tier.CITY, Tier.COUNTY):
        rows = [
            Bureau(
                name=b.name,
                code=b.code,
                tier=b.tier,
                parent_id=bureau_ids.get(b.parent),
                directly_administered=b.directly_administered,
                path=b.path,
            )
            for b in plan.bureaus
            if b.tier == tier
        ]
        Bureau.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        bureau_ids = dict(Bureau.objects.values_list("code", "id"))
    Station.objects.bulk_create(
        (
            Station(
                name=s.name,
                code=s.code,
                bureau_id=bureau_ids[s.bureau],
                address=s.address,
                longitude=s.longitude,
                latitude=s.latitude,
            )
            for s in plan.stations
        ),
        batch_size=BATCH_SIZE,
    )
    station_ids = dict(Station.objects.values_list("code", "id"))
    password = make_password(DEMO_PASSWORD)  # hashing is slow: once, shared by every account
    taken = set(User.objects.filter(username="admin").values_list("username", flat=True))
    User.objects.bulk_create(
        (
            User(
                username=u.username,
                password=password,
                last_name=u.last_name,
                first_name=u.first_name,
                role=u.role,
                phone=u.phone,
                bureau_id=bureau_ids.get(u.bureau),
                station_id=station_ids.get(u.station),
                is_staff=u.role == Role.ADMIN,
                is_superuser=u.role == Role.ADMIN,
            )
            for u in plan.users
            if u.username not in taken
        ),
        batch_size=BATCH_SIZE,
    )
    user_ids = dict(User.objects.filter(role=Role.CADRE).values_list("username", "id"))
    Cadre.objects.bulk_create(
        (
            Cadre(
                user_id=user_ids[c.user.username],
                bureau_id=bureau_ids[c.bureau],
                tier=c.tier,
                position=c.position,
                phone=c.user.phone,
            )
            for c in plan.cadres
        ),
        batch_size=BATCH_SIZE,
    )
    cadre_ids = dict(Cadre.objects.values_list("user__username", "id"))
    Assignment.objects.bulk_create(
        (
            Assignment(
                cadre_id=cadre_ids[c.user.username],
                station_id=station_ids[c.station],
                start_date=start,
            )
            for c in plan.cadres
            if c.station
        ),
        batch_size=BATCH_SIZE,
    )


def _local(day: dt.date, at: dt.time = dt.time()) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, at))


def analyze(*models) -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL): the sweep right after the
    visits are written, and the first pages, would otherwise plan on an empty table."""
    if connection.vendor == "postgresql":
        tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {tables}")


_ATTESTED = {None: dict.fromkeys(ATTESTATIONS, True)} | {
    name: {**dict.fromkeys(ATTESTATIONS, True), name: False} for name in ATTESTATIONS
}


def write_visits(plan: Plan, *, seed: int, start: dt.date, today: dt.date) -> int:
    """Insert the plan's visits before ``today`` for every active assignment, in batches.

    ``bulk_create`` writes no history rows: seeded visits have none (they were never edited).
    """
    ids = {
        code: rest
        for code, *rest in Assignment.objects.filter(end_date__isnull=True).values_list(
            "station__code", "id", "cadre_id", "station_id", "cadre__user_id"
        )
    }
    tz = timezone.get_default_timezone()
    batch, written = [], 0
    for v in plan_visits(plan, seed=seed, start=start, today=today, tz=tz):
        assignment_id, cadre_id, station_id, user_id = ids[v.station]
        batch.append(
            Visit(
                assignment_id=assignment_id,
                cadre_id=cadre_id,
                station_id=station_id,
                visited_at=v.visited_at,
                visited_on=v.visited_at.date(),  # v.visited_at is in local time
                logged_at=v.logged_at,
                logged_by_id=user_id,
                unannounced=v.missing is None,
                inspected=v.inspected,
                activities=v.activities,
                findings=v.findings,
                latitude=v.latitude,
                longitude=v.longitude,
                accuracy_m=v.accuracy_m,
                distance_m=v.distance_m,
                far_from_station=v.far_from_station,
                **_ATTESTED[v.missing],
            )
        )
        if len(batch) == BATCH_SIZE:
            Visit.objects.bulk_create(batch)
            written += len(batch)
            batch = []
    Visit.objects.bulk_create(batch)
    analyze(Visit, Assignment, Cadre)
    return written + len(batch)


SWEEP_TIME = dt.time(0, 30)  # when the daily missed-period job runs (DESIGN.md)


def _night_after(day: dt.date) -> dt.datetime:
    return _local(day + dt.timedelta(days=1), SWEEP_TIME)


def record_periods(*, today: dt.date) -> dict[str, int]:
    """The period records of the seeded visits: the missed-period sweep as it runs at 00:30
    ``today``, then dated as if it had run every night of the year.

    One sweep records every period of the year at the same moment: each record and its
    missed event are moved to 00:30 the night after the period ended (so lists of recent
    misses and the reminders built on recent events look as they would after a year of
    nightly runs), and a period met only by a visit logged after it ended gets what the
    nightly sweep and that late visit would have left: a missed event, then a cure at the
    time the visit was logged.
    """
    flag_missed_periods(today=today, now=_local(today, SWEEP_TIME))
    ends = PeriodRecord.objects.order_by().values_list("period_end", flat=True).distinct()
    for end in list(ends):
        PeriodRecord.objects.filter(period_end=end).update(flagged_at=_night_after(end))
        PeriodEvent.objects.filter(record__period_end=end).update(at=_night_after(end))
    late = PeriodRecord.objects.filter(status=PeriodStatus.MET, met_on_time=False)
    first_log = (
        Visit.objects.filter(
            assignment=OuterRef("assignment_id"),
            unannounced=True,
            visited_on__gte=OuterRef("period_start"),
            visited_on__lte=OuterRef("period_end"),
        )
        .order_by()
        .values("assignment")
        .annotate(first=Min("logged_at"))
        .values("first")
    )
    late.update(cured_at=Subquery(first_log))
    events = []
    for pk, end, cured_at in late.values_list("pk", "period_end", "cured_at"):
        events.append(PeriodEvent(record_id=pk, kind=PeriodEvent.Kind.MISSED, at=_night_after(end)))
        events.append(PeriodEvent(record_id=pk, kind=PeriodEvent.Kind.CURED, at=cured_at))
    PeriodEvent.objects.bulk_create(events, batch_size=BATCH_SIZE, ignore_conflicts=True)
    analyze(PeriodRecord, PeriodEvent, Assignment)
    return PeriodRecord.objects.aggregate(
        period_records=Count("pk"), missed_periods=Count("pk", filter=Q(status=PeriodStatus.MISSED))
    )


def demo_accounts() -> list[User]:
    """The memorable demo accounts that exist, and the first account of any other role."""
    found = {
        u.username: u
        for u in User.objects.filter(username__in=DEMO_USERNAMES).select_related(
            "bureau", "station"
        )
    }
    accounts = [found[name] for name in DEMO_USERNAMES if name in found]
    for role in Role.values:
        if not any(u.role == role for u in accounts):
            first = (
                User.objects.filter(role=role)
                .select_related("bureau", "station")
                .order_by("username")
                .first()
            )
            accounts += [first] if first else []
    return accounts
