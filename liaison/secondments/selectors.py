"""Reading secondments: a year's batch with its counts, the years there are, one
secondment's absences with the running total, and the summary the bureau report prints.
A fixed number of queries whatever the number of rows."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Max, Min, Q, QuerySet, Subquery, Sum, Window

from liaison.models import Secondment, SecondmentGrade
from liaison.models.secondments import standing_q
from liaison.secondments import rules
from stations.scope import Scope

EXTENDED = "extended"
# Extended for another year: in its second year, or continued into the next.
EXTENDED_Q = Q(extends__isnull=False) | Q(extension__isnull=False)


def batch(scope: Scope, year: int, *, text: str = "", status: str = "") -> QuerySet:
    """The year's secondments in scope, with what their rows show (one query)."""
    rows = (
        Secondment.objects.in_scope(scope)
        .of_year(year)
        .search(text)
        .select_related("station__bureau", "home_bureau", "extends", "extension", "assessment")
        .order_by("station__bureau__path", "station__code", "pk")
    )
    if status == EXTENDED:
        return rows.filter(EXTENDED_Q)
    if status in {s.value for s in rules.Standing}:
        return rows.with_standing(rules.Standing(status))
    return rows


def readable(scope: Scope) -> QuerySet:
    """The secondments in scope with what a secondment's page and its assessment form show
    (get one of them: 404 outside the scope)."""
    return Secondment.objects.in_scope(scope).select_related(
        "station__bureau", "home_bureau", "extends", "extension", "assessment__assessed_by"
    )


@dataclass(frozen=True)
class BatchCounts:
    secondees: int = 0
    stations: int = 0
    extended: int = 0
    warnings: int = 0
    serious: int = 0
    not_recognised: int = 0
    assessed: int = 0

    @property
    def warned(self) -> int:
        """Warned at either level (10 to 15 working days)."""
        return self.warnings + self.serious


def outcome_label(s) -> str:
    """What the assessment says: 不予认定 for a secondment not recognised, whatever the
    grade; otherwise the grade, or nothing yet."""
    if s.standing == rules.Standing.NOT_RECOGNISED:
        return str(rules.STANDING_LABELS[rules.Standing.NOT_RECOGNISED])
    assessment = getattr(s, "assessment", None)
    return assessment.get_grade_display() if assessment else ""


def _count_expressions() -> dict:
    return {
        "secondees": Count("pk"),
        "stations": Count("station", distinct=True),
        "extended": Count("pk", filter=EXTENDED_Q),
        "warnings": Count("pk", filter=standing_q(rules.Standing.WARNING)),
        "serious": Count("pk", filter=standing_q(rules.Standing.SERIOUS)),
        "not_recognised": Count("pk", filter=standing_q(rules.Standing.NOT_RECOGNISED)),
        "assessed": Count("assessment"),
    }


def batch_counts(rows: QuerySet) -> BatchCounts:
    """The counts at the top of the batch page (one query)."""
    return BatchCounts(**rows.order_by().aggregate(**_count_expressions()))


def years(scope: Scope, today: dt.date) -> tuple[list[int], int]:
    """The batch years in scope, newest first, and the one to show by default: the latest
    batch that has started (a batch starting in March is not current in February). This
    year is always offered. One query."""
    started = dict(
        Secondment.objects.in_scope(scope)
        .order_by()
        .values("year")
        .annotate(first=Min("start_date"))
        .values_list("year", "first")
    )
    current = max((y for y, first in started.items() if first <= today), default=today.year)
    return sorted(set(started) | {today.year}, reverse=True), current


def absences_with_total(secondment: Secondment) -> QuerySet:
    """The secondment's absences by date, each with the running total of working days."""
    return (
        secondment.absences.select_related("recorded_by")
        .annotate(running_total=Window(Sum("working_days"), order_by=[F("start_date"), F("pk")]))
        .order_by("start_date", "pk")
    )


def officer_record(scope: Scope, secondment: Secondment) -> list[Secondment]:
    """The officer's other secondments in scope (same police number), newest first, with
    their outcomes: the record an assessment feeds (one query)."""
    return list(
        Secondment.objects.in_scope(scope)
        .filter(police_number=secondment.police_number)
        .exclude(pk=secondment.pk)
        .select_related("station", "assessment")
        .order_by("-year")
    )


@dataclass(frozen=True)
class YearSummary:
    """A bureau's secondments of one year, for its assessment report."""

    year: int
    counts: BatchCounts
    grades: list[tuple[str, int]] = field(default_factory=list)
    flagged: list[Secondment] = field(default_factory=list)


def year_summary(scope: Scope, day: dt.date) -> YearSummary:
    """The batch current on ``day`` (the latest that had started; a batch starting in March
    is not yet current in February): counts with the assessment grades (one query), and the
    secondments warned or not recognised (one query)."""
    in_scope = Secondment.objects.in_scope(scope)
    current = in_scope.filter(start_date__lte=day).order_by("-year").values("year")[:1]
    rows = in_scope.filter(year=Subquery(current))
    grade_counts = {
        f"grade_{value}": Count("pk", filter=Q(assessment__grade=value))
        for value in SecondmentGrade.values
    }
    found = rows.order_by().aggregate(year=Max("year"), **_count_expressions(), **grade_counts)
    year = found.pop("year") or day.year
    grades = [(label, found.pop(f"grade_{value}")) for value, label in SecondmentGrade.choices]
    flagged = list(
        rows.filter(absent_days__gte=rules.WARNING_DAYS)
        .select_related("station")
        .order_by("-absent_days", "station__code")
    )
    return YearSummary(year=year, counts=BatchCounts(**found), grades=grades, flagged=flagged)
