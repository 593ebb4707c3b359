"""The data of a cadre's assessment report (包联干部考核报告): assignments, visits and
compliance by period, problems raised and closed, tasks, points by rule, monthly ranks and
the station's evaluation of the cadre (the anonymous aggregate only). A fixed number of
queries whatever the cadre's history (see the test)."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
)
from django.db.models.functions import TruncDate

from checklists.models import Problem, Task
from liaison.compliance import Counts
from liaison.models import Assignment, Cadre, PeriodRecord, PeriodStatus, Visit
from scoring import rules
from scoring.evaluations.selectors import CadreRatings, cadre_ratings
from scoring.models import MonthlyRank, RankingMonth
from scoring.reports.period import ReportPeriod
from scoring.selectors import RulePoints, points_by_rule

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class TaskLine:
    task: Task
    # "on_time", "late", "overdue" or "open" (see task_state).
    state: str


def task_state(*, due: dt.date, done: dt.date | None, today: dt.date) -> str:
    """Done on time / late, or still open and overdue (past its due date) / open."""
    if done is not None:
        return "on_time" if done <= due else "late"
    return "overdue" if due < today else "open"


@dataclass(frozen=True)
class RankLine:
    month: dt.date
    frozen: bool
    rank: MonthlyRank | None
    # How many cadres the month ranked, overall and in the cadre's tier.
    ranked: int = 0
    ranked_in_tier: int = 0


@dataclass(frozen=True)
class CadreReport:
    cadre: Cadre
    period: ReportPeriod
    today: dt.date
    assignments: list[Assignment]
    periods: list[PeriodRecord]
    compliance: Counts
    visits: int
    unannounced: int
    problems: list[Problem]
    problems_raised: int
    problems_closed: int
    tasks: list[TaskLine]
    points: list[RulePoints]
    ranks: list[RankLine]
    # The station's ratings of the cadre, per quarter of the period and assignment.
    evaluations: CadreRatings

    @property
    def points_total(self) -> Decimal:
        return sum((p.points for p in self.points), Decimal(0))


def _covered_on(cadre: Cadre, day_field: str) -> Exists:
    """EXISTS an assignment of ``cadre`` at the outer problem's station covering the day in
    ``day_field`` of the outer row: the problems a cadre answers for."""
    return Exists(
        Assignment.objects.filter(
            cadre=cadre, station=OuterRef("station"), start_date__lte=OuterRef(day_field)
        ).filter(Q(end_date__isnull=True) | Q(end_date__gte=OuterRef(day_field)))
    )


def _problems(cadre: Cadre, period: ReportPeriod, station_ids: list[int]) -> list[Problem]:
    """Problems at the cadre's stations published or closed out in the period while the
    cadre covered the station (the same attribution as the points), each annotated with
    ``raised`` and ``closed`` (in the period)."""
    raised = Q(published_on__gte=period.start, published_on__lte=period.end) & _covered_on(
        cadre, "published_on"
    )
    closed = Q(closed_on__gte=period.start, closed_on__lte=period.end) & _covered_on(
        cadre, "closed_on"
    )
    return list(
        Problem.objects.filter(station_id__in=station_ids)
        .annotate(published_on=TruncDate("published_at", tzinfo=SHANGHAI))
        .annotate(
            raised=ExpressionWrapper(raised, output_field=BooleanField()),
            closed=ExpressionWrapper(closed, output_field=BooleanField()),
        )
        .filter(Q(raised=True) | Q(closed=True))
        .select_related("station", "category", "responsible")
        .order_by("published_at", "pk")
    )


def _tasks(period: ReportPeriod, station_ids: list[int], today: dt.date) -> list[TaskLine]:
    """Tasks of problems at the cadre's stations due or done in the period."""
    tasks = (
        Task.objects.filter(problem__station_id__in=station_ids)
        .filter(
            Q(due_date__gte=period.start, due_date__lte=period.end)
            | Q(done_on__gte=period.start, done_on__lte=period.end)
        )
        .select_related("problem", "assignee")
        .order_by("due_date", "pk")
    )
    return [TaskLine(t, task_state(due=t.due_date, done=t.done_on, today=today)) for t in tasks]


def _ranks(cadre: Cadre, period: ReportPeriod) -> list[RankLine]:
    frozen = {
        m.month: m
        for m in RankingMonth.objects.filter(month__in=period.months).annotate(
            ranked=Count("ranks"), ranked_in_tier=Count("ranks", filter=Q(ranks__tier=cadre.tier))
        )
    }
    ranks = {
        r.ranking.month: r
        for r in MonthlyRank.objects.filter(
            cadre=cadre, ranking__month__in=period.months
        ).select_related("ranking", "station")
    }
    lines = []
    for month in period.months:
        ranking = frozen.get(month)
        if ranking is None:
            lines.append(RankLine(month, False, None))
        else:
            lines.append(
                RankLine(month, True, ranks.get(month), ranking.ranked, ranking.ranked_in_tier)
            )
    return lines


def cadre_report(
    *, cadre: Cadre, period: ReportPeriod, today: dt.date, min_raters: int | None = None
) -> CadreReport:
    """Everything the cadre's report prints. ``cadre`` comes with ``user`` and ``bureau``
    selected. Eleven queries at most (eight, and up to three for the evaluations)."""
    assignments = list(
        Assignment.objects.filter(cadre=cadre, start_date__lte=period.end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=period.start))
        .select_related("station__bureau")
        .order_by("start_date", "pk")
    )
    station_ids = sorted({a.station_id for a in assignments})
    periods = list(
        PeriodRecord.objects.filter(
            assignment__cadre=cadre, period_end__gte=period.start, period_end__lte=period.end
        )
        .select_related("assignment__station")
        .order_by("period_start", "assignment_id")
    )
    met = [p for p in periods if p.status == PeriodStatus.MET]
    compliance = Counts(
        required=len(periods),
        met=len(met),
        on_time=sum(p.met_on_time for p in met),
        missed=len(periods) - len(met),
    )
    visits = Visit.objects.filter(
        cadre=cadre, visited_on__gte=period.start, visited_on__lte=period.end
    ).aggregate(total=Count("id"), unannounced=Count("id", filter=Q(unannounced=True)))
    problems = _problems(cadre, period, station_ids)
    return CadreReport(
        cadre=cadre,
        period=period,
        today=today,
        assignments=assignments,
        periods=periods,
        compliance=compliance,
        visits=visits["total"],
        unannounced=visits["unannounced"],
        problems=problems,
        problems_raised=sum(p.raised for p in problems),
        problems_closed=sum(p.closed for p in problems),
        tasks=_tasks(period, station_ids, today),
        points=points_by_rule(cadre_id=cadre.pk, months=period.months),
        ranks=_ranks(cadre, period),
        evaluations=cadre_ratings(
            assignments=assignments,
            quarters=rules.quarters_between(period.start, period.end),
            today=today,
            min_raters=min_raters or settings.LIAISON_EVALUATION_MIN_RATERS,
        ),
    )
