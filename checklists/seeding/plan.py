"""The plan of a year of problems, tasks and results (pure: no queries, no clock).

Dates are worked out as day numbers (``date.toordinal()``): ``T`` is today, and nothing
happens on or after it (visits are seeded until the day before, too). Every problem is
published one to four days after it was raised, gets a deadline 7–90 days after publication
and one to four tasks reverse-scheduled from that deadline (the last one due on it).
"""

import datetime as dt
import itertools
import random
from dataclasses import dataclass, field

from django.utils import timezone

from checklists.models import ProblemStatus, Rating
from checklists.seeding import texts
from liaison.seeding import apportion

# The published Hubei figures (DESIGN.md): 1,504 stations, 7,229 problems collected,
# 5,821 solved. Other scales get as many per station.
HUBEI_STATIONS, HUBEI_COLLECTED, HUBEI_SOLVED = 1504, 7229, 5821
DRAFT_SHARE = 0.03  # drafts on top of the collected problems: raised, not yet published
DRAFT_DAYS = 20  # drafts were raised in the last 20 days
YEAR = 365  # problems are raised in the 365 days ending today
MAX_LAG = 4  # days from raising to publication
MIN_SPAN, MAX_SPAN = 7, 90  # days from publication to the deadline
TASK_COUNTS, TASK_WEIGHTS = (1, 2, 3, 4), (20, 35, 30, 15)

# Kinds of problem, in exact shares (largest remainder). Closed out (solved): on time, after
# the deadline, after a first result rated poor, closed out once before and reopened.
ON_TIME, LATE, RESUBMITTED, CLOSED_REOPENED = "on_time", "late", "resubmitted", "closed_reopened"
CLOSED_KINDS, CLOSED_WEIGHTS = (ON_TIME, LATE, RESUBMITTED, CLOSED_REOPENED), (78, 15, 5, 2)
EXCELLENT = 0.3  # share of the closing results rated excellent (the others: good)
# Open (collected, not solved): published and not started, in rectification, all tasks done
# and the result awaiting verification, the result rated poor, reopened; a share of each
# (but the reopened, whose new deadline is drawn) is overdue.
PUBLISHED, RECTIFYING, AWAITING, POOR, REOPENED = (
    "published", "rectifying", "awaiting", "poor", "reopened"
)  # fmt: skip
OPEN_KINDS, OPEN_WEIGHTS = (PUBLISHED, RECTIFYING, AWAITING, POOR, REOPENED), (30, 40, 14, 8, 8)
DRAFT = "draft"
OVERDUE = 0.3
MAX_DAYS_LATE = 120
# Who: raised during a visit (when there is one), raised by the station's cadre, a bureau
# user responsible instead of station staff, the province verifying instead of the city.
FROM_VISIT, DRAFT_FROM_VISIT, CADRE_RAISES = 0.45, 0.7, 0.25
BUREAU_RESPONSIBLE, PROVINCE_VERIFIES = 0.2, 0.3
PARTIAL_PROGRESS = (20, 30, 50, 60, 80)
CATEGORY_WEIGHTS = {
    "fire-safety": 20,
    "law-enforcement": 22,
    "information-systems": 12,
    "team-management": 10,
    "equipment": 14,
    "petitions": 10,
    "community-policing": 12,
}
OTHER_CATEGORY_WEIGHT = 10


@dataclass(slots=True)
class TaskPlan:
    title: str
    due: dt.date
    created: dt.date  # the day of publication, or of the reopening for a rework task
    done: dt.date | None = None
    progress: int = 0
    progressed: dt.date | None = None  # last progress update of an unfinished task
    note: str = ""


@dataclass(slots=True)
class ResultPlan:
    what_changed: str
    submitted: dt.date
    verified: dt.date | None = None
    rating: str = ""
    note: str = ""


@dataclass(slots=True)
class ProblemPlan:
    station: str
    category: str
    description: str
    kind: str
    created: dt.date
    minute: int  # spreads the times of day of everything that happens to the problem
    from_visit: bool
    cadre_raises: bool
    bureau_responsible: bool
    province_verifies: bool
    published: dt.date | None = None
    first_deadline: dt.date | None = None  # as published
    deadline: dt.date | None = None  # now (moved on when reopened)
    closed: dt.date | None = None
    first_closed: dt.date | None = None  # closed out before a reopening
    reopened: dt.date | None = None
    reopen_reason: str = ""
    tasks: list[TaskPlan] = field(default_factory=list)
    results: list[ResultPlan] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.kind == DRAFT:
            return ProblemStatus.DRAFT
        if self.closed:
            return ProblemStatus.CLOSED
        if self.kind == PUBLISHED:
            return ProblemStatus.PUBLISHED
        return ProblemStatus.IN_RECTIFICATION

    @property
    def started(self) -> dt.date | None:
        """The first day of rectification: a task done or progressed, a result submitted."""
        days = [t.done or t.progressed for t in self.tasks] + [r.submitted for r in self.results]
        return min((d for d in days if d), default=None)

    # Times of day, local, spread by ``minute``: raised 08:00–18:00, published 09:00–17:00,
    # tasks worked on 08:00–09:00, results submitted 09:00–12:00 and verified 14:00–17:00,
    # closed out ten minutes after the verification, reopened 10:00–14:00.
    def created_at(self) -> dt.datetime:
        return _at(self.created, 8 * 60 + self.minute)

    def published_at(self) -> dt.datetime:
        return _at(self.published, 9 * 60 + self.minute % 480)

    def worked_at(self, day: dt.date) -> dt.datetime:
        return _at(day, 8 * 60 + self.minute % 60)

    def submitted_at(self, day: dt.date) -> dt.datetime:
        return _at(day, 9 * 60 + self.minute % 180)

    def verified_at(self, day: dt.date) -> dt.datetime:
        return _at(day, 14 * 60 + self.minute % 180)

    def closed_at(self, day: dt.date) -> dt.datetime:
        return self.verified_at(day) + dt.timedelta(minutes=10)

    def reopened_at(self) -> dt.datetime:
        return _at(self.reopened, 10 * 60 + self.minute % 240)


def _at(day: dt.date, minutes: int) -> dt.datetime:
    tz = timezone.get_default_timezone()
    return dt.datetime.combine(day, dt.time(), tzinfo=tz) + dt.timedelta(minutes=minutes)


def _share(total: int, stations: int) -> int:
    return (total * stations + HUBEI_STATIONS // 2) // HUBEI_STATIONS  # rounded half up


def problem_counts(stations: int) -> tuple[int, int, int]:
    """(collected, solved, drafts) for ``stations`` stations: as many per station as Hubei
    reported (exactly 7,229 and 5,821 for its 1,504), plus the drafts."""
    collected = _share(HUBEI_COLLECTED, stations)
    return collected, _share(HUBEI_SOLVED, stations), max(1, round(collected * DRAFT_SHARE))


def _day(n: int) -> dt.date:
    return dt.date.fromordinal(n)


def _done(task: TaskPlan, day: int) -> None:
    task.done, task.progress, task.note = _day(day), 100, texts.DONE_NOTE


def _between(start: int, end: int, k: int) -> list[int]:
    """``k`` days spread evenly after ``start`` up to ``end`` (the last one on ``end``)."""
    return [start + ((end - start) * (i + 1) + k - 1) // k for i in range(k)]


class _Planner:
    def __init__(self, *, stations, categories, today: dt.date, seed: int):
        self.rng = random.Random(f"{seed}:problems")
        self.T = today.toordinal()
        self.first = self.T - YEAR + 1
        self.stations = stations
        self.station_weights = list(
            itertools.accumulate(self.rng.uniform(0.3, 1.7) for _ in stations)
        )
        self.categories = categories
        self.category_weights = [CATEGORY_WEIGHTS.get(c, OTHER_CATEGORY_WEIGHT) for c in categories]

    def problem(self, kind: str, overdue: bool) -> ProblemPlan:
        rng = self.rng
        (station,) = rng.choices(self.stations, cum_weights=self.station_weights)
        (category,) = rng.choices(self.categories, weights=self.category_weights)
        places, faults = texts.PROBLEMS.get(category, texts.OTHER)
        plan = ProblemPlan(
            station=station,
            category=category,
            description=rng.choice(places) + rng.choice(faults),
            kind=kind,
            created=_day(self.T - 1),
            minute=rng.randrange(600),
            from_visit=rng.random() < (DRAFT_FROM_VISIT if kind == DRAFT else FROM_VISIT),
            cadre_raises=rng.random() < CADRE_RAISES,
            bureau_responsible=rng.random() < BUREAU_RESPONSIBLE,
            province_verifies=rng.random() < PROVINCE_VERIFIES,
        )
        if kind == DRAFT:
            plan.created = _day(self.T - rng.randint(1, DRAFT_DAYS))
            return plan
        span = rng.randint(MIN_SPAN, MAX_SPAN)
        if kind in CLOSED_KINDS:
            self._closed(plan, span)
        elif kind == REOPENED:
            self._reopened(plan, span)
        else:
            self._open(plan, span, overdue)
        plan.created = plan.published - dt.timedelta(days=rng.randint(1, MAX_LAG))
        return plan

    def _publish(self, plan: ProblemPlan, p: int, deadline: int) -> None:
        k = self.rng.choices(TASK_COUNTS, weights=TASK_WEIGHTS)[0]
        plan.published, plan.first_deadline = _day(p), _day(deadline)
        plan.deadline = plan.first_deadline
        plan.tasks = [
            TaskPlan(title, _day(due), _day(p))
            for title, due in zip(texts.TASK_STEPS[k], _between(p, deadline, k), strict=True)
        ]

    def _finish_tasks(self, plan: ProblemPlan, p: int, finish: int, count=None) -> None:
        """Mark the first ``count`` tasks (all by default) done, spread until ``finish``."""
        tasks = plan.tasks[:count] if count is not None else plan.tasks
        for task, day in zip(tasks, _between(p, finish, len(tasks)), strict=True):
            _done(task, day)

    def _progress(self, task: TaskPlan, day: int) -> None:
        task.progress = self.rng.choice(PARTIAL_PROGRESS)
        task.progressed, task.note = _day(day), self.rng.choice(texts.PROGRESS_NOTES)

    def _result(self, plan, submitted: int, verified=None, rating="") -> ResultPlan:
        changed = texts.WHAT_CHANGED.get(plan.category, texts.OTHER_CHANGED)
        result = ResultPlan(self.rng.choice(changed), _day(submitted))
        if verified is not None:
            result.verified, result.rating = _day(verified), rating
            result.note = self.rng.choice(texts.VERIFICATION_NOTES[rating])
        plan.results.append(result)
        return result

    def _good(self) -> str:
        return Rating.EXCELLENT if self.rng.random() < EXCELLENT else Rating.GOOD

    def _closed(self, plan: ProblemPlan, span: int) -> None:
        rng, kind = self.rng, plan.kind
        if kind == LATE:
            took = span + rng.randint(1, 30)
        else:
            took = rng.randint(max(6 if kind == CLOSED_REOPENED else 2, span // 4), span)
        p = rng.randint(self.first + MAX_LAG, self.T - 1 - took)
        close = p + took
        self._publish(plan, p, p + span)
        finish = close - rng.randint(kind == RESUBMITTED, min(2, took - 1))
        if kind == CLOSED_REOPENED:
            # Closed out halfway, reopened the next day, reworked, closed out again.
            first = p + took // 2
            self._finish_tasks(plan, p, first)
            self._result(plan, first, first, self._good())
            self._reopen(plan, first, first + 1)
            rework = TaskPlan(texts.REWORK_TASK, plan.deadline, plan.reopened)
            plan.tasks.append(rework)
            finish = max(finish, first + 2)  # the day after the reopening at the earliest
            _done(rework, finish)
        else:
            self._finish_tasks(plan, p, finish)
        if kind == RESUBMITTED:
            self._result(plan, finish, finish, Rating.POOR)
            finish += 1
        self._result(plan, rng.randint(finish, close), close, self._good())
        plan.closed = _day(close)

    def _reopen(self, plan: ProblemPlan, first: int, reopened: int) -> None:
        plan.first_closed, plan.reopened = _day(first), _day(reopened)
        plan.reopen_reason = self.rng.choice(texts.REOPEN_REASONS)

    def _open(self, plan: ProblemPlan, span: int, overdue: bool) -> None:
        rng, T = self.rng, self.T
        need = {PUBLISHED: 1, RECTIFYING: 2, AWAITING: 3, POOR: 3}[plan.kind]
        if overdue:
            deadline = T - 1 - int(rng.random() ** 2 * MAX_DAYS_LATE)
            p = deadline - span
        else:
            p = T - rng.randint(need, span)
        self._publish(plan, p, p + span)
        k = len(plan.tasks)
        if plan.kind == RECTIFYING:
            progressed = rng.randint(p + 1, T - 1)
            done = rng.randint(1, k - 1) if k > 1 else 0
            if done:
                self._finish_tasks(plan, p, progressed, count=done)
            if not done or rng.random() < 0.5:
                self._progress(plan.tasks[done], progressed)
        elif plan.kind in (AWAITING, POOR):
            finish = rng.randint(p + 1, T - need + 1)
            self._finish_tasks(plan, p, finish)
            submitted = rng.randint(finish, T - need + 2)
            if plan.kind == AWAITING:
                self._result(plan, submitted)
            else:
                self._result(plan, submitted, rng.randint(submitted, T - 1), Rating.POOR)

    def _reopened(self, plan: ProblemPlan, span: int) -> None:
        """Closed out, then reopened with a reason: a rework task, maybe a later deadline."""
        rng, T = self.rng, self.T
        p = T - rng.randint(40, 200)
        self._publish(plan, p, p + span)
        first = min(p + rng.randint(max(2, span // 4), span), T - 3)
        finish = first - rng.randint(0, min(2, first - p - 1))
        self._finish_tasks(plan, p, finish)
        self._result(plan, rng.randint(finish, first), first, self._good())
        reopened = rng.randint(first + 1, min(first + 20, T - 1))
        self._reopen(plan, first, reopened)
        plan.deadline = max(plan.deadline, _day(reopened + rng.randint(14, 45)))
        rework = TaskPlan(texts.REWORK_TASK, plan.deadline, plan.reopened)
        plan.tasks.append(rework)
        if rng.random() < 0.5:
            self._progress(rework, rng.randint(reopened, T - 1))


# Kinds of problem the memorable station shows, whatever the draw: every state.
def _is_overdue_open(plan: ProblemPlan, today: dt.date) -> bool:
    return plan.kind in OPEN_KINDS and plan.deadline < today


SHOWCASE = (
    lambda p, today: p.kind == DRAFT,
    lambda p, today: p.kind == PUBLISHED and p.deadline >= today,
    lambda p, today: p.kind == RECTIFYING and p.deadline >= today,
    lambda p, today: p.kind == AWAITING,
    lambda p, today: p.kind == POOR,
    lambda p, today: p.kind == REOPENED,
    _is_overdue_open,
    _is_overdue_open,
    lambda p, today: p.kind == ON_TIME,
    lambda p, today: p.kind == LATE,
    lambda p, today: p.kind == RESUBMITTED,
    lambda p, today: p.kind == CLOSED_REOPENED,
)


def plan_problems(
    *,
    stations: list[str],
    categories: list[str],
    today: dt.date,
    seed: int,
    showcase: str | None = None,
) -> list[ProblemPlan]:
    """Every problem of the year before ``today`` at ``stations`` (codes) in ``categories``
    (codes): as many collected and solved per station as Hubei reported, plus drafts; the
    station ``showcase`` (the memorable account's) gets one of every kind."""
    if not stations or not categories:
        raise ValueError("problems need stations and categories")
    planner = _Planner(stations=stations, categories=categories, today=today, seed=seed)
    collected, solved, drafts = problem_counts(len(stations))
    kinds = [(DRAFT, False)] * drafts
    for group, weights, total in (
        (CLOSED_KINDS, CLOSED_WEIGHTS, solved),
        (OPEN_KINDS, OPEN_WEIGHTS, collected - solved),
    ):
        for kind, count in zip(group, apportion(total, list(weights)), strict=True):
            overdue = round(count * OVERDUE) if kind in OPEN_KINDS[:-1] else 0  # not reopened
            kinds += [(kind, i < overdue) for i in range(count)]
    plans = [planner.problem(kind, overdue) for kind, overdue in kinds]
    if showcase:
        taken: set[int] = set()
        for wanted in SHOWCASE:
            found = next(
                (i for i, p in enumerate(plans) if i not in taken and wanted(p, today)), None
            )
            if found is not None:
                taken.add(found)
                plans[found].station = showcase
    return plans
