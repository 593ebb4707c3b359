"""Demo two-way evaluations for ``seed_demo``: written after the organisation and the
problems, before the ledger is recomputed (so the evaluation points are in it).

Deterministic (``random.Random(seed)``), bulk inserts in batches of stations. Each station
gets a few more staff accounts (its leadership: 所长、教导员、副所长…; the seeded one is the
first), and for every quarter of the seeded year that has ended, most stations rate their
cadre (usually enough staff for the aggregate to be shown) and most cadres rate their
station. The quarter under way is left open, for the demo accounts to try the forms.
"""

import datetime as dt
import itertools
import random
from collections import defaultdict
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from liaison.models import Assignment, Role, User
from liaison.seeding import DEMO_PASSWORD
from scoring import rules
from scoring.evaluations.models import (
    Direction,
    Evaluation,
    EvaluationDimension,
    EvaluationScore,
)
from stations.models import Station

STATIONS_PER_BATCH = 2000
SCORES_PER_INSERT = 300  # 900 parameters: within SQLite's limit too
FIRST_QUARTER = dt.date(2026, 1, 1)  # the seeded assignments start with the year
STAFF_PER_STATION = 4  # the seeded account and three more
# How many staff rate their cadre in a quarter (weights): mostly enough to show the result.
RATERS = {0: 6, 1: 4, 2: 10, 3: 35, 4: 45}
CADRE_RATES_STATION = 0.85
WITH_COMMENT = 0.4
MEMORABLE_STATION_USER = "station"  # its station always has every staff member rating
# Generated data (not interface text), like the other seeded words.
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟强磊军勇杰涛明超华平刚辉鹏斌波宇浩凯健俊帆航建国志新文海峰亮晨阳林"
COMMENTS_OF_CADRE = {
    "high": (
        "走访扎实，能沉到一线发现问题，帮助我们解决了不少实际困难。",
        "每次都是“四不两直”直插现场，指导具体，整改要求清楚。",
        "工作作风务实，不增加基层负担，希望继续加强帮扶。",
        "对执法办案场所的问题指导很到位，效果明显。",
    ),
    "mid": (
        "走访比较规律，建议多到社区警务室和窗口看看。",
        "发现问题准确，但后续跟踪指导还可以加强。",
        "希望能多协调上级部门解决警力和装备不足的问题。",
    ),
    "low": (
        "走访次数偏少，对所里的实际困难了解不够。",
        "问题提出后缺少跟踪指导，整改要求不够具体。",
    ),
}
COMMENTS_OF_STATION = {
    "high": (
        "所领导重视，配合检查积极，问题整改按期到位。",
        "基础台账规范，“五有”建设落实较好。",
    ),
    "mid": (
        "整改总体到位，个别任务办结偏慢。",
        "配合较好，但执法办案场所管理还需加强。",
    ),
    "low": (
        "整改进度滞后，多项任务逾期未办结。",
        "基础工作薄弱，台账资料不全。",
    ),
}


def _band(score: float) -> str:
    return "high" if score >= 4.3 else "mid" if score >= 3.3 else "low"


def _score(rng: random.Random, mean: float) -> int:
    return max(1, min(5, round(rng.gauss(mean, 0.6))))


def _moment(rng: random.Random, quarter: dt.date, start: dt.date) -> dt.datetime:
    """A working hour in the quarter's last month, not before the assignment started."""
    end = rules.quarter_end(quarter)
    first = max(start, end.replace(day=1))
    day = first + dt.timedelta(days=rng.randrange((end - first).days + 1))
    hour = rng.randrange(9, 18)
    return dt.datetime.combine(day, dt.time(hour, rng.randrange(60)), ZoneInfo(settings.TIME_ZONE))


def _add_staff(rng: random.Random, stations: dict[int, str], staff: dict[int, list[int]]) -> int:
    """Give every station ``STAFF_PER_STATION`` staff accounts; returns how many were added."""
    password = make_password(DEMO_PASSWORD)  # hashing is slow: once, shared by every account
    taken = set(User.objects.filter(role=Role.STATION).values_list("username", flat=True))
    new = []
    for station_id, code in sorted(stations.items(), key=lambda item: item[1]):
        for k in range(len(staff.get(station_id, [])) + 1, STAFF_PER_STATION + 1):
            username = f"s{code}-{k}"
            if username in taken:
                continue
            new.append(
                User(
                    username=username,
                    password=password,
                    last_name=rng.choice(SURNAMES),
                    first_name="".join(rng.choices(GIVEN, k=rng.choice((1, 2)))),
                    role=Role.STATION,
                    station_id=station_id,
                )
            )
    User.objects.bulk_create(new, batch_size=5000)
    return len(new)


def _insert_scores(rows: Iterable[tuple[int, int, int]]) -> None:
    """Plain multi-row INSERTs: four scores per evaluation are most of the rows, and model
    instances would cost more than the database does."""
    table = connection.ops.quote_name(EvaluationScore._meta.db_table)
    rows = iter(rows)
    with connection.cursor() as cursor:
        while batch := list(itertools.islice(rows, SCORES_PER_INSERT)):
            values = ", ".join(["(%s, %s, %s)"] * len(batch))
            cursor.execute(
                f"INSERT INTO {table} (evaluation_id, dimension_id, score) VALUES {values}",
                [value for row in batch for value in row],
            )


@transaction.atomic
def seed_evaluations(*, scale: str, seed: int, today: dt.date) -> dict[str, int]:
    """Write the demo evaluations of every ended quarter since 2026-01-01 before ``today``.
    ``scale`` only names the data set (every scale is seeded alike). Returns the counts."""
    rng = random.Random(f"evaluations-{scale}-{seed}")
    quarters = [
        q for q in rules.quarters_between(FIRST_QUARTER, today) if rules.quarter_end(q) < today
    ]
    assignments = list(
        Assignment.objects.filter(start_date__lte=today)
        .order_by("station__code", "start_date", "pk")
        .values_list(
            "pk", "station_id", "station__code", "cadre__user_id", "start_date", "end_date"
        )
    )
    stations = dict(Station.objects.values_list("pk", "code"))
    staff: dict[int, list[int]] = defaultdict(list)
    for station_id, pk in (
        User.objects.filter(role=Role.STATION, station_id__in=list(stations))
        .order_by("username")
        .values_list("station_id", "pk")
    ):
        staff[station_id].append(pk)
    added = _add_staff(rng, stations, staff)
    staff = defaultdict(list)
    memorable = set()
    for station_id, pk, username in (
        User.objects.filter(role=Role.STATION, station_id__in=list(stations))
        .order_by("username")
        .values_list("station_id", "pk", "username")
    ):
        staff[station_id].append(pk)
        if username == MEMORABLE_STATION_USER:
            memorable.add(station_id)
    dimensions = {
        direction: list(
            EvaluationDimension.objects.filter(direction=direction, active=True).values_list(
                "pk", flat=True
            )
        )
        for direction in Direction.values
    }
    weights = list(RATERS.values())
    counts = {"evaluations": 0, "scores": 0, "staff_added": added}
    for first in range(0, len(assignments), STATIONS_PER_BATCH):
        evaluations, scores = [], []
        for pk, station_id, _code, cadre_user, start, end in assignments[
            first : first + STATIONS_PER_BATCH
        ]:
            for quarter in quarters:
                if start > rules.quarter_end(quarter) or (end is not None and end < quarter):
                    continue
                # How good the cadre and the station were that quarter.
                cadre_mean = min(5.0, rng.gauss(4.3, 0.45))
                station_mean = min(5.0, rng.gauss(4.0, 0.5))
                if station_id in memorable:
                    raters = staff[station_id]
                else:
                    wanted = rng.choices(list(RATERS), weights=weights)[0]
                    raters = rng.sample(staff[station_id], min(wanted, len(staff[station_id])))
                rated = [(Direction.OF_CADRE, rater, cadre_mean) for rater in sorted(raters)]
                if rng.random() < CADRE_RATES_STATION:
                    rated.append((Direction.OF_STATION, cadre_user, station_mean))
                for direction, rater, mean in rated:
                    values = [_score(rng, mean) for _d in dimensions[direction]]
                    texts = (
                        COMMENTS_OF_CADRE
                        if direction == Direction.OF_CADRE
                        else COMMENTS_OF_STATION
                    )
                    at = _moment(rng, quarter, start)
                    comment = ""
                    if rng.random() < WITH_COMMENT:
                        comment = rng.choice(texts[_band(sum(values) / max(1, len(values)))])
                    evaluations.append(
                        Evaluation(
                            assignment_id=pk,
                            quarter=quarter,
                            direction=direction,
                            rater_id=rater,
                            comment=comment,
                            submitted_at=at,
                            submitted_on=at.date(),
                        )
                    )
                    scores.append(list(zip(dimensions[direction], values, strict=True)))
        Evaluation.objects.bulk_create(evaluations, batch_size=5000)
        _insert_scores(
            (evaluation.pk, dimension, value)
            for evaluation, pairs in zip(evaluations, scores, strict=True)
            for dimension, value in pairs
        )
        counts["evaluations"] += len(evaluations)
        counts["scores"] += sum(len(pairs) for pairs in scores)
    return counts
