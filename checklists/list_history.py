"""The full history of a problem, its tasks and its results, merged, newest first: who,
when, what was done and which field went from what to what (django-simple-history rows,
plus the overdue sweep's events). A constant number of queries, whatever the task count.
"""

import datetime as dt
from dataclasses import dataclass
from itertools import groupby

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from checklists.models import (
    ListEvent,
    Problem,
    ProblemCategory,
    ProblemStatus,
    Rating,
    Result,
    Task,
)
from checklists.services.lists import Action
from liaison.models import User

# Fields a person changes, per model, in display order. Overdue flags come from events.
PROBLEM_FIELDS = (
    "status",
    "reference",
    "category",
    "description",
    "responsible",
    "deadline",
    "reopen_reason",
)
TASK_FIELDS = ("title", "assignee", "due_date", "progress", "progress_note", "done_on")
RESULT_FIELDS = ("what_changed", "rating", "verification_note")
# Shown when a row is created (its first values).
CREATED_FIELDS = {
    Problem: ("category", "description"),
    Task: ("title", "assignee", "due_date"),
    Result: ("what_changed",),
}
USER_FIELDS = {"responsible", "assignee"}
CONSEQUENCE_RANK = 9


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    user: object  # a User, or None for the system (the overdue sweep)
    subject: str
    action: str
    changes: list[FieldChange]
    sort_key: tuple


def _action_labels() -> dict[str, str]:
    return {
        Action.RAISED: _("Problem raised"),
        Action.PUBLISHED: _("Problem published"),
        Action.EDITED: _("Problem changed"),
        Action.TASK_ADDED: _("Task added"),
        Action.PROGRESS: _("Progress reported"),
        Action.TASK_DONE: _("Task done"),
        Action.RECTIFYING: _("Rectification started"),
        Action.RESULT_SUBMITTED: _("Result submitted"),
        Action.VERIFIED: _("Result verified"),
        Action.CLOSED: _("Problem closed out"),
        Action.REOPENED: _("Problem reopened"),
    }


def _created_labels() -> dict:
    return {Problem: _("Problem raised"), Task: _("Task added"), Result: _("Result submitted")}


class _Shown:
    """Turns stored values into words, with the users and categories looked up once."""

    def __init__(self, users: dict, categories: dict):
        self.users = users
        self.categories = categories

    def __call__(self, field: str, value) -> str:
        if value is None or value == "":
            return "—"
        if field in USER_FIELDS:
            return str(self.users.get(value, value))
        if field == "category":
            return str(self.categories.get(value, value))
        if field == "status":
            return str(ProblemStatus(value).label) if value in ProblemStatus.values else value
        if field == "rating":
            return str(Rating(value).label) if value in Rating.values else value
        if field == "progress":
            return f"{value}%"
        if isinstance(value, dt.datetime):
            return date_format(timezone.localtime(value), "Y-m-d H:i")
        if isinstance(value, dt.date):
            return value.isoformat()
        return str(value)


def _attname(model, field: str) -> str:
    return model._meta.get_field(field).attname


def _label(model, field: str) -> str:
    return str(model._meta.get_field(field).verbose_name)


def _entries(model, records, fields, subject, shown: _Shown, rank: int) -> list[HistoryEntry]:
    """``records``: historical rows of one model ordered by object, then time."""
    actions = _action_labels()
    created = _created_labels()[model]
    entries = []
    for _pk, rows in groupby(records, key=lambda r: r.id):
        previous = None
        for record in rows:
            if previous is None:
                values = {f: getattr(record, _attname(model, f)) for f in CREATED_FIELDS[model]}
                changes = [
                    FieldChange(_label(model, f), "—", shown(f, value))
                    for f, value in values.items()
                    if value not in (None, "")
                ]
            else:
                changes = []
                for f in fields:
                    old = getattr(previous, _attname(model, f))
                    new = getattr(record, _attname(model, f))
                    if old != new:
                        changes.append(FieldChange(_label(model, f), shown(f, old), shown(f, new)))
            reason = record.history_change_reason or ""
            if reason in actions:
                action = actions[reason]
            else:
                action = created if previous is None else _("Changed")
            entries.append(
                HistoryEntry(
                    at=record.history_date,
                    user=record.history_user,
                    subject=subject(record),
                    action=action,
                    changes=changes,
                    # Rectification starts as a consequence of the task or result
                    # change made in the same instant: it comes out on top.
                    sort_key=(
                        record.history_date,
                        CONSEQUENCE_RANK if reason == Action.RECTIFYING else rank,
                        record.history_id,
                    ),
                )
            )
            previous = record
    return entries


def _event_entries(events) -> list[HistoryEntry]:
    entries = []
    for event in events:
        subject = (
            _("Task “%(title)s”") % {"title": event.task.title} if event.task_id else _("Problem")
        )
        entries.append(
            HistoryEntry(
                at=event.created_at,
                user=None,
                subject=subject,
                action=f"{event.get_kind_display()} · {event.day.isoformat()}",
                changes=[],
                sort_key=(event.created_at, 3, event.pk),
            )
        )
    return entries


def problem_history(problem: Problem) -> list[HistoryEntry]:
    """Everything that happened to the problem, its tasks and its results, newest first.
    Five or six queries, independent of how many tasks and results there are."""
    problem_records = list(
        Problem.history.filter(id=problem.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    task_records = list(
        Task.history.filter(problem_id=problem.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    result_records = list(
        Result.history.filter(problem_id=problem.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    events = list(
        ListEvent.objects.filter(problem_id=problem.pk).select_related("task").order_by("pk")
    )
    user_ids = {r.responsible_id for r in problem_records} | {r.assignee_id for r in task_records}
    user_ids.discard(None)
    users = {u.pk: u for u in User.objects.filter(pk__in=user_ids)} if user_ids else {}
    category_ids = {r.category_id for r in problem_records}
    categories = (
        dict(ProblemCategory.objects.filter(pk__in=category_ids).values_list("pk", "name"))
        if len(category_ids) > 1
        else {problem.category_id: problem.category.name}
    )
    shown = _Shown(users, categories)
    entries = [
        *_entries(Problem, problem_records, PROBLEM_FIELDS, lambda r: _("Problem"), shown, 0),
        *_entries(
            Task,
            task_records,
            TASK_FIELDS,
            lambda r: _("Task “%(title)s”") % {"title": r.title},
            shown,
            1,
        ),
        *_entries(Result, result_records, RESULT_FIELDS, lambda r: _("Result"), shown, 2),
        *_event_entries(events),
    ]
    entries.sort(key=lambda e: e.sort_key, reverse=True)
    return entries
