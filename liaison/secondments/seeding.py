"""Secondments (挂职) for ``manage.py seed_demo``: deterministic for a seed.

Wuhan's practice: one headquarters officer per Wuhan station each year (224 stations, 224
secondees), batches starting on 1 March. Seeded: last year's batch (ended, every secondee
assessed) and the current batch, about one in ten of which extends last year's secondment
at the same station. Absences are spread over each secondment up to yesterday, counted in
Chinese working days; every 25 secondments, one reaches a warning (10–12 working days), one
a serious warning (13–15) and one is not recognised (16 or more). Spot checks: one or two
per secondment. Without a Wuhan bureau (420100) the first city bureau with stations hosts
the batch. Bulk inserts only, no history rows; a fixed number of queries whatever the scale.
"""

import datetime as dt
import random
from zoneinfo import ZoneInfo

from faker import Faker

from liaison.models import (
    Absence,
    AbsenceKind,
    Role,
    Secondment,
    SecondmentAssessment,
    SecondmentGrade,
    SpotCheck,
    User,
)
from liaison.secondments import rules
from liaison.workdays import working_days
from stations.models import Bureau, Station, Tier
from stations.querysets import subtree_q
from stations.scope import Scope

WUHAN = "420100"
BATCH_SIZE = 5000
SHANGHAI = ZoneInfo("Asia/Shanghai")
EXTENDED_SHARE = 0.1
# Of every 25 secondments (by station code): which reach which standing.
PATTERN = {3: rules.Standing.WARNING, 11: rules.Standing.SERIOUS, 19: rules.Standing.NOT_RECOGNISED}
TARGETS = {
    rules.Standing.NORMAL: (0, 7),
    rules.Standing.WARNING: rules.standing_range(rules.Standing.WARNING),
    rules.Standing.SERIOUS: rules.standing_range(rules.Standing.SERIOUS),
    rules.Standing.NOT_RECOGNISED: (rules.RECOGNITION_LIMIT + 1, rules.RECOGNITION_LIMIT + 8),
}
KINDS = [AbsenceKind.PERSONAL] * 5 + [AbsenceKind.SICK] * 3 + [AbsenceKind.AWOL, AbsenceKind.OTHER]
NOTES = {
    AbsenceKind.PERSONAL: "回原单位处理个人事务",
    AbsenceKind.SICK: "病假，有医院证明",
    AbsenceKind.AWOL: "未请假离岗，所领导电话联系未到岗",
    AbsenceKind.OTHER: "原单位临时抽调",
}
GRADE_WEIGHTS = {
    SecondmentGrade.EXCELLENT: 20,
    SecondmentGrade.COMPETENT: 65,
    SecondmentGrade.BASIC: 10,
    SecondmentGrade.INCOMPETENT: 5,
}
COMMENTS = {
    SecondmentGrade.EXCELLENT: "挂职期间扎根基层，牵头化解多起矛盾纠纷，所内评价高。",
    SecondmentGrade.COMPETENT: "能够履行挂职副所长职责，参与值班备勤和社区警务工作。",
    SecondmentGrade.BASIC: "基本完成挂职任务，深入社区次数偏少。",
    SecondmentGrade.INCOMPETENT: "在岗时间不足，未完成挂职任务。",
}
FINDINGS_ABSENT = "抽查时不在岗，所内称其回原单位开会，未履行请假手续。"
FINDINGS_PRESENT = "在岗，正在参与接处警工作。"


def batch_start(today: dt.date) -> dt.date:
    """The first day of the current batch: 1 March of this year, or last year before it."""
    year = today.year if today >= dt.date(today.year, 3, 1) else today.year - 1
    return dt.date(year, 3, 1)


def host_city() -> Bureau | None:
    return (
        Bureau.objects.filter(code=WUHAN).first()
        or Bureau.objects.filter(tier=Tier.CITY, stations__isnull=False).order_by("code").first()
        or Bureau.objects.filter(tier=Tier.CITY).order_by("code").first()
    )


def plan_absences(
    rng: random.Random, start: dt.date, last: dt.date, target: int
) -> list[tuple[dt.date, dt.date, int]]:
    """Non-overlapping absences of one to five days between ``start`` and ``last`` whose
    working days add up to ``target`` (or as near as the days allow)."""
    taken: list[tuple[dt.date, dt.date, int]] = []
    total, span = 0, (last - start).days
    for _attempt in range(200):
        if total >= target or span < 1:
            break
        first = start + dt.timedelta(days=rng.randint(0, span))
        end = min(last, first + dt.timedelta(days=rng.randint(0, 4)))
        while end >= first and working_days(first, end) > target - total:
            end -= dt.timedelta(days=1)
        if end < first or any(rules.overlaps(first, end, a, b) for a, b, _n in taken):
            continue
        days = working_days(first, end)
        if days:
            taken.append((first, end, days))
            total += days
    return sorted(taken)


def seed_secondments(*, seed: int, today: dt.date) -> dict[str, int]:
    """Write last year's and this year's batches with their absences, spot checks and
    last year's assessments."""
    city = host_city()
    if city is None:
        return {"secondments": 0, "extended": 0, "absences": 0, "spot_checks": 0}
    rng = random.Random(f"secondments:{seed}")
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    stations = list(
        Station.objects.filter(subtree_q(Scope(bureau_path=city.path), "bureau__path"))
        .active()
        .order_by("code")
        .values_list("pk", flat=True)
    )
    office = (
        User.objects.filter(role=Role.BUREAU, bureau=city).order_by("username").first()
        or User.objects.filter(role=Role.ADMIN).order_by("username").first()
    )
    staff: dict[int, int] = {}
    for station_id, pk in (
        User.objects.filter(role=Role.STATION, station_id__in=stations)
        .order_by("username")
        .values_list("station_id", "pk")
    ):
        staff.setdefault(station_id, pk)
    current_start = batch_start(today)
    last_start = dt.date(current_start.year - 1, 3, 1)
    yesterday = today - dt.timedelta(days=1)

    def make(station_id, start, name, number):
        return Secondment(
            officer_name=name,
            police_number=number,
            home_bureau=city,
            station_id=station_id,
            year=start.year,
            start_date=start,
            end_date=rules.default_end(start),
            created_by=office,
            created_at=dt.datetime.combine(start, dt.time(9), tzinfo=SHANGHAI),
        )

    previous = [
        make(pk, last_start, fake.name(), f"42{2 * i:06d}") for i, pk in enumerate(stations)
    ]
    current = []
    for i, (pk, before) in enumerate(zip(stations, previous, strict=True)):
        if rng.random() < EXTENDED_SHARE:
            current.append(make(pk, current_start, before.officer_name, before.police_number))
            current[-1].extends = before
        else:
            current.append(make(pk, current_start, fake.name(), f"42{2 * i + 1:06d}"))
    absences, checks, assessments = [], [], []
    for batch in (previous, current):
        for i, s in enumerate(batch):
            target = TARGETS[PATTERN.get(i % 25, rules.Standing.NORMAL)]
            last = min(s.end_date, yesterday)
            if last < s.start_date:
                continue
            planned = plan_absences(rng, s.start_date, last, rng.randint(*target))
            s.absent_days = sum(n for _a, _b, n in planned)
            for first, end, days in planned:
                kind = rng.choice(KINDS)
                absences.append((s, first, end, days, kind, staff.get(s.station_id)))
            for day in sorted(
                {
                    s.start_date + dt.timedelta(days=rng.randint(0, (last - s.start_date).days))
                    for _n in range(rng.randint(1, 2))
                }
            ):
                away = any(a <= day <= b for a, b, _n in planned)
                checks.append((s, day, not away))
    Secondment.objects.bulk_create(previous, batch_size=BATCH_SIZE)
    Secondment.objects.bulk_create(current, batch_size=BATCH_SIZE)
    Absence.objects.bulk_create(
        [
            Absence(
                secondment=s,
                start_date=first,
                end_date=end,
                kind=kind,
                note=NOTES[kind],
                working_days=days,
                recorded_by_id=recorder,
                recorded_at=dt.datetime.combine(end, dt.time(18), tzinfo=SHANGHAI),
            )
            for s, first, end, days, kind, recorder in absences
        ],
        batch_size=BATCH_SIZE,
    )
    SpotCheck.objects.bulk_create(
        [
            SpotCheck(
                secondment=s,
                checked_on=day,
                present=present,
                findings=FINDINGS_PRESENT if present else FINDINGS_ABSENT,
                checked_by=office,
                created_at=dt.datetime.combine(day, dt.time(15), tzinfo=SHANGHAI),
            )
            for s, day, present in checks
        ],
        batch_size=BATCH_SIZE,
    )
    grades, weights = list(GRADE_WEIGHTS), list(GRADE_WEIGHTS.values())
    for s in previous:
        if s.end_date < today:
            grade = rng.choices(grades, weights)[0]
            if not s.recognised:
                grade = SecondmentGrade.INCOMPETENT
            assessments.append(
                SecondmentAssessment(
                    secondment=s,
                    grade=grade,
                    comments=COMMENTS[grade],
                    assessed_by=office,
                    assessed_at=dt.datetime.combine(s.end_date, dt.time(10), tzinfo=SHANGHAI),
                )
            )
    SecondmentAssessment.objects.bulk_create(assessments, batch_size=BATCH_SIZE)
    return {
        "secondments": len(previous) + len(current),
        "current": len(current),
        "extended": sum(1 for s in current if s.extends_id),
        "absences": len(absences),
        "spot_checks": len(checks),
        "assessments": len(assessments),
    }
