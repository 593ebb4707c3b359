"""Read-side queries for coverage and the 20/30/50 split (one query per question)."""

from dataclasses import dataclass, field

from django.db.models import Count, Q, Value
from django.db.models.functions import Coalesce, NullIf

from liaison import querysets
from liaison.models import Assignment
from stations.drilldown import path_code
from stations.models import Bureau, Station, Tier
from stations.scope import Scope
from stations.split import SPLIT_PERCENT, tier_targets

TIERS = tuple(SPLIT_PERCENT)

CITY_CODE = path_code("bureau__path", "city")


@dataclass(frozen=True)
class TierRow:
    tier: str
    percent: int
    target: int
    actual: int

    @property
    def deviation(self) -> int:
        return self.actual - self.target

    @property
    def label(self) -> str:
        return Tier(self.tier).label


@dataclass
class SplitRow:
    """The split for one unit (the whole scope, or one city)."""

    code: str
    name: str
    total: int
    actual: dict[str, int]
    tiers: list[TierRow] = field(default_factory=list)

    @property
    def covered(self) -> int:
        return sum(self.actual.values())

    @property
    def uncovered(self) -> int:
        return self.total - self.covered


def _tier_rows(total: int, actual: dict[str, int]) -> list[TierRow]:
    targets = tier_targets(total)
    return [TierRow(t, SPLIT_PERCENT[t], targets[t], actual.get(t, 0)) for t in TIERS]


def _tier_counts(prefix: str = "assignments__") -> dict:
    active = Q(**{f"{prefix}end_date__isnull": True})
    return {
        tier: Count("id", filter=active & Q(**{f"{prefix}cadre__tier": tier})) for tier in TIERS
    }


def _unit_code(scope: Scope):
    """The code of the unit one level below the scope that a station falls in, from its
    bureau path ("420000/420100/420102"), and that level's name."""
    if scope.everything:
        return path_code("bureau__path", "province"), "province"
    depth = scope.bureau_path.count("/") + 1
    if depth == 1:
        return CITY_CODE, "city"
    # Below a city: the county, or the directly administered city itself.
    county = NullIf(path_code("bureau__path", "county"), Value(""))
    return Coalesce(county, CITY_CODE), "county"


def split_level(scope: Scope) -> str:
    """Which level the split report's rows are: "province", "city" or "county"."""
    return _unit_code(scope)[1]


def split_report(scope: Scope) -> tuple[SplitRow, list[SplitRow]]:
    """The split over active stations in scope, and the same for each unit one level down
    (provinces for an administrator, cities for a province, counties for a city). Two
    queries. The 20/30/50 rule is per province: the total's targets are the sum of the
    provinces' targets."""
    stations = Station.objects.in_scope(scope).active()
    unit_code, level = _unit_code(scope)
    per_unit = list(
        stations.annotate(unit_code=unit_code)
        .values("unit_code")
        .annotate(total=Count("id", distinct=True), **_tier_counts())
        .order_by("unit_code")
    )
    names = dict(
        Bureau.objects.filter(code__in=[r["unit_code"] for r in per_unit]).values_list(
            "code", "name"
        )
    )
    units = []
    for r in per_unit:
        actual = {t: r[t] for t in TIERS}
        row = SplitRow(
            r["unit_code"], names.get(r["unit_code"], r["unit_code"]), r["total"], actual
        )
        row.tiers = _tier_rows(row.total, actual)
        units.append(row)
    total_actual = {t: sum(u.actual[t] for u in units) for t in TIERS}
    total = SplitRow("", "", sum(u.total for u in units), total_actual)
    if level == "province":
        targets = {t: sum(u.tiers[i].target for u in units) for i, t in enumerate(TIERS)}
        total.tiers = [TierRow(t, SPLIT_PERCENT[t], targets[t], total_actual[t]) for t in TIERS]
    else:
        total.tiers = _tier_rows(total.total, total_actual)
    return total, units


def uncovered_stations(scope: Scope):
    """Active stations in scope with no active cadre."""
    return (
        querysets.uncovered_stations(Station.objects.in_scope(scope).active())
        .select_related("bureau", "bureau__parent")
        .order_by("code")
    )


def active_assignments(scope: Scope):
    return Assignment.objects.in_scope(scope).active()
