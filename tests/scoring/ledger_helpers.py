"""Helpers for the ledger tests: the default rules, cadres on stations and facts of each kind."""

import datetime as dt
import importlib
from zoneinfo import ZoneInfo

from django.apps import apps
from django.utils import timezone

from liaison.models import PeriodRecord
from scoring.models import PointEntry, PointRule
from tests import factories as f

SH = ZoneInfo("Asia/Shanghai")


def seed_default_rules() -> None:
    """The rules of the data migration (a transactional test elsewhere may have flushed
    them); the seed inserts only what is missing."""
    importlib.import_module("scoring.migrations.0003_default_rules").seed(apps, None)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SH)


def cadre_on(station, *, tier="county", start=dt.date(2026, 1, 1), end=None, bureau=None):
    cadre = f.CadreFactory(bureau=bureau or station.bureau, tier=tier)
    f.AssignmentFactory(cadre=cadre, station=station, start_date=start, end_date=end)
    return cadre


def period(cadre, start: dt.date, end: dt.date, status: str) -> PeriodRecord:
    return PeriodRecord.objects.create(
        assignment=cadre.assignments.get(),
        tier=cadre.tier,
        period_start=start,
        period_end=end,
        status=status,
        flagged_at=timezone.now(),
    )


def published(station, *, raised_by=None, on: dt.date, deadline: dt.date | None = None, **extra):
    bureau_user = f.UserFactory(role="bureau", bureau=station.bureau)
    return f.ProblemFactory(
        station=station,
        raised_by=raised_by or bureau_user,
        status="published",
        responsible=bureau_user,
        deadline=deadline or on + dt.timedelta(days=60),
        published_at=at(on),
        published_by=bureau_user,
        **extra,
    )


def close(problem, on: dt.date) -> None:
    problem.status = "closed"
    problem.closed_at = at(on, 15)
    problem.closed_by = problem.published_by
    problem.closed_on = on
    problem.save()


def task(problem, *, due: dt.date, done: dt.date | None = None):
    extra = {}
    if done is not None:
        extra = {"done_on": done, "done_by": problem.responsible, "progress": 100}
    return f.TaskFactory(problem=problem, due_date=due, **extra)


def result(problem, *, rating: str, on: dt.date):
    return f.ResultFactory(
        problem=problem, verified_by=problem.published_by, verified_at=at(on, 16), rating=rating
    )


def live_entries() -> set[tuple]:
    """(code, source kind, source id, seq, cadre, points) of every live entry."""
    return set(
        PointEntry.objects.filter(reverses__isnull=True, reversed=False).values_list(
            "code", "source_kind", "source_id", "seq", "cadre_id", "points"
        )
    )


def set_points(code: str, points, *, switch_on: dt.date) -> PointRule:
    """End the current version of ``code`` the day before ``switch_on`` and add a new one."""
    PointRule.objects.filter(code=code, effective_to__isnull=True).update(
        effective_to=switch_on - dt.timedelta(days=1)
    )
    current = PointRule.objects.filter(code=code).order_by("-effective_from").first()
    return PointRule.objects.create(
        code=code,
        description=current.description,
        points=points,
        cap=current.cap,
        effective_from=switch_on,
    )
