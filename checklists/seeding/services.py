"""Writing the planned problems after ``liaison.seeding.seed``: who raised, published, did
and verified what (the seeded users), which visit a problem was raised during, then bulk
inserts in batches; the derived overdue flags and their events as the daily sweep leaves
them; for the demo, the change history of every problem, task and result."""

import datetime as dt
import functools
import itertools
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from checklists.models import (
    ListEvent,
    Problem,
    ProblemCategory,
    ProblemStatus,
    Result,
    Task,
)
from checklists.rules import problem_reference
from checklists.seeding.history import problem_history, write_history
from checklists.seeding.plan import DRAFT, YEAR, ProblemPlan, plan_problems
from checklists.services.overdue import escalation_day
from liaison.models import Assignment, Role, User, Visit
from liaison.seeding.services import analyze, step_timer
from stations.models import Station

BATCH_SIZE = 2000  # problems per round of inserts; their tasks, results and events follow
SWEEP_TIME = dt.time(0, 45)  # the daily overdue job (CELERY_BEAT_SCHEDULE)
# A problem raised during a visit: the station's latest unannounced visit logged in the 30
# days up to the day the problem was raised, unless its findings say nothing was found
# (liaison.seeding.visits.FINDINGS).
VISIT_WINDOW = 30
NOTHING_FOUND = "未发现明显问题。"
MEMORABLE_STATION_USER = "station"


@dataclass
class _People:
    """Station code → its id, province / city / owning unit bureau codes, its staff user,
    its cadre (user id, assignment start); bureau code → its liaison office user."""

    station_id: dict[str, int]
    units: dict[str, tuple[str, str, str]]
    station_user: dict[str, int]
    cadre: dict[str, tuple[int, dt.date]]
    bureau_user: dict[str, int]

    @classmethod
    def load(cls) -> "_People":
        station_id, units = {}, {}
        for code, pk, path in Station.objects.values_list("code", "id", "bureau__path"):
            parts = path.split("/")
            station_id[code] = pk
            units[code] = (parts[0], parts[1] if len(parts) > 1 else parts[0], parts[-1])
        station_user, bureau_user = {}, {}
        users = User.objects.filter(role__in=(Role.STATION, Role.BUREAU)).order_by("username")
        for role, station, bureau, pk in users.values_list(
            "role", "station__code", "bureau__code", "id"
        ):
            if role == Role.STATION:
                station_user.setdefault(station, pk)
            else:
                bureau_user.setdefault(bureau, pk)
        cadre = {
            code: (user, start)
            for code, user, start in Assignment.objects.filter(end_date__isnull=True).values_list(
                "station__code", "cadre__user_id", "start_date"
            )
        }
        return cls(station_id, units, station_user, cadre, bureau_user)

    def staffed(self) -> list[str]:
        """Stations with a staff user and a liaison office above them: where problems go."""
        return sorted(
            code
            for code, (province, city, unit) in self.units.items()
            if code in self.station_user and {province, city, unit} <= self.bureau_user.keys()
        )

    def publisher(self, station: str) -> int:
        return self.bureau_user[self.units[station][2]]

    def verifier(self, plan: ProblemPlan) -> int:
        province, city, _unit = self.units[plan.station]
        return self.bureau_user[province if plan.province_verifies else city]


@dataclass(frozen=True, slots=True)
class _Raised:
    visit: int | None
    at: dt.datetime
    by: int


@functools.cache
def _escalation_day(overdue_since: dt.date, working_days: int) -> dt.date:
    return escalation_day(overdue_since, working_days)


def _raisers(plans: list[ProblemPlan], people: _People, today: dt.date) -> list[_Raised]:
    """Who raised each problem, when, and during which visit: one pass over the visits of
    the stations concerned, station by station (a national year is over a million)."""
    raised, wanted = [], defaultdict(list)
    year_start = today - dt.timedelta(days=YEAR - 1)
    for i, plan in enumerate(plans):
        cadre = people.cadre.get(plan.station)
        if cadre and plan.cadre_raises and plan.created >= cadre[1]:
            raised.append(_Raised(None, plan.created_at(), cadre[0]))
        else:
            raised.append(_Raised(None, plan.created_at(), people.publisher(plan.station)))
        if plan.from_visit and cadre:
            wanted[people.station_id[plan.station]].append(i)
    visits = (
        Visit.objects.filter(unannounced=True, station_id__in=list(wanted))
        .exclude(findings=NOTHING_FOUND)
        .order_by("station_id", "visited_at", "id")
        .values_list("station_id", "id", "logged_at", "logged_by_id")
    )
    for station, rows in itertools.groupby(
        visits.iterator(chunk_size=BATCH_SIZE), key=lambda row: row[0]
    ):
        rows = [(timezone.localdate(at), pk, at, by) for _s, pk, at, by in rows]
        for i in wanted[station]:
            day = plans[i].created
            earliest = max(day - dt.timedelta(days=VISIT_WINDOW), year_start)
            found = [row for row in rows if earliest <= row[0] <= day]
            if found:
                logged_on, pk, at, by = found[-1]
                raised[i] = _Raised(pk, at, by)
                plans[i].created = logged_on
    return raised


def _references(plans: list[ProblemPlan], people: _People) -> dict[int, str]:
    """``<province code>-<year>-<n>``, numbered per province and year in publication order."""
    published = sorted(
        (i for i, plan in enumerate(plans) if plan.published),
        key=lambda i: (plans[i].published_at(), i),
    )
    numbers: dict[tuple[str, int], int] = defaultdict(int)
    references = {}
    for i in published:
        province, year = people.units[plans[i].station][0], plans[i].published.year
        numbers[province, year] += 1
        references[i] = problem_reference(province, year, numbers[province, year])
    return references


def _problem(plan, *, reference, raised, category, people, today) -> Problem:
    station, draft = plan.station, plan.kind == DRAFT
    staff, publisher = people.station_user[station], people.publisher(station)
    problem = Problem(
        reference=reference,
        station_id=people.station_id[station],
        category_id=category,
        description=plan.description,
        source_visit_id=raised.visit,
        raised_by_id=raised.by,
        responsible_id=None if draft else (publisher if plan.bureau_responsible else staff),
        deadline=plan.deadline,
        status=plan.status,
        created_at=raised.at,
        published_at=None if draft else plan.published_at(),
        published_by_id=None if draft else publisher,
        reopen_reason=plan.reopen_reason,
        reopened_count=1 if plan.reopened else 0,
        version=1 + bool(plan.published) + bool(plan.started) + 2 * bool(plan.reopened),
    )
    if plan.closed:
        problem.closed_at = plan.closed_at(plan.closed)
        problem.closed_by_id, problem.closed_on = people.verifier(plan), plan.closed
        problem.version += 1
    elif not draft and plan.deadline < today:
        problem.overdue_since = plan.deadline + dt.timedelta(days=1)
        escalation = _escalation_day(
            problem.overdue_since, settings.LIAISON_ESCALATE_AFTER_WORKING_DAYS
        )
        problem.escalated_on = escalation if escalation <= today else None
    return problem


def _tasks(problem: Problem, plan: ProblemPlan, people, today) -> list[Task]:
    staff = people.station_user[plan.station]
    tasks = []
    for order, t in enumerate(plan.tasks):
        task = Task(
            problem_id=problem.pk,
            title=t.title,
            assignee_id=staff,
            due_date=t.due,
            order=order,
            progress=t.progress,
            progress_note=t.note,
            done_on=t.done,
            done_by_id=staff if t.done else None,
            created_by_id=problem.published_by_id,
            created_at=problem.published_at if t.created == plan.published else plan.reopened_at(),
            version=1 + bool(t.done or t.progressed),
        )
        if not t.done and t.due < today:
            task.overdue_since = t.due + dt.timedelta(days=1)
        tasks.append(task)
    return tasks


def _results(problem: Problem, plan: ProblemPlan, people) -> list[Result]:
    staff, verifier = people.station_user[plan.station], people.verifier(plan)
    return [
        Result(
            problem_id=problem.pk,
            what_changed=r.what_changed,
            submitted_by_id=staff,
            submitted_at=plan.submitted_at(r.submitted),
            verified_by_id=verifier if r.verified else None,
            verified_at=plan.verified_at(r.verified) if r.verified else None,
            rating=r.rating,
            verification_note=r.note,
            version=1 + bool(r.verified),
        )
        for r in plan.results
    ]


def _events(problem: Problem, tasks: list[Task]) -> list[ListEvent]:
    """The events of the flags set now, as the daily job leaves them on the day it flagged."""
    events = []
    if problem.overdue_since:
        kind, day = ListEvent.Kind.PROBLEM_OVERDUE, problem.overdue_since
        events.append(ListEvent(kind=kind, problem_id=problem.pk, day=day))
    if problem.escalated_on:
        kind, day = ListEvent.Kind.ESCALATED, problem.escalated_on
        events.append(ListEvent(kind=kind, problem_id=problem.pk, day=day))
    events += [
        ListEvent(
            kind=ListEvent.Kind.TASK_OVERDUE,
            problem_id=problem.pk,
            task_id=task.pk,
            day=task.overdue_since,
        )
        for task in tasks
        if task.overdue_since
    ]
    for event in events:
        event.created_at = timezone.make_aware(dt.datetime.combine(event.day, SWEEP_TIME))
    return events


@transaction.atomic
def seed_problems(
    *,
    scale: str,
    seed: int,
    today: dt.date,
    timings: dict[str, float] | None = None,
) -> dict[str, int]:
    """A year of problems, tasks and results at the seeded stations, up to the day before
    ``today``; the overdue flags of ``today``'s sweep. Same seed, same rows. History rows
    only at the demo scale (a few hundred problems; the larger scales skip them for speed).
    Returns what was written, counted; ``timings`` receives each step's seconds."""
    step = step_timer(timings)
    people = _People.load()
    categories = dict(ProblemCategory.objects.active().values_list("code", "id"))
    memorable = User.objects.filter(username=MEMORABLE_STATION_USER, role=Role.STATION)
    plans = plan_problems(
        stations=people.staffed(),
        categories=list(categories),
        today=today,
        seed=seed,
        showcase=memorable.values_list("station__code", flat=True).first(),
    )
    step("problems: plan")
    raised = _raisers(plans, people, today)
    references = _references(plans, people)
    step("problems: people and visits")
    order = sorted(range(len(plans)), key=lambda i: (raised[i].at, i))
    counts = defaultdict(int)
    for start in range(0, len(order), BATCH_SIZE):
        batch = order[start : start + BATCH_SIZE]
        problems = [
            _problem(
                plans[i],
                reference=references.get(i),
                raised=raised[i],
                category=categories[plans[i].category],
                people=people,
                today=today,
            )
            for i in batch
        ]
        Problem.objects.bulk_create(problems)
        tasks = [_tasks(p, plans[i], people, today) for p, i in zip(problems, batch, strict=True)]
        Task.objects.bulk_create(itertools.chain.from_iterable(tasks))
        results = [_results(p, plans[i], people) for p, i in zip(problems, batch, strict=True)]
        Result.objects.bulk_create(itertools.chain.from_iterable(results))
        ListEvent.objects.bulk_create(
            itertools.chain.from_iterable(
                _events(p, ts) for p, ts in zip(problems, tasks, strict=True)
            )
        )
        if scale == "demo":
            write_history(
                itertools.chain.from_iterable(
                    problem_history(
                        p,
                        plans[i],
                        ts,
                        rs,
                        staff=people.station_user[plans[i].station],
                        verifier=people.verifier(plans[i]),
                    )
                    for p, i, ts, rs in zip(problems, batch, tasks, results, strict=True)
                )
            )
        for p, ts, rs in zip(problems, tasks, results, strict=True):
            counts[p.status] += 1
            counts["overdue"] += p.overdue_since is not None
            counts["from_visits"] += p.source_visit_id is not None
            counts["tasks"] += len(ts)
            counts["results"] += len(rs)
    analyze(Problem, Task, Result, ListEvent)
    step("problems: write")
    return {
        "problems": len(plans),
        "collected": len(plans) - counts[ProblemStatus.DRAFT],
        "solved": counts[ProblemStatus.CLOSED],
        "drafts": counts[ProblemStatus.DRAFT],
        "open": counts[ProblemStatus.PUBLISHED] + counts[ProblemStatus.IN_RECTIFICATION],
        "overdue": counts["overdue"],
        "from_visits": counts["from_visits"],
        "tasks": counts["tasks"],
        "results": counts["results"],
    }
