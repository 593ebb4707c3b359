"""What may be shown of the two-way evaluation, each function a fixed number of queries.

A station's ratings of its cadre leave the database only as sums per dimension and as
comments, and only for the (assignment, quarter) groups that may be shown: the quarter has
ended and at least ``min_raters`` staff rated (``scoring.rules.evaluation_state``). Who
rated, when, and any single rater's scores are never selected for display.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery, Sum

from liaison.models import Assignment, User
from scoring import rules
from scoring.evaluations.models import Direction, Evaluation, EvaluationDimension, EvaluationScore

CENT = Decimal("0.01")


def _mean(total: int, count: int) -> Decimal:
    return (Decimal(total) / Decimal(count)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Column:
    dimension_id: int
    name: str


@dataclass(frozen=True)
class CadreRating:
    """A station's ratings of its cadre for one quarter and one assignment, as may be shown:
    ``state`` says whether the aggregate is there (``shown``), too few rated (``too_few``)
    or the quarter still runs (``in_progress``)."""

    quarter: dt.date
    assignment: Assignment
    state: str
    raters: int = 0
    means: list[Decimal | None] = field(default_factory=list)  # aligned with the columns
    overall: Decimal | None = None
    comments: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return rules.quarter_label(self.quarter)

    @property
    def shown(self) -> bool:
        return self.state == rules.EVALUATION_SHOWN

    @property
    def items(self) -> list[tuple[str, Decimal]]:
        """(dimension, mean) pairs of the shown aggregate, for lists and the PDF."""
        if not self.shown:
            return []
        return [(c.name, m) for c, m in zip(self.columns, self.means, strict=True) if m is not None]

    # Set by CadreRatings so that a row can name its columns.
    columns: list[Column] = field(default_factory=list)


@dataclass(frozen=True)
class CadreRatings:
    columns: list[Column]
    rows: list[CadreRating]
    min_raters: int

    @property
    def any_shown(self) -> bool:
        return any(row.shown for row in self.rows)


def _overlaps(assignment: Assignment, quarter: dt.date) -> bool:
    return assignment.start_date <= rules.quarter_end(quarter) and (
        assignment.end_date is None or assignment.end_date >= quarter
    )


def cadre_ratings(
    *, assignments: list[Assignment], quarters: list[dt.date], today: dt.date, min_raters: int
) -> CadreRatings:
    """The station's ratings of the cadre for each of ``quarters`` (newest first) that has
    begun, one row per assignment active in the quarter. Three queries (none when no
    quarter has ended)."""
    pairs = [
        (quarter, assignment)
        for quarter in sorted(quarters, reverse=True)
        if quarter <= today
        for assignment in assignments
        if _overlaps(assignment, quarter)
    ]
    ended = sorted({q for q, _a in pairs if rules.quarter_end(q) < today})
    ids = sorted({a.pk for q, a in pairs if q in ended})
    base = Evaluation.objects.filter(
        direction=Direction.OF_CADRE, assignment_id__in=ids, quarter__in=ended
    ).order_by()
    raters = {
        (row["assignment_id"], row["quarter"]): row["n"]
        for row in base.values("assignment_id", "quarter").annotate(n=Count("pk"))
    }
    sums, comments = {}, {}
    columns: dict[int, Column] = {}
    if ids:
        group_size = (
            Evaluation.objects.filter(
                direction=Direction.OF_CADRE,
                assignment_id=OuterRef("assignment_id"),
                quarter=OuterRef("quarter"),
            )
            .order_by()
            .values("assignment_id")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        )
        visible = base.annotate(group_raters=Subquery(group_size)).filter(
            group_raters__gte=min_raters
        )
        per_dimension = (
            EvaluationScore.objects.filter(evaluation__in=visible.values("pk"))
            .values(
                "evaluation__assignment_id",
                "evaluation__quarter",
                "dimension_id",
                "dimension__name",
                "dimension__position",
            )
            .annotate(total=Sum("score"), n=Count("pk"))
            .order_by("dimension__position", "dimension_id")
        )
        for row in per_dimension:
            key = (row["evaluation__assignment_id"], row["evaluation__quarter"])
            columns.setdefault(
                row["dimension_id"], Column(row["dimension_id"], row["dimension__name"])
            )
            sums.setdefault(key, {})[row["dimension_id"]] = (row["total"], row["n"])
        # Sorted by their text, never by who or when.
        for assignment_id, quarter, comment in (
            visible.exclude(comment="")
            .order_by("assignment_id", "quarter", "comment")
            .values_list("assignment_id", "quarter", "comment")
        ):
            comments.setdefault((assignment_id, quarter), []).append(comment)
    ordered = list(columns.values())
    rows = []
    for quarter, assignment in pairs:
        key = (assignment.pk, quarter)
        state = rules.evaluation_state(
            quarter=quarter, raters=raters.get(key, 0), min_raters=min_raters, today=today
        )
        if state != rules.EVALUATION_SHOWN or key not in sums:
            rows.append(CadreRating(quarter, assignment, state, columns=ordered))
            continue
        group = sums[key]
        total = sum(t for t, _n in group.values())
        count = sum(n for _t, n in group.values())
        rows.append(
            CadreRating(
                quarter,
                assignment,
                state,
                raters=raters[key],
                means=[
                    _mean(*group[c.dimension_id]) if c.dimension_id in group else None
                    for c in ordered
                ],
                overall=_mean(total, count),
                comments=comments.get(key, []),
                columns=ordered,
            )
        )
    return CadreRatings(columns=ordered, rows=rows, min_raters=min_raters)


def ratings_of_cadre(
    *, cadre_id: int, first: dt.date, last: dt.date, today: dt.date, min_raters: int
) -> CadreRatings:
    """The station's ratings of the cadre for the quarters overlapping ``first``…``last``:
    the assignments, then ``cadre_ratings``."""
    quarters = rules.quarters_between(first, min(last, today))
    if not quarters:
        return CadreRatings(columns=[], rows=[], min_raters=min_raters)
    assignments = list(
        Assignment.objects.filter(
            cadre_id=cadre_id, start_date__lte=rules.quarter_end(quarters[-1])
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=quarters[0]))
        .select_related("station")
        .order_by("start_date", "pk")
    )
    return cadre_ratings(
        assignments=assignments, quarters=quarters, today=today, min_raters=min_raters
    )


# --- The cadre's rating of the station (not anonymous) -------------------------------------


@dataclass(frozen=True)
class StationRating:
    evaluation: Evaluation
    scores: list[int | None]  # aligned with the columns
    mean: Decimal | None

    @property
    def label(self) -> str:
        return rules.quarter_label(self.evaluation.quarter)


@dataclass(frozen=True)
class StationRatings:
    columns: list[Column]
    rows: list[StationRating]


def station_ratings(*, assignments: list[Assignment], quarters: list[dt.date]) -> StationRatings:
    """The evaluations of the station by the cadres of ``assignments`` in ``quarters``, newest
    quarter first, with their scores: two queries, and one for the columns."""
    evaluations = list(
        Evaluation.objects.filter(
            direction=Direction.OF_STATION,
            assignment_id__in=[a.pk for a in assignments],
            quarter__in=quarters,
        )
        .select_related("assignment__cadre__user")
        .prefetch_related(Prefetch("scores", EvaluationScore.objects.order_by()))
        .order_by("-quarter", "assignment_id", "pk")
    )
    used = {s.dimension_id for e in evaluations for s in e.scores.all()}
    columns = [
        Column(d.pk, d.name)
        for d in EvaluationDimension.objects.filter(direction=Direction.OF_STATION)
        .filter(Q(active=True) | Q(pk__in=used))
        .order_by("position", "pk")
    ]
    rows = []
    for evaluation in evaluations:
        by_dimension = {s.dimension_id: s.score for s in evaluation.scores.all()}
        values = list(by_dimension.values())
        rows.append(
            StationRating(
                evaluation=evaluation,
                scores=[by_dimension.get(c.dimension_id) for c in columns],
                mean=_mean(sum(values), len(values)) if values else None,
            )
        )
    return StationRatings(columns=columns, rows=rows)


# --- The rater's own evaluation --------------------------------------------------------------


def active_dimensions(direction: str) -> list[EvaluationDimension]:
    return list(EvaluationDimension.objects.filter(direction=direction, active=True))


def own_evaluation(
    *, assignment: Assignment, direction: str, rater: User, quarter: dt.date
) -> Evaluation | None:
    """What ``rater`` submitted for the quarter (their own, so shown to them), with scores."""
    return (
        Evaluation.objects.filter(
            assignment=assignment, direction=direction, rater=rater, quarter=quarter
        )
        .prefetch_related(
            Prefetch(
                "scores",
                EvaluationScore.objects.select_related("dimension").order_by(
                    "dimension__position", "dimension_id"
                ),
            )
        )
        .first()
    )
