"""The lifecycle of the three lists: raise → publish → rectify (tasks, results) → verify →
close out (动态销号), and reopen.

Every transition is a conditional update (``filter(pk=.., status=.., version=..)``): when
no row changed, someone else acted first and the caller gets ``StaleState`` (a
ValidationError) so the page can show the fresh state. ``update()`` writes no history, so
each service appends the historical rows itself: who, when and why (the change reason is
an action code that ``checklists.list_history`` translates).

Who may do what: ``checklists.permissions``; evidence files: ``checklists.evidence``.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from checklists import rules, signals
from checklists.evidence import EvidenceInfo, check_evidence
from checklists.models import (
    ListEvent,
    Problem,
    ProblemCategory,
    ProblemStatus,
    Rating,
    Result,
    ResultEvidence,
    Task,
)
from checklists.models.problems import OPEN_STATUSES
from checklists.permissions import (
    may_raise,
    people_for,
    require_manager,
    require_worker,
)
from checklists.photos import store_uploads
from liaison.models import User
from stations.models import Station


class Action:
    """Change reasons stored on the historical rows; list_history shows them in words."""

    RAISED = "raised"
    PUBLISHED = "published"
    EDITED = "edited"
    TASK_ADDED = "task_added"
    PROGRESS = "progress"
    TASK_DONE = "task_done"
    RECTIFYING = "rectifying"
    RESULT_SUBMITTED = "result_submitted"
    VERIFIED = "verified"
    CLOSED = "closed"
    REOPENED = "reopened"


class StaleState(ValidationError):
    """The row changed since the form was shown: nothing was written; show the fresh state."""

    def __init__(self, message=None):
        super().__init__(
            message
            or _(
                "This problem was changed by someone else in the meantime. Its current "
                "state is shown below; check it and try again."
            ),
            code="stale",
        )


def _stale_task() -> StaleState:
    return StaleState(
        _(
            "This task was changed by someone else in the meantime. Its current state is "
            "shown below; check it and try again."
        )
    )


def _stale_result() -> StaleState:
    return StaleState(
        _(
            "This result was changed by someone else in the meantime. Its current state "
            "is shown below; check it and try again."
        )
    )


@dataclass(frozen=True)
class TaskDraft:
    title: str
    assignee: User
    due_date: dt.date


def _check_people(station: Station, people: Iterable[User], message: str) -> None:
    wanted = {person.pk for person in people}
    found = set(people_for(station).filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - found:
        raise ValidationError(message, code="person")


# --- helpers --------------------------------------------------------------------------------


def _lock(problem: Problem) -> Problem:
    """The problem's row, locked until the transaction ends: adding tasks, editing the
    deadline and closing out are serialised on it."""
    return (
        Problem.objects.select_for_update(of=("self",))
        .select_related("station__bureau")
        .get(pk=problem.pk)
    )


def _conditional_update(model, *, pk: int, version: int, where: Q, stale, **changes) -> None:
    """Change one row only if it is still at ``version`` and matches ``where``."""
    changed = model.objects.filter(where, pk=pk, version=version).update(
        version=F("version") + 1, **changes
    )
    if changed != 1:
        raise stale()


def _record_history(model, pks: Iterable[int], *, by, now: dt.datetime, action: str) -> list:
    """Append one historical row per changed row, as it now is (update() writes none)."""
    rows = list(model.objects.filter(pk__in=list(pks)))
    model.history.bulk_history_create(
        rows, update=True, default_user=by, default_date=now, default_change_reason=action
    )
    return rows


def _cleared(problem_id: int, task_id: int | None, *, today: dt.date, now) -> None:
    """The row stopped being overdue because of a person's action: one event, like the
    sweep's flips (idempotent per item and day)."""
    ListEvent.objects.bulk_create(
        [
            ListEvent(
                kind=ListEvent.Kind.OVERDUE_CLEARED,
                problem_id=problem_id,
                task_id=task_id,
                day=today,
                created_at=now,
            )
        ],
        ignore_conflicts=True,
    )


def _work_started(problem_id: int, *, by, now) -> None:
    """The first progress, done task or result moves a published problem into
    rectification (conditional: only if it is still published)."""
    moved = Problem.objects.filter(pk=problem_id, status=ProblemStatus.PUBLISHED).update(
        status=ProblemStatus.IN_RECTIFICATION, version=F("version") + 1
    )
    if moved:
        _record_history(Problem, [problem_id], by=by, now=now, action=Action.RECTIFYING)


def _reference(problem: Problem, now: dt.datetime) -> str:
    province = problem.station.bureau.path.split("/")[0]
    return rules.problem_reference(province, timezone.localdate(now).year, problem.pk)


def reopened_at(problem: Problem) -> dt.datetime | None:
    """When the problem was last reopened (from its history), or None."""
    if not problem.reopened_count:
        return None
    return (
        Problem.history.filter(id=problem.pk, history_change_reason=Action.REOPENED)
        .order_by("-history_date")
        .values_list("history_date", flat=True)
        .first()
    )


# --- problems -------------------------------------------------------------------------------


@transaction.atomic
def raise_problem(
    *, station: Station, category: ProblemCategory, description: str, by: User, now: dt.datetime
) -> Problem:
    """A problem raised outside a visit, as a draft for the liaison office to publish."""
    if not may_raise(by, station):
        raise ValidationError(_("You may not raise problems for this station."), code="forbidden")
    description = description.strip()
    if not description:
        raise ValidationError(_("Describe the problem."), code="description")
    if not category.active:
        raise ValidationError(_("This problem category is no longer in use."), code="category")
    if not station.active:
        raise ValidationError(_("This police station is no longer active."), code="station")
    [problem] = bulk_create_with_history(
        [
            Problem(
                station=station,
                category=category,
                description=description,
                raised_by=by,
                created_at=now,
            )
        ],
        Problem,
        default_user=by,
        default_date=now,
        default_change_reason=Action.RAISED,
    )
    return problem


def _check_deadline(deadline: dt.date, today: dt.date) -> None:
    if deadline < today:
        raise ValidationError(_("The deadline cannot be in the past."), code="deadline")


def _check_tasks(
    station: Station, tasks: Sequence[TaskDraft], *, deadline: dt.date, today: dt.date
) -> list[TaskDraft]:
    drafts = []
    for task in tasks:
        title = task.title.strip()
        if not title:
            raise ValidationError(_("Every task needs a title."), code="title")
        if task.due_date > deadline:
            raise ValidationError(
                _("A task's due date cannot be later than the problem's deadline (%(date)s).")
                % {"date": deadline.isoformat()},
                code="due_after_deadline",
            )
        if task.due_date < today:
            raise ValidationError(_("A task's due date cannot be in the past."), code="due_past")
        drafts.append(TaskDraft(title=title, assignee=task.assignee, due_date=task.due_date))
    _check_people(
        station,
        [d.assignee for d in drafts],
        _("An assignee must work at this station or at a bureau above it."),
    )
    return drafts


def _create_tasks(problem: Problem, drafts: list[TaskDraft], *, by, now) -> list[Task]:
    if not drafts:
        return []
    last = problem.tasks.aggregate(last=Max("order"))["last"]
    first = 0 if last is None else last + 1
    return bulk_create_with_history(
        [
            Task(
                problem=problem,
                title=d.title,
                assignee=d.assignee,
                due_date=d.due_date,
                order=first + i,
                created_by=by,
                created_at=now,
            )
            for i, d in enumerate(drafts)
        ],
        Task,
        default_user=by,
        default_date=now,
        default_change_reason=Action.TASK_ADDED,
    )


@transaction.atomic
def publish_problem(
    *,
    problem: Problem,
    by: User,
    responsible: User,
    deadline: dt.date,
    version: int,
    now: dt.datetime,
    tasks: Sequence[TaskDraft] = (),
) -> Problem:
    """Draft → published (公开发布) with a responsible person and a deadline, and
    optionally its first tasks. The problem gets its reference number if it has none."""
    locked = _lock(problem)
    require_manager(by, locked)
    if locked.version != version:
        raise StaleState()
    if locked.status != ProblemStatus.DRAFT:
        raise ValidationError(_("This problem is already published."), code="status")
    today = timezone.localdate(now)
    _check_deadline(deadline, today)
    _check_people(
        locked.station,
        [responsible],
        _("The responsible person must work at this station or at a bureau above it."),
    )
    drafts = _check_tasks(locked.station, tasks, deadline=deadline, today=today)
    _conditional_update(
        Problem,
        pk=locked.pk,
        version=version,
        where=Q(status=ProblemStatus.DRAFT),
        stale=StaleState,
        status=ProblemStatus.PUBLISHED,
        responsible=responsible,
        deadline=deadline,
        published_at=now,
        published_by=by,
        reference=Coalesce(F("reference"), Value(_reference(locked, now))),
    )
    [fresh] = _record_history(Problem, [locked.pk], by=by, now=now, action=Action.PUBLISHED)
    _create_tasks(fresh, drafts, by=by, now=now)
    return fresh


@transaction.atomic
def update_problem(
    *,
    problem: Problem,
    by: User,
    version: int,
    responsible: User | None = None,
    deadline: dt.date | None = None,
    now: dt.datetime,
) -> Problem:
    """Change an open problem's responsible person or deadline. The deadline is never
    before today nor before an open task's due date; once it lies ahead the problem is no
    longer overdue."""
    locked = _lock(problem)
    require_manager(by, locked)
    if locked.version != version:
        raise StaleState()
    if not locked.is_open:
        raise ValidationError(_("Only an open problem can be changed."), code="status")
    today = timezone.localdate(now)
    changes = {}
    if responsible is not None and responsible.pk != locked.responsible_id:
        _check_people(
            locked.station,
            [responsible],
            _("The responsible person must work at this station or at a bureau above it."),
        )
        changes["responsible"] = responsible
    if deadline is not None and deadline != locked.deadline:
        _check_deadline(deadline, today)
        latest = locked.tasks.open().aggregate(latest=Max("due_date"))["latest"]
        if latest is not None and deadline < latest:
            raise ValidationError(
                _("The deadline cannot be earlier than the due date of an open task (%(date)s).")
                % {"date": latest.isoformat()},
                code="deadline_before_task",
            )
        changes["deadline"] = deadline
        if locked.overdue_since is not None:
            # A new overdue spell will be escalated again.
            changes.update(overdue_since=None, escalated_on=None)
    if not changes:
        return locked
    _conditional_update(
        Problem,
        pk=locked.pk,
        version=version,
        where=Q(status__in=OPEN_STATUSES),
        stale=StaleState,
        **changes,
    )
    if "overdue_since" in changes:
        _cleared(locked.pk, None, today=today, now=now)
    [fresh] = _record_history(Problem, [locked.pk], by=by, now=now, action=Action.EDITED)
    return fresh


# --- tasks ----------------------------------------------------------------------------------


@transaction.atomic
def add_tasks(
    *, problem: Problem, by: User, tasks: Sequence[TaskDraft], now: dt.datetime
) -> list[Task]:
    """Tasks under an open problem, each due between today and the problem's deadline
    (checked under a lock on the problem, so a deadline edit cannot slip in between)."""
    locked = _lock(problem)
    require_manager(by, locked)
    if not locked.is_open:
        raise ValidationError(_("Tasks can only be added to an open problem."), code="status")
    if not tasks:
        raise ValidationError(_("Enter at least one task."), code="no_tasks")
    today = timezone.localdate(now)
    drafts = _check_tasks(locked.station, tasks, deadline=locked.deadline, today=today)
    return _create_tasks(locked, drafts, by=by, now=now)


def add_task(
    *,
    problem: Problem,
    by: User,
    title: str,
    assignee: User,
    due_date: dt.date,
    now: dt.datetime,
) -> Task:
    [task] = add_tasks(
        problem=problem,
        by=by,
        tasks=[TaskDraft(title=title, assignee=assignee, due_date=due_date)],
        now=now,
    )
    return task


@transaction.atomic
def plan_tasks(
    *, problem: Problem, by: User, titles: Sequence[str], assignee: User, now: dt.datetime
) -> list[Task]:
    """Several tasks for one assignee, due on milestones worked back from the deadline."""
    locked = _lock(problem)
    today = timezone.localdate(now)
    if not titles:
        raise ValidationError(_("Enter at least one task."), code="no_tasks")
    if locked.deadline is None or locked.deadline < today:
        raise ValidationError(
            _("The deadline has passed: move it before planning tasks."), code="deadline"
        )
    dates = rules.plan_backwards(deadline=locked.deadline, today=today, steps=len(titles))
    drafts = [
        TaskDraft(title=title, assignee=assignee, due_date=day)
        for title, day in zip(titles, dates, strict=True)
    ]
    return add_tasks(problem=locked, by=by, tasks=drafts, now=now)


def _task_problem(task: Task) -> Problem:
    return Problem.objects.select_related("station__bureau").get(pk=task.problem_id)


@transaction.atomic
def update_task(
    *, task: Task, by: User, version: int, progress: int, note: str, now: dt.datetime
) -> Task:
    """Report a task's progress (percent) with a note."""
    problem = _task_problem(task)
    require_worker(by, problem, [task.assignee_id])
    if not 0 <= progress <= 100:
        raise ValidationError(_("Progress is a percentage from 0 to 100."), code="progress")
    if task.version == version and task.is_done:
        raise ValidationError(_("This task is already done."), code="done")
    if not problem.is_open:
        raise ValidationError(_("This problem is not open."), code="status")
    _conditional_update(
        Task,
        pk=task.pk,
        version=version,
        where=Q(done_on__isnull=True),
        stale=_stale_task,
        progress=progress,
        progress_note=note.strip(),
    )
    [fresh] = _record_history(Task, [task.pk], by=by, now=now, action=Action.PROGRESS)
    _work_started(problem.pk, by=by, now=now)
    return fresh


@transaction.atomic
def complete_task(*, task: Task, by: User, version: int, now: dt.datetime) -> Task:
    """Mark a task done today (办结): 100 %, who and when; no longer overdue."""
    problem = _task_problem(task)
    require_worker(by, problem, [task.assignee_id])
    if task.version == version and task.is_done:
        raise ValidationError(_("This task is already done."), code="done")
    if not problem.is_open:
        raise ValidationError(_("This problem is not open."), code="status")
    today = timezone.localdate(now)
    _conditional_update(
        Task,
        pk=task.pk,
        version=version,
        where=Q(done_on__isnull=True),
        stale=_stale_task,
        progress=100,
        done_on=today,
        done_by=by,
        overdue_since=None,
    )
    if task.overdue_since is not None:
        _cleared(problem.pk, task.pk, today=today, now=now)
    [fresh] = _record_history(Task, [task.pk], by=by, now=now, action=Action.TASK_DONE)
    _work_started(problem.pk, by=by, now=now)
    return fresh


# --- results --------------------------------------------------------------------------------


def _store_evidence(result: Result, uploads: Sequence, infos: list[EvidenceInfo], now) -> None:
    """Write the files under random names (the original name is kept in a column), then
    their rows in one statement; on failure remove what was written."""
    store_uploads(
        ResultEvidence,
        (
            (
                ResultEvidence(
                    result=result,
                    original_name=(getattr(upload, "name", "") or "")[:200],
                    content_type=info.content_type,
                    size=info.size,
                    uploaded_at=now,
                ),
                upload,
                info.extension,
            )
            for upload, info in zip(uploads, infos, strict=True)
        ),
        field="file",
    )


@transaction.atomic
def submit_result(
    *, problem: Problem, by: User, what_changed: str, files: Sequence = (), now: dt.datetime
) -> Result:
    """A result (效果) with its evidence files, for bureau staff to verify."""
    locked = _lock(problem)
    assignee_ids = set(locked.tasks.values_list("assignee_id", flat=True))
    require_worker(by, locked, assignee_ids)
    if not locked.is_open:
        raise ValidationError(
            _("A result can only be submitted for an open problem."), code="status"
        )
    what_changed = what_changed.strip()
    if not what_changed:
        raise ValidationError(_("Describe what changed."), code="what_changed")
    files = list(files)
    infos = check_evidence(files)
    [result] = bulk_create_with_history(
        [Result(problem=locked, what_changed=what_changed, submitted_by=by, submitted_at=now)],
        Result,
        default_user=by,
        default_date=now,
        default_change_reason=Action.RESULT_SUBMITTED,
    )
    if files:
        _store_evidence(result, files, infos, now)
    _work_started(locked.pk, by=by, now=now)
    return result


@transaction.atomic
def verify_result(
    *, result: Result, by: User, version: int, rating: str, note: str = "", now: dt.datetime
) -> Result:
    """Bureau staff in scope who did not submit the result rate it (four eyes). A poor
    rating is a verification too, but does not allow close-out."""
    problem = Problem.objects.select_related("station__bureau").get(pk=result.problem_id)
    require_manager(by, problem)
    if result.submitted_by_id == by.pk:
        raise ValidationError(
            _("You cannot verify a result you submitted yourself."), code="four_eyes"
        )
    if rating not in Rating.values:
        raise ValidationError(_("Choose a rating."), code="rating")
    if result.version == version and result.is_verified:
        raise ValidationError(_("This result is already verified."), code="verified")
    if not problem.is_open:
        raise ValidationError(_("This problem is not open."), code="status")
    _conditional_update(
        Result,
        pk=result.pk,
        version=version,
        where=Q(verified_at__isnull=True),
        stale=_stale_result,
        verified_by=by,
        verified_at=now,
        rating=rating,
        verification_note=note.strip(),
    )
    [fresh] = _record_history(Result, [result.pk], by=by, now=now, action=Action.VERIFIED)
    signals.result_verified.send(sender=Result, result=fresh)
    return fresh


# --- close-out and reopening ----------------------------------------------------------------


def close_out_refusal(problem: Problem, *, by: User, since: dt.datetime | None) -> str | None:
    """Why ``by`` cannot close the problem out now (a sentence), or None. Two queries."""
    open_tasks = problem.tasks.open().count()
    results = problem.results.all()
    if since is not None:
        results = results.filter(submitted_at__gte=since)
    return close_out_refusal_from(
        open_tasks=open_tasks,
        results=results.only("submitted_by_id", "rating", "verified_at"),
        by=by,
    )


def close_out_refusal_from(*, open_tasks: int, results: Iterable[Result], by: User) -> str | None:
    """``close_out_refusal`` from values already loaded: the number of open tasks and the
    results that count (those submitted since the last reopening). No query."""
    facts = [
        rules.ResultFacts(
            submitted_by_id=r.submitted_by_id, rating=r.rating, verified=r.verified_at is not None
        )
        for r in results
    ]
    code = rules.close_out_blocker(open_tasks=open_tasks, results=facts, closer_id=by.pk)
    return close_out_message(code, open_tasks=open_tasks)


def close_out_message(code: str | None, *, open_tasks: int) -> str | None:
    if code is None:
        return None
    messages = {
        rules.OPEN_TASKS: _(
            "A problem can only be closed out when every task is done (%(count)d still open)."
        )
        % {"count": open_tasks},
        rules.NO_RESULT: _("A problem can only be closed out with a verified result."),
        rules.UNVERIFIED: _(
            "A problem can only be closed out with a verified result: its result is still "
            "waiting to be verified."
        ),
        rules.POOR: _(
            "The result was rated poor: the station must submit a better one before the "
            "problem can be closed out."
        ),
        rules.OWN_RESULT: _(
            "You submitted the verified result yourself: another colleague must close out "
            "this problem."
        ),
    }
    return messages[code]


@transaction.atomic
def close_out(*, problem: Problem, by: User, version: int, now: dt.datetime) -> Problem:
    """Close out (销号) when every task is done and a result is verified excellent or good,
    by bureau staff in scope who did not submit it. After a reopening only results
    submitted since count."""
    locked = _lock(problem)
    require_manager(by, locked)
    if locked.version != version:
        raise StaleState()
    if not locked.is_open:
        raise ValidationError(_("Only an open problem can be closed out."), code="status")
    refusal = close_out_refusal(locked, by=by, since=reopened_at(locked))
    if refusal:
        raise ValidationError(refusal, code="not_ready")
    today = timezone.localdate(now)
    _conditional_update(
        Problem,
        pk=locked.pk,
        version=version,
        where=Q(status__in=OPEN_STATUSES),
        stale=StaleState,
        status=ProblemStatus.CLOSED,
        closed_at=now,
        closed_by=by,
        closed_on=today,
        overdue_since=None,
    )
    if locked.overdue_since is not None:
        _cleared(locked.pk, None, today=today, now=now)
    [fresh] = _record_history(Problem, [locked.pk], by=by, now=now, action=Action.CLOSED)
    signals.problem_closed_out.send(sender=Problem, problem=fresh)
    return fresh


@transaction.atomic
def reopen_problem(
    *, problem: Problem, by: User, version: int, reason: str, now: dt.datetime
) -> Problem:
    """Closed → in rectification, with the reason; closing out again needs a new result."""
    locked = _lock(problem)
    require_manager(by, locked)
    if locked.version != version:
        raise StaleState()
    if locked.status != ProblemStatus.CLOSED:
        raise ValidationError(_("Only a closed-out problem can be reopened."), code="status")
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give the reason for reopening."), code="reason")
    _conditional_update(
        Problem,
        pk=locked.pk,
        version=version,
        where=Q(status=ProblemStatus.CLOSED),
        stale=StaleState,
        status=ProblemStatus.IN_RECTIFICATION,
        closed_at=None,
        closed_by=None,
        closed_on=None,
        reopen_reason=reason,
        reopened_count=F("reopened_count") + 1,
    )
    [fresh] = _record_history(Problem, [locked.pk], by=by, now=now, action=Action.REOPENED)
    return fresh
