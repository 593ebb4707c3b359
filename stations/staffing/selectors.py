"""Read side of the staffing ratios: the roll-up table with drill-down, and a bureau's dated
figures. The table is one GROUP BY query over the bureaus that record figures, each with its
latest figures on or before the day (one join, whose condition finds that row on the
(bureau, as_of) unique index); the row a bureau falls in is read from its materialised
path, so the query count does not grow with the number of rows."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    F,
    FilteredRelation,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from stations import drilldown
from stations.models import Bureau, StaffingReturn, Tier
from stations.querysets import subtree_q
from stations.scope import Scope
from stations.staffing.rules import FIGURES, THRESHOLD_PERCENT, Figures

# The level of the rows a table shows below its unit; "bureau" is a recording bureau alone
# (where the other tables show that bureau's stations).
_STAFFING_LEVEL = {"station": "bureau"}


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    figures: Figures
    bureaus: int  # bureaus that record figures, under this row
    reported: int  # of which have figures on or before the day
    station_short: int  # of which fall short of the station police share
    community_short: int  # of which fall short of the community police share
    first_as_of: dt.date | None
    last_as_of: dt.date | None
    drill: bool  # the row has bureaus below it to drill into
    bureau_id: int | None = None  # a recording bureau: its own figures page

    @property
    def missing(self) -> int:
        return self.bureaus - self.reported


@dataclass(frozen=True)
class Table:
    level: str
    day: dt.date
    rows: list[Row]

    @property
    def total(self) -> Figures:
        """The sum of the rows' counts: the unit's own figures (children sum to parent)."""
        return sum((r.figures for r in self.rows), Figures())

    @property
    def bureaus(self) -> int:
        return sum(r.bureaus for r in self.rows)

    @property
    def reported(self) -> int:
        return sum(r.reported for r in self.rows)

    @property
    def station_short(self) -> int:
        return sum(r.station_short for r in self.rows)

    @property
    def community_short(self) -> int:
        return sum(r.community_short for r in self.rows)


def records_figures(bureau: Bureau) -> bool:
    """County bureaus and directly administered cities record figures; the others are sums."""
    return bureau.holds_stations


def row_level(unit: Bureau | None) -> str:
    """The drill-down level, where a recording bureau's row is the bureau itself."""
    level = drilldown.row_level(unit)
    return _STAFFING_LEVEL.get(level, level)


def _latest(day: dt.date):
    return StaffingReturn.objects.filter(bureau=OuterRef("pk"), as_of__lte=day).order_by("-as_of")


def _ancestor(depth: int, field: str) -> Case:
    """``field`` of a recording bureau's ancestor at ``depth`` (0 = province): a county sits at
    depth 2, a directly administered city at depth 1."""
    prefix = {0: "", 1: "parent__", 2: "parent__parent__"}

    def up(own_depth: int):
        steps = own_depth - depth
        return F(prefix[steps] + field) if steps >= 0 else Value(None)

    return Case(When(tier=Tier.COUNTY, then=up(2)), default=up(1))


def _own_pk_at(depth: int) -> Case:
    """The recording bureau's own id when it is the row at ``depth``, else NULL (a row that
    sums several bureaus)."""

    def own(own_depth: int):
        return F("pk") if own_depth == depth else Value(None, IntegerField())

    return Case(When(tier=Tier.COUNTY, then=own(2)), default=own(1), output_field=IntegerField())


def staffing_table(*, scope: Scope, unit: Bureau | None, day: dt.date) -> Table:
    """The rows one level below ``unit`` within the scope (a recording bureau: itself), each
    the sum of the latest figures on or before ``day`` of the recording bureaus below it,
    with how many of them reported and how many fall short of each ratio. One query."""
    level = row_level(unit)
    leaves = Bureau.objects.in_scope(scope).holding_stations()
    if unit is not None:
        leaves = leaves.filter(subtree_q(Scope(bureau_path=unit.path), "path"))
    # One join to each bureau's latest figures (its id found once per bureau in the join
    # condition), instead of a correlated subquery per figure that every aggregate re-runs.
    latest = FilteredRelation(
        "staffing_returns",
        condition=Q(staffing_returns__pk=Subquery(_latest(day).values("pk")[:1])),
    )
    leaves = (
        leaves.annotate(latest=latest)
        .alias(**{f"r_{name}": F(f"latest__{name}") for name in ("as_of", *FIGURES)})
        .alias(
            # Negative when short of 40 %: integer arithmetic, as in rules.short_of_threshold.
            station_gap=100 * F("r_station_police") - THRESHOLD_PERCENT * F("r_police_total"),
            community_gap=100 * F("r_community_police") - THRESHOLD_PERCENT * F("r_station_police"),
        )
    )
    if level == "bureau":
        keys = {"key": F("code"), "key_name": F("name"), "leaf_id": F("pk")}
    else:
        depth = drilldown.LEVELS.index(level)
        keys = {
            "key": drilldown.path_code("path", level),
            "key_name": _ancestor(depth, "name"),
            "leaf_id": _own_pk_at(depth),
        }
    grouped = (
        leaves.annotate(**keys)
        .values("key", "key_name", "leaf_id")
        .annotate(
            bureaus=Count("pk"),
            reported=Count("r_as_of"),
            first_as_of=Min("r_as_of"),
            last_as_of=Max("r_as_of"),
            station_short=Count("pk", filter=Q(station_gap__lt=0)),
            community_short=Count("pk", filter=Q(community_gap__lt=0, r_station_police__gt=0)),
            **{name: Coalesce(Sum(f"r_{name}"), 0) for name in FIGURES},
        )
        .order_by("key")
    )
    rows = [
        Row(
            code=r["key"],
            name=r["key_name"],
            figures=Figures(*(r[name] for name in FIGURES)),
            bureaus=r["bureaus"],
            reported=r["reported"],
            station_short=r["station_short"],
            community_short=r["community_short"],
            first_as_of=r["first_as_of"],
            last_as_of=r["last_as_of"],
            drill=r["leaf_id"] is None,
            bureau_id=r["leaf_id"],
        )
        for r in grouped
    ]
    return Table(level=level, day=day, rows=rows)


def bureau_returns(bureau: Bureau):
    """The bureau's dated figures, newest first, with who recorded them."""
    return (
        StaffingReturn.objects.filter(bureau=bureau)
        .select_related("recorded_by")
        .order_by("-as_of")
    )
