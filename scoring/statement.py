"""Read side of one cadre's points (积分明细): this month's score by rule, the latest frozen
rank, the monthly trend, and every entry with the source that earned it.

A score is the sum of the entries booked in a period, reversed ones and their reversals
included (they cancel out). Each function is one query; ``entry_rows`` only shapes rows
already loaded, so the page's query count does not grow with the number of entries.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    IntegerField,
    OuterRef,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Left, NullIf

from checklists.models import Problem, Result, Task
from liaison.models import Cadre, PeriodRecord, Visit
from scoring import rules
from scoring.models import MonthlyRank, PointEntry, RuleCode
from scoring.selectors import RulePoints, points_by_rule

Kind = PointEntry.SourceKind
ZERO = Decimal("0")
PROBLEM_LABEL_CHARS = 30


@dataclass(frozen=True)
class Summary:
    month: dt.date
    points: Decimal
    by_rule: list[RulePoints]
    months: list[dt.date]
    monthly_points: list[Decimal]
    rank: MonthlyRank | None


@dataclass(frozen=True)
class EntryRow:
    entry: PointEntry
    description: str  # the rule's own description (what it pays for)
    source: str  # which fact earned it
    visit_id: int | None
    problem_id: int | None
    is_reversal: bool


def monthly_points(cadre: Cadre, months: list[dt.date]) -> dict[dt.date, Decimal]:
    rows = (
        PointEntry.objects.filter(
            cadre=cadre, booked_month__gte=months[0], booked_month__lte=months[-1]
        )
        .values("booked_month")
        .annotate(total=Sum("points"))
        .order_by()
    )
    return {row["booked_month"]: row["total"] for row in rows}


def latest_rank(cadre: Cadre) -> MonthlyRank | None:
    """The cadre's rank in the latest frozen month they were ranked in, with the number of
    cadres ranked in their tier (``tier_size``) and overall (``ranked``) that month."""
    same_month = (
        MonthlyRank.objects.filter(ranking=OuterRef("ranking")).order_by().values("ranking")
    )
    count = Count("pk")
    return (
        MonthlyRank.objects.filter(cadre=cadre)
        .select_related("ranking")
        .annotate(
            ranked=Subquery(same_month.annotate(n=count).values("n")[:1]),
            tier_size=Subquery(
                same_month.filter(tier=OuterRef("tier")).annotate(n=count).values("n")[:1]
            ),
        )
        .order_by("-ranking__month")
        .first()
    )


def summary(cadre: Cadre, *, today: dt.date) -> Summary:
    months = rules.last_months(today)
    totals = monthly_points(cadre, months)
    month = months[-1]
    return Summary(
        month=month,
        points=totals.get(month, ZERO),
        by_rule=points_by_rule(cadre_id=cadre.pk, months=[month]),
        months=months,
        monthly_points=[totals.get(m, ZERO) for m in months],
        rank=latest_rank(cadre),
    )


def _of_kind(kind: str, value, output_field):
    return Case(When(source_kind=kind, then=value), default=None, output_field=output_field)


def _source(model, field: str):
    return Subquery(model.objects.filter(pk=OuterRef("source_id")).values(field)[:1])


def entries(cadre: Cadre):
    """The cadre's entries, newest booking first, each annotated with what its source is:
    the period's dates and the visit that met it, the problem (its reference or the start of
    its description) and the task's title. One query per page."""
    first_visit = Visit.objects.filter(
        assignment_id=OuterRef("assignment_id"),
        unannounced=True,
        visited_on__gte=OuterRef("period_start"),
        visited_on__lte=OuterRef("period_end"),
    ).order_by("visited_on", "pk")
    met_by = PeriodRecord.objects.filter(pk=OuterRef("source_id")).annotate(
        visit=Subquery(first_visit.values("pk")[:1])
    )
    problem_label = Coalesce(
        NullIf("reference", Value("")), Left("description", PROBLEM_LABEL_CHARS)
    )
    integer = IntegerField()
    return (
        PointEntry.objects.filter(cadre=cadre)
        .select_related("rule")
        .annotate(
            period_start=_of_kind(Kind.PERIOD, _source(PeriodRecord, "period_start"), DateField()),
            period_end=_of_kind(Kind.PERIOD, _source(PeriodRecord, "period_end"), DateField()),
            visit_link=Case(
                When(source_kind=Kind.VISIT, then="source_id"),
                When(source_kind=Kind.PERIOD, then=Subquery(met_by.values("visit")[:1])),
                default=None,
                output_field=integer,
            ),
            problem_link=Case(
                When(source_kind=Kind.PROBLEM, then="source_id"),
                When(source_kind=Kind.TASK, then=_source(Task, "problem_id")),
                When(source_kind=Kind.RESULT, then=_source(Result, "problem_id")),
                default=None,
                output_field=integer,
            ),
            task_title=_of_kind(Kind.TASK, _source(Task, "title"), CharField()),
        )
        .annotate(
            problem_label=Subquery(
                Problem.objects.filter(pk=OuterRef("problem_link"))
                .annotate(label=problem_label)
                .values("label")[:1]
            )
        )
        .order_by("-booked_month", "-fact_day", "-pk")
    )


def entry_rows(page) -> list[EntryRow]:
    """Shape a page of ``entries()`` for display: no queries."""
    rows = []
    for entry in page:
        source = rules.reason(
            entry.code,
            start=entry.period_start,
            end=entry.period_end if entry.code != RuleCode.EVALUATION else entry.fact_day,
            problem=entry.problem_label or "",
            task=entry.task_title or "",
            week=entry.seq,
        )
        rows.append(
            EntryRow(
                entry=entry,
                description=entry.rule.description,
                source=source,
                visit_id=entry.visit_link,
                problem_id=entry.problem_link,
                is_reversal=entry.reverses_id is not None,
            )
        )
    return rows
