"""The missed-period sweep: set-based, idempotent, one slice per (tier, period).

In the manner of healthchecks' ``alert_after``: each active assignment stores the deadline
of its current period (``period_end``); the daily sweep picks the rows whose deadline has
passed (a partial index serves it), records every ended required period as met or missed
(one row per assignment and period), appends an event per flip, cures missed periods that a
late visit has since filled, and moves the deadlines on. ``rebuild_period_records`` is the
repair path: it derives every record again from assignments and visits.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, Min, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from liaison.models import Assignment, PeriodEvent, PeriodRecord, PeriodStatus, Visit
from liaison.periods import TIERS, next_period, period_containing

_INSERT_RECORDS = """
INSERT INTO liaison_periodrecord
    (assignment_id, tier, period_start, period_end, status, met_on_time, flagged_at)
SELECT a.id, %(tier)s, %(start)s, %(end)s,
    CASE WHEN EXISTS (
        SELECT 1 FROM liaison_visit v
        WHERE v.assignment_id = a.id AND v.unannounced
          AND v.visited_on >= %(start)s AND v.visited_on <= %(end)s
    ) THEN 'met' ELSE 'missed' END,
    EXISTS (
        SELECT 1 FROM liaison_visit v
        WHERE v.assignment_id = a.id AND v.unannounced
          AND v.visited_on >= %(start)s AND v.visited_on <= %(end)s
          AND v.logged_at < %(deadline)s
    ),
    %(now)s
FROM liaison_assignment a
JOIN liaison_cadre c ON c.id = a.cadre_id
WHERE c.tier = %(tier)s
  AND a.start_date <= %(start)s
  AND (a.end_date IS NULL OR a.end_date >= %(end)s)
ON CONFLICT (assignment_id, period_start) DO NOTHING
"""

_INSERT_MISSED_EVENTS = """
INSERT INTO liaison_periodevent (record_id, kind, at)
SELECT r.id, 'missed', %(now)s FROM liaison_periodrecord r
WHERE r.tier = %(tier)s AND r.period_start = %(start)s AND r.status = 'missed'
  AND r.cured_at IS NULL
ON CONFLICT (record_id, kind) DO NOTHING
"""


@dataclass(frozen=True)
class SweepResult:
    slices: int
    recorded: int
    cured: int
    advanced: int


def _end_of_day(day: dt.date) -> dt.datetime:
    """The first instant after ``day`` in the local (Asia/Shanghai) calendar."""
    following = dt.datetime.combine(day + dt.timedelta(days=1), dt.time())
    return timezone.make_aware(following)


def _record_slice(tier: str, period: tuple[dt.date, dt.date], now: dt.datetime) -> int:
    params = {
        "tier": tier,
        "start": period[0],
        "end": period[1],
        "deadline": _end_of_day(period[1]),
        "now": now,
    }
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_RECORDS, params)
        inserted = cursor.rowcount
        cursor.execute(_INSERT_MISSED_EVENTS, params)
    return inserted


def _ended_periods(tier: str, since: dt.date, today: dt.date):
    period = period_containing(tier, since)
    while period[1] < today:
        yield period
        period = next_period(tier, period)


# How far back the cure looks beyond the back-dating window: a late visit is logged at most
# LIAISON_BACKDATE_DAYS after its day, so only periods ending that recently can be filled
# since the last nightly run; the margin covers a sweep that did not run for up to a month.
# Older missed periods are settled (the rebuild remains the repair path). This keeps the
# nightly cost constant as the history of missed periods grows.
CURE_MARGIN_DAYS = 31


def _cure(today: dt.date, now: dt.datetime) -> int:
    """Missed periods that now contain an unannounced visit (logged late) become met."""
    window_start = today - dt.timedelta(days=settings.LIAISON_BACKDATE_DAYS + CURE_MARGIN_DAYS)
    filled = Visit.objects.filter(
        assignment=OuterRef("assignment_id"),
        unannounced=True,
        visited_on__gte=OuterRef("period_start"),
        visited_on__lte=OuterRef("period_end"),
    )
    cured = PeriodRecord.objects.filter(
        status=PeriodStatus.MISSED, period_end__gte=window_start
    ).filter(Exists(filled))
    ids = list(cured.values_list("pk", flat=True))
    if ids:
        PeriodRecord.objects.filter(pk__in=ids).update(status=PeriodStatus.MET, cured_at=now)
        PeriodEvent.objects.bulk_create(
            [PeriodEvent(record_id=pk, kind=PeriodEvent.Kind.CURED, at=now) for pk in ids],
            ignore_conflicts=True,
        )
    return len(ids)


def _advance(today: dt.date) -> int:
    """Move every due active assignment's deadline to the period containing ``today``."""
    advanced = 0
    for tier in TIERS:
        start, end = period_containing(tier, today)
        met = Visit.objects.filter(
            assignment=OuterRef("pk"), unannounced=True, visited_on__gte=start, visited_on__lte=end
        )
        advanced += (
            Assignment.objects.filter(end_date__isnull=True, cadre__tier=tier)
            .filter(Q(period_end__isnull=True) | Q(period_end__lt=today))
            .update(period_start=start, period_end=end, period_met=Exists(met))
        )
    return advanced


@transaction.atomic
def flag_missed_periods(*, today: dt.date, now: dt.datetime | None = None) -> SweepResult:
    """The daily job. Running it twice for the same day changes nothing the second time."""
    now = now or timezone.now()
    due = Assignment.objects.filter(end_date__isnull=True).filter(
        Q(period_end__isnull=True) | Q(period_end__lt=today)
    )
    since = due.aggregate(since=Min(Coalesce("period_start", "start_date")))["since"]
    slices = recorded = 0
    if since is not None:
        for tier in TIERS:
            for period in _ended_periods(tier, since, today):
                recorded += _record_slice(tier, period, now)
                slices += 1
    cured = _cure(today, now)
    advanced = _advance(today)
    return SweepResult(slices=slices, recorded=recorded, cured=cured, advanced=advanced)


@transaction.atomic
def rebuild_period_records(*, today: dt.date, now: dt.datetime | None = None) -> SweepResult:
    """The repair path: derive every period record again from assignments and visits."""
    now = now or timezone.now()
    # Set-based: the ORM's delete() would load every record to cascade to its events.
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {PeriodEvent._meta.db_table}")
        cursor.execute(f"DELETE FROM {PeriodRecord._meta.db_table}")
    since = Assignment.objects.aggregate(since=Min("start_date"))["since"]
    slices = recorded = 0
    if since is not None:
        for tier in TIERS:
            for period in _ended_periods(tier, since, today):
                recorded += _record_slice(tier, period, now)
                slices += 1
    Assignment.objects.filter(end_date__isnull=True).update(period_end=None)
    advanced = _advance(today)
    return SweepResult(slices=slices, recorded=recorded, cured=0, advanced=advanced)
