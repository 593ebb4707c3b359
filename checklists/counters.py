"""Headline counters of the problem list (收集问题数 / 解决问题数 / 按期销号率).

- collected: published ever (status other than draft); solved: closed out; open: published
  or in rectification; overdue: open and past the deadline (``deadline < today``, fresh, the
  same definition as the board's filter; see ``checklists.filters``).
- closed on time: closed out on or before the deadline (``closed_on <= deadline``).
- on-time rate = closed on time ÷ (closed + open overdue). Open overdue problems count as
  late, so a month whose problems are not all done never reads 100 %; None (shown "—")
  when nothing is closed or overdue yet.

Each function is one query: an aggregate over the given (already scoped and filtered)
problems, or one row per child unit or category with the counts in a correlated subquery
(so units and categories without problems still show, and children sum to the parent).
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, JSONField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import JSONObject

from checklists.models import ProblemCategory
from checklists.models.problems import OPEN_STATUSES, ProblemStatus
from stations.drilldown import default_unit, row_level
from stations.models import Bureau, Station
from stations.scope import Scope

FIELDS = ("collected", "solved", "open", "overdue", "closed_on_time")


@dataclass(frozen=True)
class Counters:
    collected: int = 0
    solved: int = 0
    open: int = 0
    overdue: int = 0
    closed_on_time: int = 0

    def __add__(self, other: "Counters") -> "Counters":
        return Counters(*(getattr(self, f) + getattr(other, f) for f in FIELDS))

    @property
    def due(self) -> int:
        """The denominator of the on-time rate: closed out, plus open and overdue."""
        return self.solved + self.overdue

    @property
    def on_time_rate(self) -> float | None:
        """Percentage with one decimal; None when nothing is closed or overdue."""
        return round(100 * self.closed_on_time / self.due, 1) if self.due else None

    @property
    def solved_rate(self) -> float | None:
        return round(100 * self.solved / self.collected, 1) if self.collected else None


def _aggregates(today: dt.date, prefix: str = "") -> dict:
    """The five counts, over problems reached through ``prefix`` ("" = the rows)."""

    def q(**lookups) -> Q:
        return Q(**{prefix + k: v for k, v in lookups.items()})

    pk = prefix + "pk" if prefix else "pk"
    return {
        "collected": Count(pk, filter=~q(status=ProblemStatus.DRAFT)),
        "solved": Count(pk, filter=q(status=ProblemStatus.CLOSED)),
        "open": Count(pk, filter=q(status__in=OPEN_STATUSES)),
        "overdue": Count(pk, filter=q(status__in=OPEN_STATUSES, deadline__lt=today)),
        "closed_on_time": Count(
            pk, filter=q(status=ProblemStatus.CLOSED, closed_on__lte=F(prefix + "deadline"))
        ),
    }


def _counters(values: dict | None) -> Counters:
    return Counters(**{f: (values or {}).get(f) or 0 for f in FIELDS})


def problem_counters(problems: QuerySet, *, today: dt.date) -> Counters:
    """The headline counters of ``problems`` in one aggregate query."""
    return _counters(problems.order_by().aggregate(**_aggregates(today)))


def _per_row(problems: QuerySet, today: dt.date, link: Q) -> Subquery:
    """A correlated subquery: the counts of the ``problems`` matching ``link`` (which uses
    OuterRef) as one JSON object."""
    return Subquery(
        problems.filter(link)
        .order_by()
        .annotate(one=Value(1))
        .values("one")
        .annotate(counts=JSONObject(**_aggregates(today)))
        .values("counts")[:1],
        output_field=JSONField(),
    )


@dataclass(frozen=True)
class Row:
    """One line of a breakdown: a region (bureau code or station id) or a category."""

    name: str
    counters: Counters
    code: str = ""
    station_id: int | None = None


@dataclass(frozen=True)
class Breakdown:
    level: str  # "province", "city", "county", "station" or "category"
    rows: list[Row]

    @property
    def total(self) -> Counters:
        return sum((r.counters for r in self.rows), Counters())


def counters_by_region(
    problems: QuerySet, *, scope: Scope, today: dt.date, unit: Bureau | None = None
) -> Breakdown:
    """Counters per unit one level below ``unit`` (default: the scope's own bureau):
    province → cities, city → counties (or stations of a directly administered city),
    county → stations; everything → provinces; a station scope → that station. One query
    (plus one to find the scope's bureau when ``unit`` is not given)."""
    if unit is None and scope.bureau_path is not None:
        unit = default_unit(scope)
    if scope.station_id is not None and unit is None:
        level = "station"
        children = Station.objects.filter(pk=scope.station_id)
    else:
        level = row_level(unit)
        if level == "station":
            children = Station.objects.in_scope(scope).filter(bureau=unit)
        else:
            children = Bureau.objects.in_scope(scope)
            children = children.filter(parent=unit) if unit else children.filter(tier=level)
    if level == "station":
        link = Q(station=OuterRef("pk"))
    elif level == "county":
        link = Q(station__bureau=OuterRef("pk"))
    elif level == "city":
        # Stations hang on counties, or on a directly administered city itself.
        link = Q(station__bureau=OuterRef("pk")) | Q(station__bureau__parent=OuterRef("pk"))
    else:
        link = Q(station__bureau__parent=OuterRef("pk")) | Q(
            station__bureau__parent__parent=OuterRef("pk")
        )
    rows = children.order_by("code").annotate(counts=_per_row(problems, today, link))
    if level == "station":
        data = rows.values_list("pk", "name", "counts")
        return Breakdown(level, [Row(n, _counters(c), station_id=pk) for pk, n, c in data])
    data = rows.values_list("code", "name", "counts")
    return Breakdown(level, [Row(n, _counters(c), code=code) for code, n, c in data])


def counters_by_category(problems: QuerySet, *, today: dt.date) -> Breakdown:
    """Counters per problem category (inactive ones only when they have problems). One
    query."""
    rows = (
        ProblemCategory.objects.order_by("order", "pk")
        .annotate(counts=_per_row(problems, today, Q(category=OuterRef("pk"))))
        .values_list("code", "name", "active", "counts")
    )
    return Breakdown(
        "category",
        [
            Row(name, _counters(counts), code=code)
            for code, name, active, counts in rows
            if active or _counters(counts).collected or _counters(counts).open
        ],
    )
