"""The assignment planner: pure rules, plain frozen dataclasses in and out, no queries.

Given the uncovered active stations and the free active cadres in a scope, the per-tier
targets of the 20/30/50 split and the current per-tier counts, propose one cadre for every
uncovered station such that

- each cadre covers a station inside their jurisdiction (``liaison.rules.in_jurisdiction``),
- each cadre covers at most one station and each station gets exactly one cadre,
- no tier goes beyond its target: tier ``t`` receives at most ``max(0, target - actual)``.

That is a maximum flow. Stations and cadres are grouped, so the graph stays small even for
40,000 stations (a few thousand nodes)::

    source ─need─▶ tier ─free─▶ cadre group ──▶ station group ─uncovered─▶ sink
                                (tier, home bureau)   (station bureau)

A flow that saturates every sink edge is a complete plan; otherwise the flow is the best
partial plan (as many stations as possible without breaking the split) and the reasons say
exactly what is missing. The group flows are expanded into concrete (station, cadre) pairs in
a fixed order (stations by code, name, id; cadres by name, id), so equal inputs in any order
give the same plan and the same digest.

The split rule is per province: ``plan_by_province`` runs the flow once for each province
with that province's own targets and counts (a cadre never leaves their province anyway)
and merges the results; with one province it is ``plan_assignments`` itself.
"""

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import ngettext_lazy, pgettext

from liaison.maxflow import FlowGraph
from liaison.rules import in_jurisdiction
from stations.models import Tier
from stations.split import SPLIT_PERCENT, tier_targets

TIERS: tuple[str, ...] = tuple(SPLIT_PERCENT)  # province, city, county

# Local cadres first: the flow search tries county cadres, then city, then province, so a
# county's own cadres take its stations before higher tiers fill the rest.
FILL_ORDER: tuple[str, ...] = tuple(reversed(TIERS))


@dataclass(frozen=True)
class PlanStation:
    """An uncovered active station; ``bureau_name`` is its county (or 省直管 city)."""

    id: int
    name: str
    bureau_path: str
    code: str = ""
    bureau_name: str = ""

    @property
    def sort_key(self) -> tuple:
        return (self.code, self.name, self.id)


@dataclass(frozen=True)
class PlanCadre:
    """A free active cadre; ``bureau_path``/``bureau_name`` are the home bureau's."""

    id: int
    name: str
    tier: str
    bureau_path: str
    bureau_name: str = ""

    @property
    def sort_key(self) -> tuple:
        return (self.name, self.id)

    @property
    def tier_label(self) -> str:
        return str(Tier(self.tier).label)


@dataclass(frozen=True)
class Pair:
    station: PlanStation
    cadre: PlanCadre


@dataclass(frozen=True)
class TierLine:
    """One tier of the split: its target, the count before and after the plan."""

    tier: str
    target: int
    before: int
    after: int
    free: int  # free cadres of this tier given to the planner

    @property
    def need(self) -> int:
        return max(0, self.target - self.before)

    @property
    def proposed(self) -> int:
        return self.after - self.before

    @property
    def deviation(self) -> int:
        return self.after - self.target

    @property
    def percent(self) -> int:
        return SPLIT_PERCENT[self.tier]

    @property
    def label(self) -> str:
        return str(Tier(self.tier).label)


# Reason messages: lazy plurals whose third argument names the parameter that chooses the
# plural form (``ngettext_lazy(singular, plural, "count") % {"count": 3}``). Tier
# reasons have one whole sentence per tier, so no translated fragment is glued into another.
_TIER_MESSAGES: dict[tuple[str, str], object] = {
    ("tier_over", "province"): ngettext_lazy(
        "The province tier already exceeds its target by %(over)d station; the planner "
        "only fills uncovered stations and does not move existing assignments.",
        "The province tier already exceeds its target by %(over)d stations; the planner "
        "only fills uncovered stations and does not move existing assignments.",
        "over",
    ),
    ("tier_over", "city"): ngettext_lazy(
        "The city tier already exceeds its target by %(over)d station; the planner "
        "only fills uncovered stations and does not move existing assignments.",
        "The city tier already exceeds its target by %(over)d stations; the planner "
        "only fills uncovered stations and does not move existing assignments.",
        "over",
    ),
    ("tier_over", "county"): ngettext_lazy(
        "The county tier already exceeds its target by %(over)d station; the planner "
        "only fills uncovered stations and does not move existing assignments.",
        "The county tier already exceeds its target by %(over)d stations; the planner "
        "only fills uncovered stations and does not move existing assignments.",
        "over",
    ),
    ("tier_short", "province"): ngettext_lazy(
        "The province tier needs %(need)d more cadre but has only %(free)d free.",
        "The province tier needs %(need)d more cadres but has only %(free)d free.",
        "need",
    ),
    ("tier_short", "city"): ngettext_lazy(
        "The city tier needs %(need)d more cadre but has only %(free)d free.",
        "The city tier needs %(need)d more cadres but has only %(free)d free.",
        "need",
    ),
    ("tier_short", "county"): ngettext_lazy(
        "The county tier needs %(need)d more cadre but has only %(free)d free.",
        "The county tier needs %(need)d more cadres but has only %(free)d free.",
        "need",
    ),
    ("tier_idle", "province"): ngettext_lazy(
        "%(idle)d free province cadre stays unused: no station left uncovered lies "
        "within their jurisdiction.",
        "%(idle)d free province cadres stay unused: no station left uncovered lies "
        "within their jurisdiction.",
        "idle",
    ),
    ("tier_idle", "city"): ngettext_lazy(
        "%(idle)d free city cadre stays unused: no station left uncovered lies "
        "within their jurisdiction.",
        "%(idle)d free city cadres stay unused: no station left uncovered lies "
        "within their jurisdiction.",
        "idle",
    ),
    ("tier_idle", "county"): ngettext_lazy(
        "%(idle)d free county cadre stays unused: no station left uncovered lies "
        "within their jurisdiction.",
        "%(idle)d free county cadres stay unused: no station left uncovered lies "
        "within their jurisdiction.",
        "idle",
    ),
}

_UNIT_MESSAGES: dict[str, object] = {
    "unit_no_cadre": ngettext_lazy(
        "%(count)d uncovered station in %(unit)s has no eligible free cadre.",
        "%(count)d uncovered stations in %(unit)s have no eligible free cadre.",
        "count",
    ),
    "unit_left": ngettext_lazy(
        "%(count)d uncovered station in %(unit)s stays uncovered: every free cadre who may "
        "cover it (%(eligible)d in all) is already placed in this plan or belongs to a "
        "tier that has reached its target.",
        "%(count)d uncovered stations in %(unit)s stay uncovered: every free cadre who may "
        "cover them (%(eligible)d in all) is already placed in this plan or belongs to a "
        "tier that has reached its target.",
        "count",
    ),
}


@dataclass(frozen=True)
class Reason:
    """Why the plan is not complete: a code, the tier or unit it is about, and numbers.

    ``message`` renders it in the active language; tests compare codes and parameters.
    """

    code: str
    params: tuple[tuple[str, object], ...]

    @classmethod
    def of(cls, code: str, **params) -> "Reason":
        return cls(code, tuple(sorted(params.items())))

    @property
    def values(self) -> dict[str, object]:
        return dict(self.params)

    def in_province(self, name: str) -> "Reason":
        """The same reason about one province of several: the message names the province.
        A unit reason already names its county, so it stays as it is."""
        if self.code in _UNIT_MESSAGES:
            return self
        return Reason.of(self.code, **self.values, province=name)

    @property
    def message(self) -> str:
        values = self.values
        if self.code in _UNIT_MESSAGES:
            lazy = _UNIT_MESSAGES[self.code]
        else:
            lazy = _TIER_MESSAGES[(self.code, values["tier"])]
        text = str(lazy % values)
        if "province" in values:
            return pgettext("planner", "%(province)s: %(reason)s") % {
                "province": values["province"],
                "reason": text,
            }
        return text

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Province:
    """One province of the scope: its active stations in scope and the covered per tier."""

    code: str
    name: str
    total: int
    actual: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ProvincePlan:
    code: str
    name: str
    plan: "Plan"


@dataclass(frozen=True)
class Plan:
    pairs: tuple[Pair, ...]
    reasons: tuple[Reason, ...]
    tiers: tuple[TierLine, ...]  # summed over the provinces when there are several
    uncovered_before: int
    provinces: tuple[ProvincePlan, ...] = ()  # each province's own plan, when several

    @property
    def uncovered_after(self) -> int:
        return self.uncovered_before - len(self.pairs)

    @property
    def complete(self) -> bool:
        """Every station covered and every tier exactly on target (in every province)."""
        return (
            self.uncovered_after == 0
            and all(line.deviation == 0 for line in self.tiers)
            and all(part.plan.complete for part in self.provinces)
        )

    @property
    def before(self) -> dict[str, int]:
        return {line.tier: line.before for line in self.tiers}

    @property
    def after(self) -> dict[str, int]:
        return {line.tier: line.after for line in self.tiers}

    @property
    def targets(self) -> dict[str, int]:
        return {line.tier: line.target for line in self.tiers}

    def digest(self) -> str:
        """What the reviewer saw: sha256 over the sorted (station id, cadre id) pairs."""
        lines = sorted((p.station.id, p.cadre.id) for p in self.pairs)
        text = "\n".join(f"{station}:{cadre}" for station, cadre in lines)
        return hashlib.sha256(text.encode()).hexdigest()


def province_of(bureau_path: str) -> str:
    """The province's code: the first code of a bureau path ("420000/420100" → "420000")."""
    return bureau_path.split("/", 1)[0]


def plan_by_province(
    *,
    stations: Iterable[PlanStation],
    cadres: Iterable[PlanCadre],
    provinces: Iterable[Province],
) -> Plan:
    """Plan each province with its own 20/30/50 targets (``tier_targets`` of its total) and
    counts, and merge: pairs together, tier lines summed, each tier reason naming its
    province. A province of a station or cadre missing from ``provinces`` counts 0."""
    known = {p.code: p for p in provinces}
    station_groups: dict[str, list[PlanStation]] = defaultdict(list)
    for station in stations:
        station_groups[province_of(station.bureau_path)].append(station)
    cadre_groups: dict[str, list[PlanCadre]] = defaultdict(list)
    for cadre in cadres:
        cadre_groups[province_of(cadre.bureau_path)].append(cadre)
    for code in (*station_groups, *cadre_groups):
        known.setdefault(code, Province(code, code, 0))
    parts = [
        ProvincePlan(
            code,
            known[code].name,
            plan_assignments(
                stations=station_groups[code],
                cadres=cadre_groups[code],
                targets=tier_targets(known[code].total),
                actual=known[code].actual,
            ),
        )
        for code in sorted(known)
    ]
    if len(parts) == 1:
        return parts[0].plan
    if not parts:
        return plan_assignments(stations=(), cadres=(), targets={}, actual={})
    pairs = sorted(
        (pair for part in parts for pair in part.plan.pairs),
        key=lambda p: (p.station.bureau_path, *p.station.sort_key),
    )
    lines = [line for part in parts for line in part.plan.tiers]
    tiers = tuple(
        TierLine(
            tier=t,
            target=sum(line.target for line in lines if line.tier == t),
            before=sum(line.before for line in lines if line.tier == t),
            after=sum(line.after for line in lines if line.tier == t),
            free=sum(line.free for line in lines if line.tier == t),
        )
        for t in TIERS
    )
    return Plan(
        pairs=tuple(pairs),
        reasons=tuple(r.in_province(part.name) for part in parts for r in part.plan.reasons),
        tiers=tiers,
        uncovered_before=sum(part.plan.uncovered_before for part in parts),
        provinces=tuple(parts),
    )


def plan_assignments(
    *,
    stations: Iterable[PlanStation],
    cadres: Iterable[PlanCadre],
    targets: Mapping[str, int],
    actual: Mapping[str, int],
) -> Plan:
    """Propose one free cadre for every uncovered station, meeting the split targets."""
    stations = sorted(stations, key=lambda s: (s.bureau_path, *s.sort_key))
    cadres = sorted(
        (c for c in cadres if c.tier in SPLIT_PERCENT),
        key=lambda c: (FILL_ORDER.index(c.tier), c.bureau_path, *c.sort_key),
    )
    need = {t: max(0, targets.get(t, 0) - actual.get(t, 0)) for t in TIERS}

    # Groups, in a fixed order: station groups by bureau path, cadre groups by (tier, path).
    station_groups: dict[str, list[PlanStation]] = defaultdict(list)
    for station in stations:
        station_groups[station.bureau_path].append(station)
    cadre_groups: dict[tuple[str, str], list[PlanCadre]] = defaultdict(list)
    for cadre in cadres:
        cadre_groups[(cadre.tier, cadre.bureau_path)].append(cadre)
    sg_paths = list(station_groups)
    cg_keys = list(cadre_groups)

    # Station groups under each bureau path, so a cadre group finds the groups in its
    # jurisdiction without comparing every pair of groups.
    under: dict[str, list[int]] = defaultdict(list)
    for index, path in enumerate(sg_paths):
        parts = path.split("/")
        for depth in range(1, len(parts) + 1):
            under["/".join(parts[:depth])].append(index)

    source, sink = 0, 1
    tier_node = {t: 2 + i for i, t in enumerate(FILL_ORDER)}
    cg_node = {key: 2 + len(TIERS) + i for i, key in enumerate(cg_keys)}
    sg_base = 2 + len(TIERS) + len(cg_keys)
    graph = FlowGraph(sg_base + len(sg_paths))

    for tier in FILL_ORDER:
        graph.add_edge(source, tier_node[tier], need[tier])
    links: list[tuple[tuple[str, str], int, int]] = []  # (cadre group, station group, edge)
    eligible = [0] * len(sg_paths)  # free cadres who may cover each station group
    for key in cg_keys:
        tier, path = key
        size = len(cadre_groups[key])
        graph.add_edge(tier_node[tier], cg_node[key], size)
        for index in under.get(path, ()):
            if not in_jurisdiction(cadre_bureau_path=path, station_bureau_path=sg_paths[index]):
                continue  # cannot happen for well-formed paths; the rule stays the authority
            capacity = min(size, len(station_groups[sg_paths[index]]))
            links.append((key, index, graph.add_edge(cg_node[key], sg_base + index, capacity)))
            eligible[index] += size
    for index, path in enumerate(sg_paths):
        graph.add_edge(sg_base + index, sink, len(station_groups[path]))

    graph.max_flow(source, sink)

    # Expand group flows into pairs: the next cadres of the group with the next stations.
    next_cadre = dict.fromkeys(cg_keys, 0)
    next_station = [0] * len(sg_paths)
    pairs: list[Pair] = []
    for key, index, edge in links:
        flow = graph.flow(edge)
        if not flow:
            continue
        group = station_groups[sg_paths[index]]
        chosen_cadres = cadre_groups[key][next_cadre[key] : next_cadre[key] + flow]
        chosen_stations = group[next_station[index] : next_station[index] + flow]
        next_cadre[key] += flow
        next_station[index] += flow
        pairs.extend(Pair(s, c) for s, c in zip(chosen_stations, chosen_cadres, strict=True))
    pairs.sort(key=lambda p: (p.station.bureau_path, *p.station.sort_key))

    placed = defaultdict(int)
    for pair in pairs:
        placed[pair.cadre.tier] += 1
    free = defaultdict(int)
    for cadre in cadres:
        free[cadre.tier] += 1
    tiers = tuple(
        TierLine(
            tier=t,
            target=targets.get(t, 0),
            before=actual.get(t, 0),
            after=actual.get(t, 0) + placed[t],
            free=free[t],
        )
        for t in TIERS
    )
    left = [group[next_station[i] :] for i, group in enumerate(station_groups.values())]
    reasons = _reasons(tiers=tiers, placed=placed, left=left, eligible=eligible)
    return Plan(
        pairs=tuple(pairs),
        reasons=tuple(reasons),
        tiers=tiers,
        uncovered_before=len(stations),
    )


def _reasons(
    *,
    tiers: tuple[TierLine, ...],
    placed: Mapping[str, int],
    left: list[list[PlanStation]],
    eligible: list[int],
) -> list[Reason]:
    """Explain an incomplete plan from the maximum flow.

    At a maximum flow no augmenting path is left, which makes each sentence below exact:
    a tier short of its target with idle cadres has no uncovered station in their reach, and
    an uncovered station's eligible cadres are all placed or their tier is full.
    """
    reasons = [
        Reason.of("tier_over", tier=line.tier, over=line.before - line.target)
        for line in tiers
        if line.before > line.target
    ]
    if not any(left):
        # Any remaining shortfall is the mirror image of a tier above its target.
        return reasons
    for line in tiers:
        if placed[line.tier] >= line.need:
            continue
        if line.free < line.need:
            reasons.append(Reason.of("tier_short", tier=line.tier, need=line.need, free=line.free))
        idle = line.free - placed[line.tier]
        if idle > 0:
            reasons.append(Reason.of("tier_idle", tier=line.tier, idle=idle))
    for stations, count in zip(left, eligible, strict=True):
        if not stations:
            continue
        unit = stations[0].bureau_name or stations[0].bureau_path
        if count == 0:
            reasons.append(Reason.of("unit_no_cadre", unit=unit, count=len(stations)))
        else:
            reasons.append(Reason.of("unit_left", unit=unit, count=len(stations), eligible=count))
    return reasons
