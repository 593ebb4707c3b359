"""The change history of the seeded problems, tasks and results (demo scale only): the
``simple_history`` rows a user would have left by raising, publishing, working on, verifying,
closing out and reopening them. The larger scales skip it: a bulk load writes no history,
like the seeded visits."""

from collections import defaultdict

from checklists.models import Problem, ProblemStatus, Result, Task
from checklists.seeding.plan import ProblemPlan
from checklists.services.lists import Action

BATCH_SIZE = 2000


def _state(obj, **initial) -> dict:
    """The row's fields as its historical model has them, with ``initial`` values."""
    fields = obj._meta.concrete_fields
    return {f.attname: getattr(obj, f.attname) for f in fields if f.attname != "version"} | initial


def problem_history(
    problem, plan: ProblemPlan, tasks, results, *, staff: int, verifier: int
) -> list:
    """The change history a user would have left, oldest first (demo only): raised,
    published, rectification started, closed out (and reopened), as simple_history rows."""
    rows = []

    def snap(model, state, at, user, reason, kind="~", **changes):
        """``reason``: the services' change reason (the action the history page names)."""
        state.update(changes)
        historical = model.history.model
        rows.append(
            historical(
                **state,
                history_date=at,
                history_user_id=user,
                history_type=kind,
                history_change_reason=reason,
            )
        )

    state = _state(
        problem,
        reference=None,
        status=ProblemStatus.DRAFT,
        responsible_id=None,
        deadline=None,
        published_at=None,
        published_by_id=None,
        closed_at=None,
        closed_by_id=None,
        closed_on=None,
        reopen_reason="",
        reopened_count=0,
        overdue_since=None,
        escalated_on=None,
    )
    snap(Problem, state, problem.created_at, problem.raised_by_id, Action.RAISED, "+")
    if plan.published:
        snap(
            Problem,
            state,
            problem.published_at,
            problem.published_by_id,
            Action.PUBLISHED,
            status=ProblemStatus.PUBLISHED,
            reference=problem.reference,
            responsible_id=problem.responsible_id,
            deadline=plan.first_deadline,
            published_at=problem.published_at,
            published_by_id=problem.published_by_id,
        )
    if plan.started:
        snap(
            Problem,
            state,
            plan.worked_at(plan.started),
            staff,
            Action.RECTIFYING,
            status=ProblemStatus.IN_RECTIFICATION,
        )
    if plan.reopened:
        closed_at = plan.closed_at(plan.first_closed)
        snap(
            Problem,
            state,
            closed_at,
            verifier,
            Action.CLOSED,
            status=ProblemStatus.CLOSED,
            closed_at=closed_at,
            closed_by_id=verifier,
            closed_on=plan.first_closed,
        )
        snap(
            Problem,
            state,
            plan.reopened_at(),
            problem.published_by_id,
            Action.REOPENED,
            status=ProblemStatus.IN_RECTIFICATION,
            closed_at=None,
            closed_by_id=None,
            closed_on=None,
            reopen_reason=plan.reopen_reason,
            reopened_count=1,
            deadline=plan.deadline,
        )
    if plan.closed:
        snap(
            Problem,
            state,
            problem.closed_at,
            verifier,
            Action.CLOSED,
            status=ProblemStatus.CLOSED,
            closed_at=problem.closed_at,
            closed_by_id=verifier,
            closed_on=plan.closed,
        )
    for task, t in zip(tasks, plan.tasks, strict=True):
        state = _state(
            task, progress=0, progress_note="", done_on=None, done_by_id=None, overdue_since=None
        )
        snap(Task, state, task.created_at, task.created_by_id, Action.TASK_ADDED, "+")
        if t.done or t.progressed:
            snap(
                Task,
                state,
                plan.worked_at(t.done or t.progressed),
                staff,
                Action.TASK_DONE if t.done else Action.PROGRESS,
                progress=task.progress,
                progress_note=task.progress_note,
                done_on=task.done_on,
                done_by_id=task.done_by_id,
            )
    for result in results:
        state = _state(
            result, verified_by_id=None, verified_at=None, rating="", verification_note=""
        )
        snap(
            Result, state, result.submitted_at, result.submitted_by_id, Action.RESULT_SUBMITTED, "+"
        )
        if result.verified_at:
            snap(
                Result,
                state,
                result.verified_at,
                result.verified_by_id,
                Action.VERIFIED,
                verified_by_id=result.verified_by_id,
                verified_at=result.verified_at,
                rating=result.rating,
                verification_note=result.verification_note,
            )
    return rows


def write_history(rows) -> None:
    by_model = defaultdict(list)
    for row in rows:
        by_model[type(row)].append(row)
    for model, objs in by_model.items():
        model.objects.bulk_create(objs, batch_size=BATCH_SIZE)
