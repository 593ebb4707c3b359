"""A year of seeded problems, tasks and results: the Hubei figures exactly, every state on the
demo board, and every rule of the three lists holding on the seeded rows."""

import datetime as dt
import hashlib
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from checklists import seeding as problem_seeding
from checklists.models import ListEvent, Problem, ProblemStatus, Result, Task
from checklists.services.overdue import OverdueReport, flag_overdue, rebuild_overdue
from liaison import seeding
from liaison.models import User

TODAY = dt.date(2026, 11, 22)  # the day the liaison seed tests use: a Sunday
MIDNIGHT = timezone.make_aware(dt.datetime(2026, 11, 22))
ONE_DAY = dt.timedelta(days=1)


def seed(scale="demo", seed=235, reset=False):
    seeding.seed(scale=scale, seed=seed, reset=reset, today=TODAY)
    return problem_seeding.seed_problems(scale=scale, seed=seed, today=TODAY)


def counters() -> dict[str, int]:
    """The headline counters as the board counts them: collected = published (not a draft),
    solved = closed out."""
    return Problem.objects.aggregate(
        collected=Count("pk", filter=~Q(status=ProblemStatus.DRAFT)),
        solved=Count("pk", filter=Q(status=ProblemStatus.CLOSED)),
    )


def fingerprint() -> str:
    """One hash over the problems, tasks and results, in an order of their own values (the
    reference is unique; drafts, which have none, have no tasks or results)."""
    problems = Problem.objects.order_by(
        "created_at", "station__code", "reference", "category__code", "description"
    )
    tasks = Task.objects.order_by("problem__reference", "order")
    results = Result.objects.order_by("problem__reference", "submitted_at")
    parts = [
        *problems.values_list(
            "reference", "station__code", "category__code", "description", "status",
            "created_at", "published_at", "deadline", "closed_on", "raised_by__username",
            "responsible__username", "source_visit__visited_at", "overdue_since",
        ),
        *tasks.values_list("title", "due_date", "done_on", "progress", "assignee__username"),
        *results.values_list("submitted_at", "verified_by__username", "rating"),
    ]  # fmt: skip
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def broken_rules(today: dt.date) -> dict[str, int]:
    """How many rows break each rule of the three lists that the database does not check
    itself (its check constraints hold, or the inserts would have failed): all zero."""
    good_result = Result.objects.filter(
        problem=OuterRef("pk"), verified_at__isnull=False, rating__in=("good", "excellent")
    )
    undone_task = Task.objects.filter(problem=OuterRef("pk"), done_on__isnull=True)
    closed = Problem.objects.filter(status=ProblemStatus.CLOSED)
    open_ = Problem.objects.open()
    published = Problem.objects.public()
    verified = Result.objects.filter(verified_by__isnull=False)
    undone = Task.objects.filter(done_on__isnull=True)
    return {
        "task due after the deadline": Task.objects.filter(
            due_date__gt=F("problem__deadline")
        ).count(),
        "closed with a task not done": closed.filter(Exists(undone_task)).count(),
        "closed without a good verified result": closed.exclude(Exists(good_result)).count(),
        "task done after the close-out": Task.objects.filter(
            problem__status=ProblemStatus.CLOSED, done_on__gt=F("problem__closed_on")
        ).count(),
        "verified by the submitter": verified.filter(verified_by=F("submitted_by")).count(),
        "verifier not a city or province office above": verified.exclude(
            verified_by__role="bureau",
            verified_by__bureau__tier__in=("city", "province"),
            problem__station__bureau__path__startswith=F("verified_by__bureau__path"),
        ).count(),
        "closed out by another than the verifier": closed.exclude(
            Exists(good_result.filter(verified_by=OuterRef("closed_by")))
        ).count(),
        "deadline under 7 days after publication": published.filter(
            deadline__lt=F("published_at__date") + dt.timedelta(days=7)
        ).count(),
        "published before raised": published.filter(published_at__lte=F("created_at")).count(),
        "open and late, not flagged the day after": open_.filter(deadline__lt=today)
        .exclude(overdue_since=F("deadline") + ONE_DAY)
        .count(),
        "flagged, not late": Problem.objects.filter(
            overdue_since__isnull=False, deadline__gte=today
        ).count(),
        "task late, not flagged the day after": undone.filter(due_date__lt=today)
        .exclude(overdue_since=F("due_date") + ONE_DAY)
        .count(),
        "task flagged, not late": Task.objects.filter(
            overdue_since__isnull=False, due_date__gte=today
        ).count(),
        "escalated before overdue": Problem.objects.filter(
            escalated_on__lt=F("overdue_since")
        ).count(),
        "happened today or later": Problem.objects.filter(
            Q(created_at__gte=MIDNIGHT) | Q(published_at__gte=MIDNIGHT) | Q(closed_at__gte=MIDNIGHT)
        ).count()
        + Task.objects.filter(done_on__gte=today).count()
        + Result.objects.filter(
            Q(submitted_at__gte=MIDNIGHT) | Q(verified_at__gte=MIDNIGHT)
        ).count(),
        "raised before the year": Problem.objects.filter(
            created_at__lt=MIDNIGHT - dt.timedelta(days=365)
        ).count(),
        "raised during another station's visit": Problem.objects.filter(source_visit__isnull=False)
        .exclude(
            source_visit__station=F("station"),
            raised_by=F("source_visit__logged_by"),
            created_at=F("source_visit__logged_at"),
        )
        .count(),
        "responsible outside the station and its bureau": published.exclude(
            Q(responsible__station=F("station")) | Q(responsible__bureau=F("station__bureau"))
        ).count(),
        "task assigned outside the station": Task.objects.exclude(
            assignee__station=F("problem__station")
        ).count(),
    }


def test_problem_counts_scale_the_hubei_figures_per_station():
    assert problem_seeding.problem_counts(1504) == (7229, 5821, 217)
    assert problem_seeding.problem_counts(40) == (192, 155, 6)
    assert problem_seeding.problem_counts(40_000) == (192_261, 154_814, 5768)


def test_the_plan_is_the_same_for_the_same_seed_and_keeps_to_the_year():
    stations = [f"420102{n:03d}" for n in range(1, 101)]
    categories = ["fire-safety", "petitions", "added-by-an-admin"]

    def plan(seed):
        return problem_seeding.plan_problems(
            stations=stations, categories=categories, today=TODAY, seed=seed
        )

    first = plan(235)
    assert first == plan(235)
    assert first != plan(7)
    assert {p.category for p in first} == set(categories)
    assert len({p.station for p in first}) > 80
    year_start = TODAY - dt.timedelta(days=364)
    for p in first:
        assert year_start <= p.created < TODAY
        days = [t.done or t.progressed for t in p.tasks] + [r.verified for r in p.results]
        assert all(d is None or p.published < d < TODAY for d in days), p
        assert all(t.due <= p.deadline for t in p.tasks), p
        assert (p.published is None) == (p.kind == "draft") == (not p.tasks)


@pytest.mark.django_db
def test_the_demo_board_shows_problems_in_every_state():
    counts = seed()

    statuses = dict(Problem.objects.values_list("status").annotate(n=Count("pk")))
    assert statuses.keys() == set(ProblemStatus.values)
    assert counters() == {"collected": 192, "solved": 155}
    assert counts["collected"] == 192
    assert counts["drafts"] == statuses["draft"] > 0
    assert broken_rules(TODAY) == dict.fromkeys(broken_rules(TODAY), 0)

    open_ = Problem.objects.open()
    assert open_.filter(overdue_since__isnull=False).count() == counts["overdue"] >= 5
    assert open_.filter(overdue_since__isnull=True).count() >= 10
    assert open_.filter(escalated_on__isnull=False).exists()
    assert Task.objects.filter(overdue_since__isnull=False).exists()
    assert Problem.objects.filter(reopened_count__gt=0, status="in_rectification").exclude(
        reopen_reason=""
    )
    assert Problem.objects.filter(reopened_count__gt=0, status="closed").exists()
    assert Problem.objects.filter(source_visit__isnull=False).count() >= 30
    assert Problem.objects.filter(status="draft", source_visit__isnull=False).exists()
    closed = Problem.objects.filter(status="closed")
    assert 0.7 < closed.filter(closed_on__lte=F("deadline")).count() / closed.count() < 0.95
    assert Result.objects.filter(rating="poor").exists()
    assert Result.objects.filter(verified_at__isnull=True).exists()  # awaiting verification
    assert set(Result.objects.exclude(rating="").values_list("rating", flat=True)) == {
        "excellent",
        "good",
        "poor",
    }
    # One overdue event per flag, as the daily job would have left them.
    assert ListEvent.objects.filter(kind="problem_overdue").count() == counts["overdue"]
    assert ListEvent.objects.filter(kind="escalated").count() == (
        Problem.objects.filter(escalated_on__isnull=False).count()
    )


@pytest.mark.django_db
def test_the_daily_overdue_job_finds_nothing_to_change_on_the_seeded_day():
    seed()

    def flags():
        problems = Problem.objects.order_by("pk").values_list("pk", "overdue_since", "escalated_on")
        tasks = Task.objects.order_by("pk").values_list("pk", "overdue_since")
        return list(problems), list(tasks), ListEvent.objects.count()

    seeded = flags()
    nothing = OverdueReport(tasks_overdue=0, problems_overdue=0, cleared=0, escalated=0)
    assert flag_overdue(today=TODAY) == nothing
    assert rebuild_overdue(today=TODAY) == nothing
    assert flags() == seeded


@pytest.mark.django_db
def test_the_memorable_accounts_see_work_in_every_state():
    seed()

    station = User.objects.get(username="station").station
    mine = Problem.objects.filter(station=station)
    assert set(mine.values_list("status", flat=True)) == set(ProblemStatus.values)
    assert mine.filter(overdue_since__isnull=False).count() >= 2
    assert mine.filter(reopened_count__gt=0).exists()
    assert mine.filter(results__verified_at__isnull=True).exists()
    assert Task.objects.filter(assignee__username="station", done_on__isnull=True).exists()
    assert Problem.objects.filter(raised_by__username="cadre", source_visit__isnull=False)
    assert Problem.objects.filter(published_by__username="jiangan").exists()


@pytest.mark.django_db
def test_the_demo_problems_have_a_history_of_who_did_what():
    seed()

    problem = Problem.objects.filter(status="closed", reopened_count=1).first()
    history = list(problem.history.order_by("history_date").values_list("status", "history_type"))
    assert history[0] == ("draft", "+")
    assert [s for s, _ in history[1:]] == [
        "published",
        "in_rectification",
        "closed",
        "in_rectification",
        "closed",
    ]
    last = problem.history.order_by("history_date").last()
    assert (last.history_user_id, last.history_date) == (problem.closed_by_id, problem.closed_at)
    # Each row names its action as the services do, so the page says "published", "closed
    # out"… rather than "changed".
    reasons = problem.history.order_by("history_date").values_list("history_change_reason")
    assert [r for (r,) in reasons] == [
        "raised",
        "published",
        "rectifying",
        "closed",
        "reopened",
        "closed",
    ]
    for model in (Problem, Task, Result):
        assert not model.history.filter(history_change_reason__isnull=True).exists()
    assert set(Task.history.values_list("history_change_reason", flat=True)) == {
        "task_added",
        "task_done",
        "progress",
    }
    assert set(Result.history.values_list("history_change_reason", flat=True)) == {
        "result_submitted",
        "verified",
    }
    assert Problem.history.values("id").distinct().count() == Problem.objects.count()
    assert Task.history.filter(history_type="+").count() == Task.objects.count()
    done = Task.objects.filter(done_on__isnull=False).count()
    assert Task.history.filter(done_on__isnull=False).count() == done
    assert Result.history.filter(history_type="+").count() == Result.objects.count()


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_problems_and_another_seed_different_ones():
    seed()
    first = fingerprint()
    seed(reset=True)
    assert fingerprint() == first
    seed(seed=7, reset=True)
    assert fingerprint() != first


@pytest.mark.django_db
def test_references_are_numbered_per_province_and_year_in_publication_order():
    seed()

    published = Problem.objects.public().order_by("published_at", "pk")
    references = list(published.values_list("reference", flat=True))
    assert all(re.fullmatch(r"420000-20(25|26)-\d{6}", r) for r in references)
    assert [r for r in references if "-2026-" in r][0] == "420000-2026-000001"
    by_year = {}
    for r in references:
        by_year.setdefault(r[:11], []).append(int(r[12:]))
    assert all(numbers == list(range(1, len(numbers) + 1)) for numbers in by_year.values())
    assert not Problem.objects.filter(status="draft", reference__isnull=False).exists()


@pytest.mark.django_db
def test_seed_demo_seeds_problems_and_says_how_many():
    out = StringIO()
    call_command("seed_demo", scale="demo", seed=235, today=TODAY, stdout=out)

    assert "收集问题 192 个，解决（销号）155 个" in out.getvalue()
    assert counters() == {"collected": 192, "solved": 155}


@pytest.mark.django_db
def test_hubei_reproduces_the_published_figures_7229_collected_5821_solved():
    counts = seed(scale="hubei")

    assert counters() == {"collected": 7229, "solved": 5821}
    assert (counts["collected"], counts["solved"]) == (7229, 5821)
    assert broken_rules(TODAY) == dict.fromkeys(broken_rules(TODAY), 0)
    closed = Problem.objects.filter(status="closed")
    on_time = closed.filter(closed_on__lte=F("deadline")).count() / 5821
    assert 0.8 < on_time < 0.9
    assert 0.2 < counts["overdue"] / (7229 - 5821) < 0.45
    assert 0.25 < counts["from_visits"] / counts["problems"] < 0.5
    # Spread over the year, every category and most stations.
    months = Problem.objects.public().dates("published_at", "month")
    assert len(months) >= 12
    assert Problem.objects.values("category").distinct().count() == 7
    assert Problem.objects.values("station").distinct().count() > 1400
    assert not Problem.history.exists()  # the larger scales skip history for speed
