"""The plan of a year of visits for every seeded assignment (pure: no queries, no clock).

Each assignment draws from its own ``random.Random(f"{seed}:visits:{station code}")`` and
every period consumes the same number of draws, so one seed always gives the same visits and
a later ``today`` only adds visits (the past stays as it was). What happened on or after
``today`` is left out: visits are placed and logged before today's local midnight.

Most required periods get one unannounced visit on a random day between 08:00 and 21:00;
a few get none, a few only a visit that lacks one attestation (it does not count), some
visits are logged one to three days later (a late log after the period ended makes the
period met, but not on time), and most carry a browser position near the station (a few
far away).
"""

import datetime as dt
import itertools
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from liaison import rules
from liaison.models.visits import ATTESTATIONS
from liaison.periods import Period, next_period, period_containing
from liaison.seeding.plan import CadrePlan, Plan, StationPlan
from stations.models import Tier

# Checklist snapshots as the visit form stores them, copied from the default checklist
# templates (checklists/migrations/0002_seed_defaults.py: liaison must not import checklists).
# Generated data, not interface text: what the templates said when the visit was logged.
INSPECTION_AREAS = (
    {"code": "jiechujing", "label": "接处警"},
    {"code": "shoulian", "label": "受立案"},
    {"code": "xinxi-luru", "label": "信息录入"},
    {"code": "banan-changsuo", "label": "执法办案场所"},
    {"code": "xinfang-chuangkou", "label": "信访窗口"},
    {"code": "huji-chuangkou", "label": "户籍窗口"},
    {"code": "zhiban-beiqin", "label": "值班备勤"},
    {"code": "jingyong-zhuangbei", "label": "警用装备"},
)
TEN_ONES = (
    {"code": "tanxin-tanhua", "label": "开展一次谈心谈话"},
    {"code": "zuotanhui", "label": "召开一次座谈会"},
    {"code": "chenhui-dianming", "label": "参加一次晨会/点名"},
    {"code": "banan-changsuo", "label": "查看一次执法办案场所"},
    {"code": "jiechujing", "label": "检查一次接处警情况"},
    {"code": "zoufang-qunzhong", "label": "走访一次辖区群众"},
    {"code": "zhongdian-gongzuo", "label": "督导一项重点工作"},
    {"code": "shiji-wenti", "label": "解决一个实际问题"},
    {"code": "zhuanti-dangke", "label": "上一次专题党课/讲一次课"},
    {"code": "zoufang-jilu", "label": "留下一份走访记录"},
)
FINDINGS = (
    "",
    "",
    "",
    "未发现明显问题。",
    "执法记录仪使用不规范，已当场指出。",
    "接处警登记不完整。",
    "值班备勤室环境较差，需改善。",
    "案卷材料归档不及时。",
    "辖区群众反映夜间巡逻不足。",
)

NO_VISIT = 0.05  # share of periods without any visit
NOT_ALL_SIX = 0.03  # share of periods whose only visit lacks one attestation
SECOND_VISIT = {Tier.PROVINCE: 0.2, Tier.CITY: 0.1, Tier.COUNTY: 0.03}
LOGGED_LATER = 0.12  # share of visits logged one to three days after they took place
LOCATED = 0.6  # share of visits with a browser position
FAR = 0.03  # share of positioned visits made far from the station
FIRST_MINUTE, LAST_MINUTE = 8 * 60, 21 * 60  # visits between 08:00 and 21:00 local time
METRES_PER_DEGREE = 111_320

# How a period ends up, when it is not left to the draw.
NONE, NOT_COUNTED, ON_TIME, LATE = "none", "not_counted", "on_time", "late"
# The memorable "cadre": this week not yet visited, last week met, the week before met only
# by a visit logged after the week ended, the week before that only a visit that lacks
# "no escort". Older weeks are all met.
MEMORABLE_PERIODS = {0: NONE, 1: ON_TIME, 2: LATE, 3: NOT_COUNTED}
# demo only: county cadres not visiting yet this week (due soon at the weekend), and county
# cadres who missed last week.
DEMO_DUE_SOON, DEMO_MISSED_LAST = 3, 3


@dataclass(frozen=True, slots=True)
class VisitPlan:
    station: str
    visited_at: dt.datetime
    logged_at: dt.datetime
    missing: str | None  # the attestation left out; None: unannounced (all six)
    inspected: list[dict]
    activities: list[dict]
    findings: str
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    accuracy_m: int | None = None
    distance_m: int | None = None
    far_from_station: bool = False


@dataclass(frozen=True, slots=True)
class _Draw:
    """The random values of one visit."""

    day: int  # index into the period's days
    minute: int
    later: int  # days between the visit and logging it; 0: the same day
    log_minute: int  # minutes after the visit (same day) or after midnight (later)
    position: tuple[float, float, int] | None  # distance m, bearing rad, accuracy m
    inspected: list[dict]
    activities: list[dict]
    findings: str
    missing: str


def _subsets(items: tuple[dict, ...], smallest: int, largest: int) -> list[list[dict]]:
    """Every choice of ``smallest`` to ``largest`` items, each in checklist order."""
    return [
        list(chosen)
        for k in range(smallest, largest + 1)
        for chosen in itertools.combinations(items, k)
    ]


# Drawing an index into these is much cheaper than ``rng.sample`` a million times.
AREA_CHOICES = _subsets(INSPECTION_AREAS, 2, 5)
ACTIVITY_CHOICES = _subsets(TEN_ONES, 3, 7)


def _pick(rng: random.Random, items):
    return items[int(rng.random() * len(items))]


def _draw(rng: random.Random, days: int) -> _Draw:
    # rng.random() only: randrange and sample cost several times more per call.
    r = rng.random
    later = 1 + int(r() * 3) if r() < LOGGED_LATER else 0
    position = None
    if r() < LOCATED:
        distance = 2_000 + r() * 13_000 if r() < FAR else r() * 400
        position = (distance, r() * 2 * math.pi, 8 + int(r() * 113))
    return _Draw(
        day=int(r() * days),
        minute=FIRST_MINUTE + int(r() * (LAST_MINUTE - FIRST_MINUTE)),
        later=later,
        log_minute=5 + int(r() * 166) if not later else 8 * 60 + int(r() * 14 * 60),
        position=position,
        inspected=_pick(rng, AREA_CHOICES),
        activities=_pick(rng, ACTIVITY_CHOICES),
        findings=_pick(rng, FINDINGS),
        missing=_pick(rng, ATTESTATIONS),
    )


def _position(station: StationPlan, position) -> dict:
    if position is None or station.latitude is None or station.longitude is None:
        return {}
    distance, bearing, accuracy = position
    lat0, lon0 = float(station.latitude), float(station.longitude)
    lat = lat0 + distance * math.cos(bearing) / METRES_PER_DEGREE
    lon = lon0 + distance * math.sin(bearing) / (METRES_PER_DEGREE * math.cos(math.radians(lat0)))
    measured = rules.distance_m(lat, lon, lat0, lon0)
    return {
        "latitude": Decimal(f"{lat:.6f}"),
        "longitude": Decimal(f"{lon:.6f}"),
        "accuracy_m": accuracy,
        "distance_m": measured,
        "far_from_station": rules.is_far_from_station(distance=measured, accuracy=accuracy),
    }


def _visit(station, draw: _Draw, day: dt.date, tz, *, missing=None, later=None) -> VisitPlan:
    midnight = dt.datetime.combine(day, dt.time(), tzinfo=tz)
    visited_at = midnight + dt.timedelta(minutes=draw.minute)
    later = draw.later if later is None else later
    if later:
        logged_at = midnight + dt.timedelta(days=later, minutes=draw.log_minute)
    else:
        logged_at = visited_at + dt.timedelta(minutes=draw.log_minute)
    return VisitPlan(
        station=station.code,
        visited_at=visited_at,
        logged_at=logged_at,
        missing=missing,
        inspected=draw.inspected,
        activities=draw.activities,
        findings=draw.findings,
        **_position(station, draw.position),
    )


def _period_visits(
    tier: str, station: StationPlan, period: Period, first: dt.date, rng, tz, outcome
) -> list[VisitPlan]:
    # The draws depend on the roll only, never on ``outcome`` (which moves with ``today``):
    # so the same seed gives the same past whatever the day of seeding.
    days = (period[1] - first).days + 1
    roll, second = rng.random(), rng.random() < SECOND_VISIT[tier]
    one = _draw(rng, days)
    two = _draw(rng, days) if second else None

    def on(draw):
        return first + dt.timedelta(days=draw.day)

    if outcome is None:
        if roll < NO_VISIT:
            return []
        if roll < NO_VISIT + NOT_ALL_SIX:
            return [_visit(station, one, on(one), tz, missing=one.missing)]
        visits = [_visit(station, one, on(one), tz)]
        if two:
            visits.append(_visit(station, two, on(two), tz))
        return visits
    if outcome == NONE:
        return []
    if outcome == NOT_COUNTED:
        return [_visit(station, one, on(one), tz, missing="no_escort")]
    if outcome == LATE:
        return [_visit(station, one, period[1], tz, later=2)]
    # ON_TIME: any day but the last, logged the same day.
    day = first + dt.timedelta(days=one.day % max(days - 1, 1))
    return [_visit(station, one, day, tz, later=0)]


def _assignment_visits(
    cadre: CadrePlan, station: StationPlan, *, seed, start, today, tz, outcomes
) -> Iterator[VisitPlan]:
    rng = random.Random(f"{seed}:visits:{station.code}")
    now = dt.datetime.combine(today, dt.time(), tzinfo=tz)
    periods = []
    period = period_containing(cadre.tier, start)
    while period[0] < today:
        periods.append(period)
        period = next_period(cadre.tier, period)
    for index, period in enumerate(periods):
        back = len(periods) - 1 - index  # 0: the current period
        first = max(period[0], start)
        visits = _period_visits(
            cadre.tier, station, period, first, rng, tz, outcomes(back) if outcomes else None
        )
        yield from (v for v in visits if v.logged_at < now)


def _forced_outcomes(plan: Plan, seed: int) -> dict[str, object]:
    """Station code → a function from "periods back" to a fixed outcome (or None: drawn)."""
    forced: dict[str, object] = {}
    for cadre in plan.cadres:
        if cadre.user.username == "cadre" and cadre.station:
            forced[cadre.station] = lambda back: MEMORABLE_PERIODS.get(back, ON_TIME)
    if plan.scale == "demo":
        rng = random.Random(f"{seed}:demo-periods")
        county = sorted(
            c.station
            for c in plan.cadres
            if c.tier == Tier.COUNTY and c.station and c.station not in forced
        )
        picked = rng.sample(county, DEMO_DUE_SOON + DEMO_MISSED_LAST)
        for code in picked[:DEMO_DUE_SOON]:
            forced[code] = lambda back: NONE if back == 0 else None
        for code in picked[DEMO_DUE_SOON:]:
            forced[code] = lambda back: NONE if back == 1 else None
    return forced


def plan_visits(
    plan: Plan, *, seed: int, start: dt.date, today: dt.date, tz: dt.tzinfo
) -> Iterator[VisitPlan]:
    """Every visit of every assignment in ``plan`` from ``start`` until the day before
    ``today``, in local time ``tz``. Lazily: a national year is over a million visits."""
    stations = {s.code: s for s in plan.stations}
    forced = _forced_outcomes(plan, seed)
    for cadre in plan.cadres:
        if cadre.station:
            yield from _assignment_visits(
                cadre,
                stations[cadre.station],
                seed=seed,
                start=start,
                today=today,
                tz=tz,
                outcomes=forced.get(cadre.station),
            )
