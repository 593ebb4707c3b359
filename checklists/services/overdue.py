"""The daily overdue sweep of the lists, its reminders and the escalation to the bureau above.

In the manner of healthchecks: the due moment is stored on the row (a task's ``due_date``, a
problem's ``deadline``; partial indexes serve the sweep) and the derived state next to it
(``overdue_since``, ``escalated_on``). The sweep is a handful of set-based statements: each
flip is a conditional UPDATE whose returned rows are appended to ``ListEvent`` (unique per
kind, item and day, ``ON CONFLICT DO NOTHING``), so running it twice on a day equals once.
The events are the history and the outbox of the escalation mails.

- Overdue: an open task (not done, its problem open) or an open problem (published or in
  rectification) whose date has passed; ``overdue_since`` is the day after that date.
- Escalated: an open problem overdue for ``LIAISON_ESCALATE_AFTER_WORKING_DAYS`` Chinese
  working days (counted strictly after ``overdue_since`` up to today; weekends and public
  holidays skipped, adjusted workdays 调休 counted).

``rebuild_overdue`` is the repair path: it derives the same flags from the facts, dating an
escalation on the working day it fell due; after daily runs it agrees with them.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import connection, transaction
from django.db.models import DateField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from checklists.models import ListEvent, ListReminderLog, Problem, Task
from checklists.models.problems import OPEN_STATUSES
from checklists.rules import escalation_cutoff, escalation_day
from liaison.models import Role, User

# --- The sweep ------------------------------------------------------------------------------

_OPEN_PROBLEM = "p.status = ANY(%(open)s)"


def _flip(update: str, kind: str) -> str:
    """One flip: a conditional UPDATE returning (problem_id, task_id) of the rows it changed,
    one event per row (unique per kind, item and day) and the number of rows."""
    return f"""
WITH flipped AS ({update}), logged AS (
    INSERT INTO checklists_listevent (kind, problem_id, task_id, day, created_at)
    SELECT '{kind}', problem_id, task_id, %(today)s, %(now)s FROM flipped
    ON CONFLICT DO NOTHING
)
SELECT count(*) FROM flipped
"""


_TASK_ROW = "RETURNING t.problem_id, t.id AS task_id"
_PROBLEM_ROW = "RETURNING p.id AS problem_id, NULL::bigint AS task_id"

_CLEAR_TASKS = _flip(
    f"""
    UPDATE checklists_task t SET overdue_since = NULL
    WHERE t.overdue_since IS NOT NULL
      AND (t.done_on IS NOT NULL OR t.due_date >= %(today)s OR NOT EXISTS (
          SELECT 1 FROM checklists_problem p WHERE p.id = t.problem_id AND {_OPEN_PROBLEM}))
    {_TASK_ROW}""",
    ListEvent.Kind.OVERDUE_CLEARED,
)

_FLAG_TASKS = _flip(
    f"""
    UPDATE checklists_task t SET overdue_since = t.due_date + 1
    FROM checklists_problem p
    WHERE p.id = t.problem_id AND {_OPEN_PROBLEM}
      AND t.done_on IS NULL AND t.due_date < %(today)s AND t.overdue_since IS NULL
    {_TASK_ROW}""",
    ListEvent.Kind.TASK_OVERDUE,
)

# A due date moved while the task stays overdue: overdue_since follows it (no flip, no event).
_REDATE_TASKS = f"""
UPDATE checklists_task t SET overdue_since = t.due_date + 1
FROM checklists_problem p
WHERE p.id = t.problem_id AND {_OPEN_PROBLEM}
  AND t.done_on IS NULL AND t.due_date < %(today)s AND t.overdue_since <> t.due_date + 1
"""

_CLEAR_PROBLEMS = _flip(
    f"""
    UPDATE checklists_problem p SET overdue_since = NULL, escalated_on = NULL
    WHERE p.overdue_since IS NOT NULL AND (NOT ({_OPEN_PROBLEM}) OR p.deadline >= %(today)s)
    {_PROBLEM_ROW}""",
    ListEvent.Kind.OVERDUE_CLEARED,
)

# A new overdue spell starts unescalated.
_FLAG_PROBLEMS = _flip(
    f"""
    UPDATE checklists_problem p SET overdue_since = p.deadline + 1, escalated_on = NULL
    WHERE {_OPEN_PROBLEM} AND p.deadline < %(today)s AND p.overdue_since IS NULL
    {_PROBLEM_ROW}""",
    ListEvent.Kind.PROBLEM_OVERDUE,
)

# A deadline moved while the problem stays overdue restarts the escalation clock.
_REDATE_PROBLEMS = f"""
UPDATE checklists_problem p SET overdue_since = p.deadline + 1, escalated_on = NULL
WHERE {_OPEN_PROBLEM} AND p.deadline < %(today)s AND p.overdue_since <> p.deadline + 1
"""

# An escalation stands only while its problem is overdue long enough: cleared when the
# problem was closed, or its deadline moved (also by services that clear overdue_since).
_CLEAR_ESCALATIONS = """
UPDATE checklists_problem SET escalated_on = NULL
WHERE escalated_on IS NOT NULL AND (overdue_since IS NULL OR overdue_since > %(cutoff)s)
"""

_ESCALATE = _flip(
    f"""
    UPDATE checklists_problem p SET escalated_on = %(today)s
    WHERE {_OPEN_PROBLEM} AND p.overdue_since <= %(cutoff)s AND p.escalated_on IS NULL
    {_PROBLEM_ROW}""",
    ListEvent.Kind.ESCALATED,
)

# The repair path dates each escalation on the working day it fell due (``due.day``), from
# a table of (overdue_since, escalation day) built in Python for the distinct dates.
_DUE = "unnest(%(since)s::date[], %(day)s::date[]) AS due(since, day)"

_REBUILD_ESCALATE = _flip(
    f"""
    UPDATE checklists_problem p SET escalated_on = due.day
    FROM {_DUE}
    WHERE p.overdue_since = due.since AND due.day <= %(today)s AND {_OPEN_PROBLEM}
      AND p.escalated_on IS NULL
    {_PROBLEM_ROW}""",
    ListEvent.Kind.ESCALATED,
)

# An escalation dated before it fell due (or in the future) is moved to the day it fell due.
_REBUILD_REDATE_ESCALATIONS = f"""
UPDATE checklists_problem p SET escalated_on = due.day
FROM {_DUE}
WHERE p.overdue_since = due.since AND due.day <= %(today)s
  AND p.escalated_on NOT BETWEEN due.day AND %(today)s
"""


@dataclass(frozen=True)
class OverdueReport:
    tasks_overdue: int
    problems_overdue: int
    cleared: int
    escalated: int


def _count(cursor, sql: str, params: dict) -> int:
    cursor.execute(sql, params)
    return cursor.fetchone()[0]


def _sweep_flags(cursor, params: dict) -> tuple[int, int, int]:
    cleared = _count(cursor, _CLEAR_TASKS, params) + _count(cursor, _CLEAR_PROBLEMS, params)
    tasks = _count(cursor, _FLAG_TASKS, params)
    cursor.execute(_REDATE_TASKS, params)
    problems = _count(cursor, _FLAG_PROBLEMS, params)
    cursor.execute(_REDATE_PROBLEMS, params)
    cursor.execute(_CLEAR_ESCALATIONS, params)
    return tasks, problems, cleared


def _params(today: dt.date, now: dt.datetime | None, escalate_after: int | None) -> dict:
    working_days = (
        settings.LIAISON_ESCALATE_AFTER_WORKING_DAYS if escalate_after is None else escalate_after
    )
    return {
        "today": today,
        "now": now or timezone.now(),
        "open": list(OPEN_STATUSES),
        "working_days": working_days,
        "cutoff": escalation_cutoff(today, working_days),
    }


@transaction.atomic
def flag_overdue(
    *, today: dt.date, now: dt.datetime | None = None, escalate_after: int | None = None
) -> OverdueReport:
    """The daily job: flag what became overdue, clear what no longer is, escalate problems
    overdue for the configured number of working days. Running it twice on the same day
    changes nothing the second time."""
    params = _params(today, now, escalate_after)
    if connection.vendor != "postgresql":
        return _portable_sweep(params, escalations=None)
    with connection.cursor() as cursor:
        tasks, problems, cleared = _sweep_flags(cursor, params)
        escalated = _count(cursor, _ESCALATE, params)
    return OverdueReport(
        tasks_overdue=tasks, problems_overdue=problems, cleared=cleared, escalated=escalated
    )


@transaction.atomic
def rebuild_overdue(
    *, today: dt.date, now: dt.datetime | None = None, escalate_after: int | None = None
) -> OverdueReport:
    """The repair path: derive every overdue flag and escalation again from the facts (due
    dates, deadlines, statuses), whatever state the flags are in. Flips it makes are logged
    as events of ``today`` like the daily job's."""
    params = _params(today, now, escalate_after)
    since_days = sorted(
        Problem.objects.filter(status__in=OPEN_STATUSES, deadline__lt=today)
        .values_list("deadline", flat=True)
        .distinct()
    )
    since = [deadline + dt.timedelta(days=1) for deadline in since_days]
    params["since"] = since
    params["day"] = [escalation_day(day, params["working_days"]) for day in since]
    if connection.vendor != "postgresql":
        return _portable_sweep(params, escalations=dict(zip(since, params["day"], strict=True)))
    with connection.cursor() as cursor:
        tasks, problems, cleared = _sweep_flags(cursor, params)
        escalated = _count(cursor, _REBUILD_ESCALATE, params)
        cursor.execute(_REBUILD_REDATE_ESCALATIONS, params)
    return OverdueReport(
        tasks_overdue=tasks, problems_overdue=problems, cleared=cleared, escalated=escalated
    )


# --- The same sweep in the ORM (the embedded SQLite demo) ------------------------------------
#
# SQLite has no UPDATE … FROM with RETURNING inside a CTE, nor arrays. This path makes the same
# flips with a few set-based ORM statements per step (select the ids, update them, append the
# events); ``test_overdue`` runs it on PostgreSQL too and checks it agrees with the SQL.

_DAY = dt.timedelta(days=1)


def _flip_rows(queryset, kind: str, params: dict, *, task: bool, **changes) -> int:
    """Update the rows of ``queryset`` with ``changes`` and log one ``kind`` event each."""
    fields = ("problem_id", "pk") if task else ("pk",)
    rows = list(queryset.values_list(*fields))
    if not rows:
        return 0
    queryset.model.objects.filter(pk__in=[row[-1] for row in rows]).update(**changes)
    ListEvent.objects.bulk_create(
        [
            ListEvent(
                kind=kind,
                problem_id=row[0],
                task_id=row[1] if task else None,
                day=params["today"],
                created_at=params["now"],
            )
            for row in rows
        ],
        ignore_conflicts=True,
    )
    return len(rows)


def _portable_sweep(params: dict, *, escalations: dict[dt.date, dt.date] | None) -> OverdueReport:
    """``flag_overdue`` (``escalations`` None) or ``rebuild_overdue`` (``escalations``: the
    day each ``overdue_since`` falls due for escalation) in the ORM."""
    today, open_ = params["today"], params["open"]
    kind = ListEvent.Kind
    open_problem = Q(problem__status__in=open_)
    tasks = Task.objects
    cleared = _flip_rows(
        tasks.filter(overdue_since__isnull=False).filter(
            Q(done_on__isnull=False) | Q(due_date__gte=today) | ~open_problem
        ),
        kind.OVERDUE_CLEARED,
        params,
        task=True,
        overdue_since=None,
    )
    cleared += _flip_rows(
        Problem.objects.filter(overdue_since__isnull=False).filter(
            ~Q(status__in=open_) | Q(deadline__gte=today)
        ),
        kind.OVERDUE_CLEARED,
        params,
        task=False,
        overdue_since=None,
        escalated_on=None,
    )
    late_tasks = tasks.filter(open_problem, done_on__isnull=True, due_date__lt=today)
    since_due = ExpressionWrapper(F("due_date") + _DAY, output_field=DateField())
    flagged_tasks = _flip_rows(
        late_tasks.filter(overdue_since__isnull=True),
        kind.TASK_OVERDUE,
        params,
        task=True,
        overdue_since=since_due,
    )
    late_tasks.exclude(overdue_since=since_due).update(overdue_since=since_due)
    late = Problem.objects.filter(status__in=open_, deadline__lt=today)
    since_deadline = ExpressionWrapper(F("deadline") + _DAY, output_field=DateField())
    flagged_problems = _flip_rows(
        late.filter(overdue_since__isnull=True),
        kind.PROBLEM_OVERDUE,
        params,
        task=False,
        overdue_since=since_deadline,
        escalated_on=None,
    )
    late.exclude(overdue_since=since_deadline).update(
        overdue_since=since_deadline, escalated_on=None
    )
    Problem.objects.filter(escalated_on__isnull=False).filter(
        Q(overdue_since__isnull=True) | Q(overdue_since__gt=params["cutoff"])
    ).update(escalated_on=None)
    unescalated = Problem.objects.filter(status__in=open_, escalated_on__isnull=True)
    if escalations is None:
        escalated = _flip_rows(
            unescalated.filter(overdue_since__lte=params["cutoff"]),
            kind.ESCALATED,
            params,
            task=False,
            escalated_on=today,
        )
    else:
        escalated = 0
        for since, day in escalations.items():
            if day > today:
                continue
            escalated += _flip_rows(
                unescalated.filter(overdue_since=since),
                kind.ESCALATED,
                params,
                task=False,
                escalated_on=day,
            )
            Problem.objects.filter(overdue_since=since).exclude(
                escalated_on__range=(day, today)
            ).exclude(escalated_on__isnull=True).update(escalated_on=day)
    return OverdueReport(
        tasks_overdue=flagged_tasks,
        problems_overdue=flagged_problems,
        cleared=cleared,
        escalated=escalated,
    )


# --- Reminders and escalation mails ---------------------------------------------------------


@dataclass(frozen=True)
class OverdueReminders:
    reminded: int  # overdue digests sent to assignees and responsible persons
    escalations: int  # escalation mails sent to bureau staff of the bureau above
    no_email: int  # people who would have had a mail but have no email address
    already_sent: int  # mails not sent again: that person had this kind today


@dataclass
class _Digest:
    user: User
    problems: list = field(default_factory=list)
    tasks: list = field(default_factory=list)


def _mail(template: str, context: dict, to: str) -> EmailMessage:
    subject = render_to_string(f"checklists/email/{template}_subject.txt", context)
    body = render_to_string(f"checklists/email/{template}_body.txt", context)
    return EmailMessage(subject=" ".join(subject.split()), body=body.strip() + "\n", to=[to])


def _digests() -> dict[int, _Digest]:
    """Everyone with overdue items: a task's assignee, an open problem's responsible person."""
    people: dict[int, _Digest] = {}
    problems = (
        Problem.objects.filter(
            status__in=OPEN_STATUSES, overdue_since__isnull=False, responsible__is_active=True
        )
        .select_related("station", "category", "responsible")
        .order_by("deadline", "pk")
    )
    for problem in problems:
        user = problem.responsible
        people.setdefault(user.pk, _Digest(user)).problems.append(problem)
    tasks = (
        Task.objects.filter(overdue_since__isnull=False, assignee__is_active=True)
        .select_related("problem__station", "assignee")
        .order_by("due_date", "pk")
    )
    for task in tasks:
        user = task.assignee
        people.setdefault(user.pk, _Digest(user)).tasks.append(task)
    return people


def _escalated_by_bureau(today: dt.date) -> dict[int, list[Problem]]:
    """Problems escalated today, under the bureau above their station's county bureau (a
    county's city; for a directly administered city acting as a county, the province)."""
    escalated_today = ListEvent.objects.filter(
        problem=OuterRef("pk"), kind=ListEvent.Kind.ESCALATED, day=today
    )
    problems = (
        Problem.objects.filter(status__in=OPEN_STATUSES, escalated_on__isnull=False)
        .filter(Exists(escalated_today))
        .select_related("station__bureau", "category", "responsible")
        .order_by("station__bureau__code", "station__code", "deadline", "pk")
    )
    by_bureau: dict[int, list[Problem]] = defaultdict(list)
    for problem in problems:
        above = problem.station.bureau.parent_id
        if above is not None:
            by_bureau[above].append(problem)
    return by_bureau


@dataclass(frozen=True)
class _Outgoing:
    user: User
    kind: str
    mail: EmailMessage
    items: int


@transaction.atomic
def send_overdue_reminders(*, today: dt.date, now: dt.datetime | None = None) -> OverdueReminders:
    """The daily mails after the sweep: one digest per person with overdue items, and one
    escalation mail to each bureau user of the bureau above listing the problems escalated
    today. ``ListReminderLog`` (unique per user, day and kind) makes it idempotent: the log
    rows are written before the mails go out; should two runs race, the unique constraint
    rolls the second back before it sends anything."""
    now = now or timezone.now()
    sent = set(ListReminderLog.objects.filter(day=today).values_list("user_id", "kind"))
    working_days = settings.LIAISON_ESCALATE_AFTER_WORKING_DAYS
    outgoing: list[_Outgoing] = []
    no_email: set[int] = set()
    already = 0

    def add(user: User, kind: str, context: dict, items: int) -> None:
        nonlocal already
        if (user.pk, kind) in sent:
            already += 1
        elif not user.email:
            no_email.add(user.pk)
        else:
            context = {**context, "name": user.get_full_name() or user.username}
            outgoing.append(_Outgoing(user, kind, _mail(kind, context, user.email), items))

    with translation.override(settings.LANGUAGE_CODE):
        for digest in _digests().values():
            count = len(digest.problems) + len(digest.tasks)
            context = {
                "today": today.isoformat(),
                "problems": digest.problems,
                "tasks": digest.tasks,
                "count": count,
                "working_days": working_days,
            }
            add(digest.user, ListReminderLog.Kind.OVERDUE, context, count)
        by_bureau = _escalated_by_bureau(today)
        staff = (
            User.objects.filter(role=Role.BUREAU, is_active=True, bureau_id__in=list(by_bureau))
            .select_related("bureau")
            .order_by("pk")
        )
        for user in staff:
            problems = by_bureau[user.bureau_id]
            context = {
                "unit": user.bureau.name,
                "problems": problems,
                "count": len(problems),
                "working_days": working_days,
            }
            add(user, ListReminderLog.Kind.ESCALATION, context, len(problems))

    ListReminderLog.objects.bulk_create(
        [
            ListReminderLog(user=o.user, day=today, kind=o.kind, items=o.items, sent_at=now)
            for o in outgoing
        ]
    )
    if outgoing:
        mailers.default.send_messages([o.mail for o in outgoing])
    kinds = [o.kind for o in outgoing]
    return OverdueReminders(
        reminded=kinds.count(ListReminderLog.Kind.OVERDUE),
        escalations=kinds.count(ListReminderLog.Kind.ESCALATION),
        no_email=len(no_email),
        already_sent=already,
    )
