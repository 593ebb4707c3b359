"""The recompute of the ledger (积分流水) from the facts: set-based, idempotent, append-only.

One call derives the entries the facts call for ("desired"), one ``INSERT … SELECT`` per
rule code into a temporary table, then reconciles the ledger with it in three statements:

1. live entries no fact supports any more, or supports with other points, cadre or day, are
   marked ``reversed``;
2. each of them gets its reversing entry (the negation), booked in the month of the entry
   it reverses, or in the current month when that month is frozen;
3. desired entries without a live entry are inserted, booked in the fact's month, or in
   the current month when the fact's month is frozen (``ON CONFLICT DO NOTHING`` on the
   partial unique index "one live entry per (code, source, seq)").

Running it twice changes nothing the second time. ``since`` limits it to facts of that day
and later (the incremental run). A fact whose day moved to ``since`` or later is corrected
too, also when it now earns the other code of its family (met/missed, on time/late,
excellent/poor: a result re-rated today reverses last month's "excellent"). A fact that
vanished or moved before ``since`` (a result re-rated "good", a problem reopened) waits for
the nightly full run, which is also the repair path.

The facts are selected with the ORM, which writes the dialect-specific parts (local dates
of timestamps, date arithmetic, month truncation) for PostgreSQL and for the embedded
SQLite alike; the reconciliation is plain SQL. Which facts earn what is documented in
``scoring.rules``; the SQL here mirrors it and the tests hold the two together.
"""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import (
    Avg,
    Case,
    Count,
    DateField,
    F,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, ExtractYear, TruncDate, TruncMonth
from django.utils.translation import gettext as _

from checklists.models import Problem, ProblemStatus, Rating, Result, Task
from liaison.models import Assignment, Cadre, PeriodRecord, PeriodStatus
from scoring import rules
from scoring.evaluations.models import QUARTER_MONTHS, Direction, Evaluation
from scoring.models import PointEntry, PointRule, RuleCode
from scoring.rules import DAYS_PER_WEEK

Kind = PointEntry.SourceKind

# pg_advisory_xact_lock key: two recomputes never interleave (the second waits).
LOCK_KEY = 2_350_005

DESIRED = "scoring_desired_entry"
STALE = "scoring_stale_entry"

_CREATE_DESIRED = f"""
CREATE TEMPORARY TABLE {DESIRED} (
    code varchar(30) NOT NULL,
    source_kind varchar(12) NOT NULL,
    source_id bigint NOT NULL,
    seq integer NOT NULL,
    cadre_id bigint NOT NULL,
    fact_day date NOT NULL,
    fact_month date NOT NULL,
    rule_id bigint NOT NULL,
    points numeric(7, 1) NOT NULL,
    family varchar(30) NOT NULL,
    PRIMARY KEY (code, source_kind, source_id, seq)
)
"""

# Codes that exclude each other for one fact: a fact earns one code of its family.
FAMILIES = {
    RuleCode.MISSED_PERIOD: RuleCode.VISIT_IN_PERIOD,
    RuleCode.TASK_LATE: RuleCode.TASK_ON_TIME,
    RuleCode.RESULT_POOR: RuleCode.RESULT_EXCELLENT,
}
_FAMILY_OF_ENTRY = (
    "CASE e.code "
    + " ".join(f"WHEN '{code.value}' THEN '{family.value}'" for code, family in FAMILIES.items())
    + " ELSE e.code END"
)

# The facts of one code (an ORM query selecting d_source, d_seq, d_cadre, d_day, d_month)
# joined with the version of the rule in effect on each fact's day: the latest-starting one
# (versions should not overlap; the admin refuses overlaps). A fact without a cadre, a rule
# version with 0 points, and weeks beyond the version's cap write nothing.
_FILL = f"""
INSERT INTO {DESIRED}
    (code, source_kind, source_id, seq, cadre_id, fact_day, fact_month, rule_id, points, family)
SELECT r.code, %s, f.d_source, f.d_seq, f.d_cadre, f.d_day, f.d_month, r.id, r.points, %s
FROM (__FACTS__) f
JOIN scoring_pointrule r ON r.code = %s
    AND r.effective_from <= f.d_day AND (r.effective_to IS NULL OR r.effective_to >= f.d_day)
WHERE f.d_cadre IS NOT NULL AND r.points <> 0 AND (r.cap IS NULL OR f.d_seq <= r.cap)
  AND NOT EXISTS (
    SELECT 1 FROM scoring_pointrule later
    WHERE later.code = r.code AND later.effective_from > r.effective_from
      AND later.effective_from <= f.d_day
      AND (later.effective_to IS NULL OR later.effective_to >= f.d_day)
  )
"""

_SAME_KEY = """d.code = e.code AND d.source_kind = e.source_kind
      AND d.source_id = e.source_id AND d.seq = e.seq"""

# Live entries (in the recomputed range, or whose fact the desired set names under a code of
# the same family) that no desired entry matches exactly.
_FIND_STALE = f"""
INSERT INTO {STALE} (id)
SELECT e.id FROM scoring_pointentry e
WHERE e.reverses_id IS NULL AND NOT e.reversed
  AND (__RANGE__ OR EXISTS (
    SELECT 1 FROM {DESIRED} d
    WHERE d.source_id = e.source_id AND d.source_kind = e.source_kind AND d.seq = e.seq
      AND d.family = {_FAMILY_OF_ENTRY}
  ))
  AND NOT EXISTS (
    SELECT 1 FROM {DESIRED} d
    WHERE {_SAME_KEY}
      AND d.cadre_id = e.cadre_id AND d.points = e.points AND d.fact_day = e.fact_day
  )
"""

_MARK_REVERSED = f"""
UPDATE scoring_pointentry SET reversed = TRUE WHERE id IN (SELECT id FROM {STALE})
"""

_INSERT_REVERSALS = f"""
INSERT INTO scoring_pointentry
    (cadre_id, rule_id, code, source_kind, source_id, seq, points, fact_day, booked_month,
     created_at, reverses_id, reversed)
SELECT e.cadre_id, e.rule_id, e.code, e.source_kind, e.source_id, e.seq, -e.points,
    e.fact_day,
    CASE WHEN EXISTS (SELECT 1 FROM scoring_rankingmonth m WHERE m.month = e.booked_month)
        THEN %s ELSE e.booked_month END,
    %s, e.id, FALSE
FROM scoring_pointentry e JOIN {STALE} s ON s.id = e.id
"""

_INSERT_NEW = f"""
INSERT INTO scoring_pointentry
    (cadre_id, rule_id, code, source_kind, source_id, seq, points, fact_day, booked_month,
     created_at, reverses_id, reversed)
SELECT d.cadre_id, d.rule_id, d.code, d.source_kind, d.source_id, d.seq, d.points,
    d.fact_day,
    CASE WHEN EXISTS (SELECT 1 FROM scoring_rankingmonth m WHERE m.month = d.fact_month)
        THEN %s ELSE d.fact_month END,
    %s, NULL, FALSE
FROM {DESIRED} d
WHERE NOT EXISTS (
    SELECT 1 FROM scoring_pointentry e
    WHERE {_SAME_KEY} AND e.reverses_id IS NULL AND NOT e.reversed
)
ON CONFLICT DO NOTHING
"""


@dataclass(frozen=True)
class LedgerReport:
    since: dt.date | None
    desired: int  # entries the facts (of the range) call for
    added: int  # new entries written
    reversed: int  # entries reversed (each got one reversing entry)


@dataclass(frozen=True)
class Facts:
    code: str
    kind: str
    query: QuerySet  # values(): d_source, d_seq, d_cadre, d_day, d_month


def _local_day(field: str) -> TruncDate:
    return TruncDate(field, tzinfo=ZoneInfo(settings.TIME_ZONE))


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=ZoneInfo(settings.TIME_ZONE))


def _covering_cadre(station: str, day: str) -> Subquery:
    """The cadre of the assignment active at the station (outer ``station``) on the outer
    ``day``: who a station's facts score for."""
    return Subquery(
        Assignment.objects.filter(station_id=OuterRef(station), start_date__lte=OuterRef(day))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=OuterRef(day)))
        .order_by("-start_date")
        .values("cadre_id")[:1]
    )


def _select(queryset, *, cadre, seq: int = 0):
    """The five columns every fact query selects; ``fact_day`` is annotated beforehand."""
    return queryset.order_by().values(
        d_source=F("pk"),
        d_seq=Value(seq, output_field=IntegerField()),
        d_cadre=cadre,
        d_day=F("fact_day"),
        d_month=TruncMonth("fact_day", output_field=DateField()),
    )


def _period_facts(since: dt.date | None) -> list[Facts]:
    """One entry per recorded required period: met earns, missed costs; the assignment's
    cadre, on the period's last day."""
    records = PeriodRecord.objects.annotate(fact_day=F("period_end"))
    if since is not None:
        records = records.filter(period_end__gte=since)
    cadre = F("assignment__cadre_id")
    return [
        Facts(
            RuleCode.VISIT_IN_PERIOD,
            Kind.PERIOD,
            _select(records.filter(status=PeriodStatus.MET), cadre=cadre),
        ),
        Facts(
            RuleCode.MISSED_PERIOD,
            Kind.PERIOD,
            _select(records.filter(status=PeriodStatus.MISSED), cadre=cadre),
        ),
    ]


def _problem_facts(since: dt.date | None) -> list[Facts]:
    published = Problem.objects.exclude(status=ProblemStatus.DRAFT).filter(
        published_at__isnull=False
    )
    closed = Problem.objects.filter(status=ProblemStatus.CLOSED, closed_on__isnull=False)
    if since is not None:
        published = published.filter(published_at__gte=_local_midnight(since))
        closed = closed.filter(closed_on__gte=since)
    # The cadre who raised it, whichever station they cover now.
    # One cadre per user (unique): no ordering, or the model's would join and sort per row.
    raiser = Subquery(
        Cadre.objects.filter(user_id=OuterRef("raised_by_id")).order_by().values("pk")[:1]
    )
    return [
        Facts(
            RuleCode.PROBLEM_PUBLISHED,
            Kind.PROBLEM,
            _select(published.annotate(fact_day=_local_day("published_at")), cadre=raiser),
        ),
        Facts(
            RuleCode.PROBLEM_CLOSED,
            Kind.PROBLEM,
            _select(
                closed.annotate(fact_day=F("closed_on")),
                cadre=_covering_cadre("station_id", "fact_day"),
            ),
        ),
    ]


def _tasks():
    return Task.objects.exclude(problem__status=ProblemStatus.DRAFT)


def _task_facts(since: dt.date | None, today: dt.date) -> list[Facts]:
    done = _tasks().filter(done_on__isnull=False).annotate(fact_day=F("done_on"))
    if since is not None:
        done = done.filter(done_on__gte=since)
    cadre = _covering_cadre("problem__station_id", "fact_day")
    facts = [
        Facts(
            RuleCode.TASK_ON_TIME,
            Kind.TASK,
            _select(done.filter(done_on__lte=F("due_date")), cadre=cadre),
        ),
        Facts(
            RuleCode.TASK_LATE,
            Kind.TASK,
            _select(done.filter(done_on__gt=F("due_date")), cadre=cadre),
        ),
    ]
    for week in range(1, _weeks_to_scan(today) + 1):
        offset = dt.timedelta(days=DAYS_PER_WEEK * week)
        day = Cast(F("due_date") + offset, DateField())
        overdue = _tasks().filter(
            Q(done_on__isnull=True, due_date__lt=today - offset) | Q(done_on__gt=day)
        )
        if since is not None:
            overdue = overdue.filter(due_date__gte=since - offset)
        facts.append(
            Facts(
                RuleCode.TASK_OVERDUE_WEEK,
                Kind.TASK,
                _select(overdue.annotate(fact_day=day), cadre=cadre, seq=week),
            )
        )
    return facts


def _weeks_to_scan(today: dt.date) -> int:
    """How many overdue weeks any task can count: the largest cap of the rule's versions,
    or, when a version has no cap, the weeks since the oldest late or open task was due."""
    caps = PointRule.objects.filter(code=RuleCode.TASK_OVERDUE_WEEK)
    if not caps.filter(cap__isnull=True).exists():
        return caps.aggregate(weeks=Max("cap"))["weeks"] or 0
    oldest = (
        _tasks()
        .filter(Q(done_on__isnull=True) | Q(done_on__gt=F("due_date")))
        .aggregate(due=Min("due_date"))["due"]
    )
    return 0 if oldest is None else max(0, (today - oldest).days // DAYS_PER_WEEK)


def _result_facts(since: dt.date | None) -> list[Facts]:
    verified = Result.objects.filter(verified_at__isnull=False).annotate(
        fact_day=_local_day("verified_at")
    )
    if since is not None:
        verified = verified.filter(verified_at__gte=_local_midnight(since))
    cadre = _covering_cadre("problem__station_id", "fact_day")
    return [
        Facts(
            RuleCode.RESULT_EXCELLENT,
            Kind.RESULT,
            _select(verified.filter(rating=Rating.EXCELLENT), cadre=cadre),
        ),
        Facts(
            RuleCode.RESULT_POOR,
            Kind.RESULT,
            _select(verified.filter(rating=Rating.POOR), cadre=cadre),
        ),
    ]


class QuarterEnd(Func):
    """The last day of the quarter that starts on the given date."""

    output_field = DateField()

    def as_postgresql(self, compiler, connection, **extra):
        template = "(%(expressions)s + interval '3 months' - interval '1 day')::date"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        template = "date(%(expressions)s, '+3 months', '-1 day')"
        return self.as_sql(compiler, connection, template=template, **extra)


def _evaluation_facts(since: dt.date | None, today: dt.date) -> list[Facts]:
    """One entry per assignment and ended quarter whose station rated the cadre at least 4.5
    on average (every score) with enough raters; on the quarter's last day. The source is
    the assignment, the quarter its ``seq`` (year × 10 + quarter)."""
    evaluations = Evaluation.objects.filter(
        direction=Direction.OF_CADRE, quarter__lt=rules.quarter_start(today)
    )
    if since is not None:
        # The quarters ending on or after ``since``.
        evaluations = evaluations.filter(quarter__gte=rules.quarter_start(since))
    quarter_number = Case(
        *[When(quarter__month=month, then=Value(n)) for n, month in enumerate(QUARTER_MONTHS, 1)],
        output_field=IntegerField(),
    )
    end = QuarterEnd("quarter")
    groups = (
        evaluations.order_by()
        .values("assignment_id", "quarter")
        .annotate(raters=Count("pk", distinct=True), average=Avg("scores__score"))
        .filter(
            raters__gte=settings.LIAISON_EVALUATION_MIN_RATERS,
            average__gte=rules.EVALUATION_THRESHOLD,
        )
        .values(
            d_source=F("assignment_id"),
            d_seq=Cast(ExtractYear("quarter"), IntegerField()) * 10 + quarter_number,
            d_cadre=F("assignment__cadre_id"),
            d_day=end,
            d_month=TruncMonth(end, output_field=DateField()),
        )
    )
    return [Facts(RuleCode.EVALUATION, Kind.EVALUATION, groups)]


def all_facts(*, today: dt.date, since: dt.date | None) -> list[Facts]:
    """The fact queries of every rule code."""
    return [
        *_period_facts(since),
        *_problem_facts(since),
        *_task_facts(since, today),
        *_result_facts(since),
        *_evaluation_facts(since, today),
    ]


def _lock(cursor) -> None:
    if connection.vendor == "postgresql":
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _fill(cursor, facts: Facts) -> None:
    sql, params = facts.query.query.sql_with_params()
    code = str(facts.code)
    family = str(FAMILIES.get(facts.code, facts.code))
    cursor.execute(_FILL.replace("__FACTS__", sql), [str(facts.kind), family, *params, code])


@transaction.atomic
def recompute_points(
    *, today: dt.date, since: dt.date | None = None, now: dt.datetime
) -> LedgerReport:
    """Bring the ledger in line with the facts (of ``since`` and later, or all of them)."""
    if since is not None and since > today:
        raise ValidationError(
            _("The first day to recompute cannot be after today."), code="since_after_today"
        )
    ops = connection.ops
    this_month = ops.adapt_datefield_value(today.replace(day=1))
    created_at = ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        _lock(cursor)
        for table in (DESIRED, STALE):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(_CREATE_DESIRED)
        cursor.execute(f"CREATE INDEX {DESIRED}_source ON {DESIRED} (source_id, source_kind, seq)")
        cursor.execute(f"CREATE TEMPORARY TABLE {STALE} (id bigint PRIMARY KEY)")
        for facts in all_facts(today=today, since=since):
            _fill(cursor, facts)
        cursor.execute(f"SELECT COUNT(*) FROM {DESIRED}")
        desired = cursor.fetchone()[0]

        in_range = "TRUE" if since is None else "e.fact_day >= %s"
        range_params = [] if since is None else [ops.adapt_datefield_value(since)]
        cursor.execute(_FIND_STALE.replace("__RANGE__", in_range), range_params)
        cursor.execute(_MARK_REVERSED)
        reversed_count = cursor.rowcount
        cursor.execute(_INSERT_REVERSALS, [this_month, created_at])
        cursor.execute(_INSERT_NEW, [this_month, created_at])
        added = cursor.rowcount
        for table in (DESIRED, STALE):
            cursor.execute(f"DROP TABLE {table}")
    return LedgerReport(since=since, desired=desired, added=added, reversed=reversed_count)
