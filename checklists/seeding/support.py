"""Station support (驻所帮扶), opinions (意见清单) and residencies (驻所) for
``manage.py seed_demo``: deterministic for a seed, bulk inserts only, no history rows.

- About six in ten cadres are registered as support officers with one to three skills.
- About one station in twenty (and always the demo station, user ``station``) has requests,
  cycling through every status; assigned, confirmed and completed ones get officers of the
  headquarters over the station with a needed skill who are free on those dates (checked in
  memory, the same rule as the service); completed covers carry hours and incidents.
- About one station in twenty (and the demo station) has opinions, four in ten anonymous
  (no user stored); a third are accepted, linked to one of the station's seeded problems
  (so the seeded problem counts stay those of Hubei), a sixth dismissed with a reason.
- Every leader resides at a station of their bureau's subtree for five days with a log of
  the ten ones for each day up to ``today``.
"""

import datetime as dt
import random
from collections import defaultdict
from zoneinfo import ZoneInfo

from checklists.models import (
    Opinion,
    OpinionStatus,
    Problem,
    ProblemCategory,
    Residency,
    ResidencyLog,
    Skill,
    SupportCover,
    SupportOfficer,
    SupportRequest,
    SupportStatus,
)
from checklists.services.residency import ten_ones_items
from liaison.models import Role, User
from stations.models import Station
from stations.scope import ancestor_paths, path_within

BATCH_SIZE = 5000
SHANGHAI = ZoneInfo("Asia/Shanghai")
OFFICER_SHARE = 0.6
REQUEST_SHARE = 0.05
OPINION_SHARE = 0.05
DEMO_STATION_USER = "station"
CYCLE = (
    SupportStatus.COMPLETED,
    SupportStatus.CONFIRMED,
    SupportStatus.ASSIGNED,
    SupportStatus.SUBMITTED,
    SupportStatus.COMPLETED,
    SupportStatus.CANCELLED,
    SupportStatus.DECLINED,
)
KINDS = ("holiday", "window_peak", "campaign", "other")
NOTES = {
    "holiday": "节日期间民警轮休，值班警力不足。",
    "window_peak": "开学前户籍窗口办证量激增，需增派熟悉户籍业务的民警。",
    "campaign": "开展夏季治安打击整治专项行动，需抽调警力支援。",
    "other": "所长参加集中培训，需临时替岗。",
}
OPINIONS = [
    "夜间值班只有两人，接处警压力大，建议增配辅警。",
    "执法记录仪电池老化，续航不足半天。",
    "户籍系统经常卡顿，群众排队时间长。",
    "社区民警兼职过多，入户走访时间难以保证。",
    "办案区视频监控存在盲区，建议整改。",
    "警用车辆车况较差，出警时有故障。",
]
DISMISS = "经核实，该问题已于上月整改到位。"


def _officers(rng: random.Random) -> dict[str, list[tuple[int, frozenset[int]]]]:
    """Register officers among the cadres; their (id, skill ids) by bureau path."""
    skills = list(Skill.objects.active().values_list("pk", flat=True))
    if not skills:
        return {}
    cadres = (
        User.objects.filter(role=Role.CADRE, is_active=True, bureau__isnull=False)
        .order_by("username")
        .values_list("pk", "bureau__path")
    )
    chosen = [(pk, path) for pk, path in cadres if rng.random() < OFFICER_SHARE]
    existing = set(SupportOfficer.objects.values_list("user_id", flat=True))
    chosen = [(pk, path) for pk, path in chosen if pk not in existing]
    officers = SupportOfficer.objects.bulk_create(
        [SupportOfficer(user_id=pk) for pk, _path in chosen], batch_size=BATCH_SIZE
    )
    through, by_path = [], defaultdict(list)
    for officer, (_pk, path) in zip(officers, chosen, strict=True):
        mine = frozenset(rng.sample(skills, rng.randint(1, min(3, len(skills)))))
        through += [
            SupportOfficer.skills.through(supportofficer_id=officer.pk, skill_id=s) for s in mine
        ]
        by_path[path].append((officer.pk, mine))
    SupportOfficer.skills.through.objects.bulk_create(through, batch_size=BATCH_SIZE)
    return by_path


def _dates(status: str, rng: random.Random, today: dt.date) -> tuple[dt.date, dt.date]:
    if status == SupportStatus.COMPLETED:
        start = today - dt.timedelta(days=rng.randint(10, 150))
    elif status == SupportStatus.CONFIRMED:
        start = today - dt.timedelta(days=rng.randint(0, 2))
    else:
        start = today + dt.timedelta(days=rng.randint(3, 40))
    return start, start + dt.timedelta(days=rng.randint(0, 6))


def _requesting_stations(rng: random.Random):
    users = (
        User.objects.filter(role=Role.STATION, is_active=True, station__active=True)
        .order_by("username")
        .values_list("pk", "username", "station_id", "station__bureau__path")
    )
    seen, out = set(), []
    for pk, username, station_id, path in users:
        if station_id in seen:
            continue
        if username == DEMO_STATION_USER or rng.random() < REQUEST_SHARE:
            seen.add(station_id)
            out.append((pk, username, station_id, path))
    return out


def _seed_requests(rng, today, officers, bureau_staff) -> dict[str, int]:
    skills = list(Skill.objects.active().values_list("pk", flat=True))
    busy: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    requests, wanted, staffed = [], [], []
    for i, (user_id, username, station_id, path) in enumerate(_requesting_stations(rng)):
        statuses = CYCLE if username == DEMO_STATION_USER else (CYCLE[i % len(CYCLE)],)
        for status in statuses:
            start, end = _dates(status, rng, today)
            needed = frozenset(rng.sample(skills, rng.randint(1, min(2, len(skills)))))
            count = rng.randint(1, 2)
            chosen = []
            if status in (SupportStatus.ASSIGNED, SupportStatus.CONFIRMED, SupportStatus.COMPLETED):
                pool = [o for p in ancestor_paths(path) for o in officers.get(p, [])]
                rng.shuffle(pool)
                for pk, mine in pool:
                    free = all(e < start or s > end for s, e in busy[pk])
                    if mine & needed and free and len(chosen) < count:
                        chosen.append(pk)
                if not chosen:  # nobody suitable is free: the bureau had to decline
                    status = SupportStatus.DECLINED if start <= today else SupportStatus.SUBMITTED
                count = len(chosen) or count
                for pk in chosen:
                    busy[pk].append((start, end))
            created = dt.datetime.combine(
                start - dt.timedelta(days=rng.randint(3, 14)), dt.time(9), tzinfo=SHANGHAI
            )
            kind = rng.choice(KINDS)
            closer = bureau_staff.get(path)
            confirmed = status in (SupportStatus.CONFIRMED, SupportStatus.COMPLETED)
            requests.append(
                SupportRequest(
                    station_id=station_id,
                    requested_by_id=user_id,
                    kind=kind,
                    start_date=start,
                    end_date=end,
                    officers_needed=count,
                    note=NOTES[kind],
                    status=status,
                    created_at=created,
                    confirmed_by_id=user_id if confirmed else None,
                    confirmed_at=created + dt.timedelta(days=2) if confirmed else None,
                    closed_by_id=(
                        user_id
                        if status == SupportStatus.CANCELLED
                        else closer
                        if status == SupportStatus.DECLINED
                        else None
                    ),
                    decline_reason=(
                        "同期全市开展专项行动，机关警力已全部下沉，无法派员。"
                        if status == SupportStatus.DECLINED
                        else ""
                    ),
                )
            )
            wanted.append(needed)
            staffed.append((chosen, closer or user_id, created))
    SupportRequest.objects.bulk_create(requests, batch_size=BATCH_SIZE)
    SupportRequest.skills.through.objects.bulk_create(
        [
            SupportRequest.skills.through(supportrequest_id=r.pk, skill_id=s)
            for r, needed in zip(requests, wanted, strict=True)
            for s in sorted(needed)
        ],
        batch_size=BATCH_SIZE,
    )
    covers = []
    for r, (chosen, assigner, created) in zip(requests, staffed, strict=True):
        for pk in chosen:
            done = r.status == SupportStatus.COMPLETED
            days = (r.end_date - r.start_date).days + 1
            covers.append(
                SupportCover(
                    request=r,
                    officer_id=pk,
                    start_date=r.start_date,
                    end_date=r.end_date,
                    assigned_by_id=assigner,
                    assigned_at=created + dt.timedelta(days=1),
                    hours=rng.randint(6 * days, 10 * days) if done else None,
                    incidents=rng.randint(0, 4 * days) if done else None,
                    recorded_by_id=r.requested_by_id if done else None,
                    recorded_at=(
                        dt.datetime.combine(r.end_date, dt.time(18), tzinfo=SHANGHAI)
                        if done
                        else None
                    ),
                )
            )
    SupportCover.objects.bulk_create(covers, batch_size=BATCH_SIZE)
    return {"requests": len(requests), "covers": len(covers)}


def _seed_opinions(rng, today, bureau_staff) -> int:
    categories = list(ProblemCategory.objects.active().values_list("pk", flat=True))
    if not categories:
        return 0
    stations = _requesting_stations(random.Random(rng.random()))
    problems = defaultdict(list)
    station_ids = [s[2] for s in stations]
    for pk, station_id in (
        Problem.objects.filter(station_id__in=station_ids, opinion__isnull=True)
        .order_by("pk")
        .values_list("pk", "station_id")
    ):
        problems[station_id].append(pk)
    opinions = []
    for user_id, _username, station_id, path in stations:
        for _ in range(rng.randint(2, 4)):
            anonymous = rng.random() < 0.4
            submitted = dt.datetime.combine(
                today - dt.timedelta(days=rng.randint(1, 120)), dt.time(20), tzinfo=SHANGHAI
            )
            roll = rng.random()
            reviewer = bureau_staff.get(path)
            status, problem = OpinionStatus.SUBMITTED, None
            if roll < 1 / 3 and problems[station_id] and reviewer:
                status, problem = OpinionStatus.ACCEPTED, problems[station_id].pop()
            elif roll < 0.5 and reviewer:
                status = OpinionStatus.DISMISSED
            opinions.append(
                Opinion(
                    station_id=station_id,
                    category_id=rng.choice(categories),
                    text=rng.choice(OPINIONS),
                    anonymous=anonymous,
                    submitted_by_id=None if anonymous else user_id,
                    submitted_at=submitted,
                    status=status,
                    reviewed_by_id=reviewer if status != OpinionStatus.SUBMITTED else None,
                    reviewed_at=(
                        submitted + dt.timedelta(days=2)
                        if status != OpinionStatus.SUBMITTED
                        else None
                    ),
                    dismiss_reason=DISMISS if status == OpinionStatus.DISMISSED else "",
                    problem_id=problem,
                )
            )
    Opinion.objects.bulk_create(opinions, batch_size=BATCH_SIZE)
    return len(opinions)


def _seed_residencies(rng, today, bureau_staff) -> int:
    items = ten_ones_items()
    leaders = list(
        User.objects.filter(role=Role.LEADER, is_active=True, bureau__isnull=False)
        .order_by("username")
        .values_list("pk", "bureau__path")
    )
    stations = list(Station.objects.active().order_by("code").values_list("pk", "bureau__path"))
    residencies = []
    for leader, path in leaders:
        mine = [pk for pk, p in stations if path_within(p, path)]
        creator = bureau_staff.get(path)
        if not mine or creator is None or not items:
            continue
        start = today - dt.timedelta(days=rng.randint(1, 3))
        residencies.append(
            Residency(
                leader_id=leader,
                station_id=rng.choice(mine),
                start_date=start,
                end_date=start + dt.timedelta(days=4),
                created_by_id=creator,
                created_at=dt.datetime.combine(start, dt.time(8), tzinfo=SHANGHAI),
            )
        )
    Residency.objects.bulk_create(residencies, batch_size=BATCH_SIZE)
    logs = []
    for r in residencies:
        day = r.start_date
        while day <= min(r.end_date, today):
            picked = set(rng.sample([c for c, _l in items], rng.randint(3, min(6, len(items)))))
            logs.append(
                ResidencyLog(
                    residency=r,
                    day=day,
                    activities=[{"code": c, "label": lbl} for c, lbl in items if c in picked],
                    logged_by_id=r.leader_id,
                    logged_at=dt.datetime.combine(day, dt.time(21), tzinfo=SHANGHAI),
                )
            )
            day += dt.timedelta(days=1)
    ResidencyLog.objects.bulk_create(logs, batch_size=BATCH_SIZE)
    return len(residencies)


class _Offices:
    """For a bureau path: the liaison office (a bureau staff user) of the nearest bureau at
    or above it, or None."""

    def __init__(self):
        users = User.objects.filter(role=Role.BUREAU, is_active=True).order_by("username")
        self.by_path: dict[str, int] = {}
        for path, pk in users.values_list("bureau__path", "pk"):
            self.by_path.setdefault(path, pk)

    def get(self, path, default=None):
        found = (self.by_path[p] for p in reversed(ancestor_paths(path)) if p in self.by_path)
        return next(found, default)


def seed_support(*, seed: int, today: dt.date) -> dict[str, int]:
    """Write officers, requests and covers, opinions and residencies; returns counts."""
    rng = random.Random(f"support:{seed}")
    officers = _officers(rng)
    bureau_staff = _Offices()
    counts = _seed_requests(rng, today, officers, bureau_staff)
    counts["officers"] = sum(len(v) for v in officers.values())
    counts["opinions"] = _seed_opinions(rng, today, bureau_staff)
    counts["residencies"] = _seed_residencies(rng, today, bureau_staff)
    return counts
