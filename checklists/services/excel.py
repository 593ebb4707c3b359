"""Import of a circulated problem list (问题清单) from Excel: every row checked, all or nothing.

``import_problems`` is the entry point for the upload page and ``manage.py import_problems``;
what an import may do is in ``checklists.excel.planning``. Set-based: one query each loads
the stations, categories and people the file names, and the stored problems it numbers
(locked until the end of the transaction, so nobody changes them between the check and the
write) with their tasks. Nothing is written unless every row is good; then new problems and
tasks are bulk-created and stored ones bulk-updated, each with its history row, in one
transaction.
"""

import datetime as dt
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from checklists.excel import parse_table
from checklists.excel.planning import ImportSummary, Person, Plan, StoredStation, plan_import
from checklists.models import ListEvent, Problem, ProblemCategory, Task
from checklists.rules import problem_reference
from liaison.models import User
from stations.importer import ImportRejected, read_table
from stations.importer.columns import file_error, norm
from stations.importer.parsing import Table
from stations.models import Station
from stations.scope import scope_of

BATCH_SIZE = 500
# The change reason on the historical rows, like the action codes of ``lists.Action``.
CHANGE_REASON = "imported"
PROBLEM_FIELDS = [
    "reference",
    "category",
    "description",
    "responsible",
    "deadline",
    "status",
    "published_at",
    "published_by",
    "overdue_since",
    "escalated_on",
    "version",
]
TASK_FIELDS = ["assignee", "due_date", "overdue_since", "version"]


def import_problems(
    file, *, filename: str, by: User, now: dt.datetime, dry_run: bool = False
) -> ImportSummary:
    """Read an uploaded or opened .xlsx (or .csv) problem list and import it; see
    ``import_problem_table``."""
    return import_problem_table(
        read_table(file, filename=filename), by=by, now=now, dry_run=dry_run
    )


@transaction.atomic
def import_problem_table(
    table: Table, *, by: User, now: dt.datetime, dry_run: bool = False
) -> ImportSummary:
    """Add and update the table's problems within ``by``'s jurisdiction, all or nothing.

    Raises ImportRejected listing every error by row and column (nothing written). With
    ``dry_run`` every check runs and the summary is returned, but nothing is written."""
    parsed = parse_table(table)
    if not parsed.rows:
        raise ImportRejected(parsed.errors)
    rows = parsed.rows
    stored = _stored_problems({r.reference for r in rows if r.reference})
    plan = plan_import(
        parsed,
        by=by,
        scope=scope_of(by),
        now=now,
        stations=_stations({r.station for r in rows}),
        categories=_categories(),
        people=_people(
            {r.responsible for r in rows if r.responsible}
            | {t.assignee for r in rows for t in r.tasks or ()}
        ),
        stored=stored,
        stored_tasks=_stored_tasks([p.pk for p in stored.values()]),
    )
    if parsed.errors:
        raise ImportRejected(parsed.errors)
    plan.summary.dry_run = dry_run
    plan.summary.ignored_columns = parsed.ignored
    if not dry_run:
        try:
            _write(plan, by=by, now=now)
        except IntegrityError as exc:  # e.g. another import took a new number meanwhile
            raise file_error(
                _("Someone changed these problems at the same time: import the file again.")
            ) from exc
    return plan.summary


# --- Loading --------------------------------------------------------------------------------


def _stations(codes: set[str]) -> dict[str, StoredStation]:
    rows = Station.objects.filter(code__in=codes - {""}).values_list(
        "pk", "code", "name", "bureau__path"
    )
    return {code: StoredStation(pk, code, name, path) for pk, code, name, path in rows}


def _categories() -> dict[str, ProblemCategory]:
    """By normalised name and code."""
    found = {}
    for category in ProblemCategory.objects.all():
        found[norm(category.code)] = category
        found.setdefault(norm(category.name), category)
    return found


def _people(usernames: set[str]) -> dict[str, Person]:
    rows = User.objects.filter(username__in=usernames).values_list(
        "pk", "username", "role", "is_active", "station_id", "bureau__path", "station__bureau__path"
    )
    return {
        username: Person(pk, username, role, active, station_id, bureau_path or station_path)
        for pk, username, role, active, station_id, bureau_path, station_path in rows
    }


def _stored_problems(references: set[str]) -> dict[str, Problem]:
    if not references:
        return {}
    problems = (
        Problem.objects.filter(reference__in=references)
        .select_related("station__bureau")
        .select_for_update(of=("self",))
    )
    return {p.reference: p for p in problems}


def _stored_tasks(problem_ids: list[int]) -> dict[int, list[Task]]:
    tasks = defaultdict(list)
    if problem_ids:
        for task in Task.objects.filter(problem_id__in=problem_ids).select_for_update():
            tasks[task.problem_id].append(task)
    return tasks


# --- Writing --------------------------------------------------------------------------------


def _write(plan: Plan, *, by: User, now: dt.datetime) -> None:
    history = {"default_user": by, "default_change_reason": CHANGE_REASON, "default_date": now}
    problems = [new.problem for new in plan.new]
    if problems:
        # By hand rather than bulk_create_with_history: a published problem's number is made
        # from its id (as ``lists.publish_problem`` does), and its history row must hold it.
        Problem.objects.bulk_create(problems, batch_size=BATCH_SIZE)
        numbered = []
        for new in plan.new:
            if new.problem.reference is None and new.problem.published_at is not None:
                new.problem.reference = reference_for(new.problem, province=new.province)
                numbered.append(new.problem)
        Problem.objects.bulk_update(numbered, ["reference"], batch_size=BATCH_SIZE)
        Problem.history.bulk_history_create(problems, batch_size=BATCH_SIZE, **history)
    tasks = list(plan.new_tasks)
    for new in plan.new:
        for task in new.tasks:
            task.problem_id = new.problem.pk  # known now that the problem is stored
        tasks.extend(new.tasks)
    if tasks:
        bulk_create_with_history(tasks, Task, batch_size=BATCH_SIZE, **history)
    if plan.changed:
        bulk_update_with_history(
            plan.changed, Problem, PROBLEM_FIELDS, batch_size=BATCH_SIZE, **history
        )
    if plan.changed_tasks:
        bulk_update_with_history(
            plan.changed_tasks, Task, TASK_FIELDS, batch_size=BATCH_SIZE, **history
        )
    if plan.cleared:
        today = timezone.localdate(now)
        ListEvent.objects.bulk_create(
            [
                ListEvent(
                    kind=ListEvent.Kind.OVERDUE_CLEARED,
                    problem_id=problem_id,
                    task_id=task_id,
                    day=today,
                    created_at=now,
                )
                for problem_id, task_id in plan.cleared
            ],
            ignore_conflicts=True,
        )


def reference_for(problem: Problem, *, province: str) -> str:
    """The number of a problem published without one: province code, year of publication,
    id (the format of ``lists.publish_problem``)."""
    year = timezone.localdate(problem.published_at).year
    return problem_reference(province, year, problem.pk)
