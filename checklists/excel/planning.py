"""Checking an import against what is stored: rows + the stations, categories, people and
problems they name + the user's scope → every error, or the plan of what to write.

No queries: the service loads what the rows name (``StoredStation``, ``Person``, the stored
problems and tasks as model instances) and writes the plan in one transaction.

What an import may do (the page and the template explain it):
- add a problem as a draft, published, in rectification, or closed out in the past (with
  its close-out time; recorded as closed out by the importing user, its tasks done);
- update a stored problem in the user's jurisdiction (matched by its number): category,
  description, responsible person, deadline, tasks (matched by title), and move its status
  forward (draft → published → in rectification). It never moves a problem to another
  station, sets a status back, closes a stored problem out (that needs done tasks and a
  verified result, in the app) or changes a closed-out one.
- name as responsible person or assignee only people who may be named in the app
  (``lists.people_for``): the station's staff, or bureau staff of a bureau above it.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from checklists.excel.layout import STATUS_ORDER, status_word
from checklists.excel.parsing import Parsed, ProblemRow, TaskLine
from checklists.models import Problem, ProblemCategory, ProblemStatus, Task
from liaison.models import User
from stations.importer.columns import norm
from stations.importer.planning import under, within
from stations.scope import Scope


@dataclass(frozen=True)
class StoredStation:
    pk: int
    code: str
    name: str
    path: str  # of its bureau


@dataclass(frozen=True)
class Person:
    pk: int
    username: str
    role: str
    active: bool
    station_id: int | None
    path: str | None  # the bureau path of the person's unit (a station's: its bureau's)


@dataclass(frozen=True)
class PreviewRow:
    row: int
    reference: str
    station: str
    description: str
    status: str
    tasks: int
    action: str  # "created", "updated" or "unchanged"


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    tasks_created: int = 0
    tasks_updated: int = 0
    dry_run: bool = False
    rows: list[PreviewRow] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    def describe(self) -> str:
        counts = {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "tasks_created": self.tasks_created,
            "tasks_updated": self.tasks_updated,
        }
        if self.dry_run:
            return (
                _(
                    "Check passed; nothing was written. Problems: %(created)s to add, "
                    "%(updated)s to update, %(unchanged)s unchanged. Tasks: %(tasks_created)s "
                    "to add, %(tasks_updated)s to update."
                )
                % counts
            )
        return (
            _(
                "Import finished. Problems: %(created)s added, %(updated)s updated, "
                "%(unchanged)s unchanged. Tasks: %(tasks_created)s added, %(tasks_updated)s "
                "updated."
            )
            % counts
        )


@dataclass
class NewProblem:
    problem: Problem
    tasks: list[Task]
    province: str  # the province bureau's code, for a number made when it is stored


@dataclass
class Plan:
    new: list[NewProblem] = field(default_factory=list)
    changed: list[Problem] = field(default_factory=list)
    new_tasks: list[Task] = field(default_factory=list)  # under stored problems
    changed_tasks: list[Task] = field(default_factory=list)
    cleared: list[tuple[int, int | None]] = field(default_factory=list)  # (problem, task)
    summary: ImportSummary = field(default_factory=ImportSummary)


def plan_import(parsed: Parsed, **facts) -> Plan:
    """Check every row (errors go to ``parsed.errors``) and plan the writes; see
    ``Planner`` for the facts it needs."""
    return Planner(parsed, **facts).run()


class Planner:
    """Checks every row against what is stored; collects errors into ``parsed``."""

    def __init__(
        self,
        parsed: Parsed,
        *,
        by: User,
        scope: Scope,
        now: dt.datetime,
        stations: dict[str, StoredStation],
        categories: dict[str, ProblemCategory],
        people: dict[str, Person],
        stored: dict[str, Problem],
        stored_tasks: dict[int, list[Task]],
    ):
        self.parsed, self.by, self.scope, self.now = parsed, by, scope, now
        self.today = timezone.localdate(now)
        self.stations, self.categories, self.people = stations, categories, people
        self.stored, self.stored_tasks = stored, stored_tasks
        self.seen: dict[str, int] = {}
        self.plan = Plan()
        self.row_failed = False

    def error(self, row: ProblemRow, key: str, message: str) -> None:
        self.row_failed = True
        self.parsed.error(row.row, key, message)

    def run(self) -> Plan:
        for row in self.parsed.rows:
            self.row_failed = bool(row.bad)
            self.check(row)
        return self.plan

    def check(self, row: ProblemRow) -> None:
        station = self.station(row)
        category = self.category(row)
        stored = self.stored_problem(row, station)
        status = row.status or (stored.status if stored else ProblemStatus.PUBLISHED)
        self.status_rules(row, stored, status)
        responsible = self.person(row, "responsible", row.responsible, station)
        deadline = row.deadline
        tasks = self.tasks(row, station, stored, deadline)
        if category is None:
            return
        if stored is not None:
            self.update(row, stored, category, responsible, status, tasks)  # checks more
        elif not self.row_failed and station is not None:
            self.add(row, station, category, responsible, status, tasks)

    def station(self, row: ProblemRow) -> StoredStation | None:
        if not row.station:
            return None  # reported as required
        station = self.stations.get(row.station)
        if station is None:
            self.error(
                row, "station", _("No police station has code %(code)s.") % {"code": row.station}
            )
        elif not within(self.scope, station.path):
            self.error(
                row,
                "station",
                _("Police station %(code)s is outside your jurisdiction.") % {"code": row.station},
            )
            return None
        return station

    def category(self, row: ProblemRow) -> ProblemCategory | None:
        if not row.category:
            return None
        category = self.categories.get(norm(row.category))
        if category is None:
            self.error(
                row,
                "category",
                _("Unknown problem category “%(value)s”: use a name or code from the template.")
                % {"value": row.category},
            )
        return category

    def stored_problem(self, row: ProblemRow, station: StoredStation | None) -> Problem | None:
        if not row.reference:
            return None
        if (first := self.seen.setdefault(row.reference, row.row)) != row.row:
            self.error(
                row,
                "reference",
                _("Problem number %(reference)s already appears in row %(row)s.")
                % {"reference": row.reference, "row": first},
            )
            return None
        problem = self.stored.get(row.reference)
        if problem is None:
            return None
        if not within(self.scope, problem.station.bureau.path):
            self.error(
                row,
                "reference",
                _("Problem number %(reference)s belongs to a problem outside your jurisdiction.")
                % {"reference": row.reference},
            )
            return None
        if station is not None and problem.station_id != station.pk:
            self.error(
                row,
                "station",
                _(
                    "Problem %(reference)s belongs to police station %(code)s: an import cannot "
                    "move it to another station."
                )
                % {"reference": row.reference, "code": problem.station.code},
            )
        return problem

    def status_rules(self, row: ProblemRow, stored: Problem | None, status: str) -> None:
        draft, closed = ProblemStatus.DRAFT, ProblemStatus.CLOSED
        if status != draft and not row.responsible:
            self.error(
                row, "responsible", _("A problem that is not a draft needs a responsible person.")
            )
        if status != draft and row.deadline is None and "deadline" not in row.bad:
            self.error(row, "deadline", _("A problem that is not a draft needs a deadline."))
        if status == closed and row.closed_at is None and "closed_at" not in row.bad:
            self.error(
                row, "closed_at", _("A closed-out problem needs the time it was closed out.")
            )
        if status != closed and row.closed_at is not None:
            self.error(
                row,
                "closed_at",
                _(
                    "Only a closed-out problem has a close-out time: clear this cell or set "
                    "the status to “%(closed)s”."
                )
                % {"closed": status_word(closed)},
            )
        if row.closed_at is not None and row.closed_at > self.now:
            self.error(row, "closed_at", _("The close-out time lies in the future."))
        if stored is None:
            return
        if stored.status == closed:
            return  # any change is refused in ``update``
        if status == closed:
            self.error(
                row,
                "status",
                _(
                    "An import cannot close out a stored problem: close it out on its page once "
                    "its tasks are done and a result is verified."
                ),
            )
        elif STATUS_ORDER.index(status) < STATUS_ORDER.index(stored.status):
            self.error(
                row,
                "status",
                _(
                    "Problem %(reference)s is already “%(current)s”: an import cannot set it "
                    "back to “%(status)s”."
                )
                % {
                    "reference": row.reference,
                    "current": status_word(stored.status),
                    "status": status_word(status),
                },
            )

    def person(
        self, row: ProblemRow, key: str, username: str, station, *, line: int | None = None
    ) -> Person | None:
        """The user named in a cell, if they may be named for the station's problem (the
        rule of ``lists.people_for``); else an error."""
        if not username:
            return None
        person = self.people.get(username)
        if person is None:
            message = _("No user has the username “%(username)s”.")
        elif not person.active:
            message = _("The user “%(username)s” is deactivated.")
        elif station is not None and not self.eligible(person, station):
            message = _(
                "The user “%(username)s” cannot be named for problems of police station "
                "%(station)s: only its staff and the liaison offices above it can."
            )
        else:
            return person
        message %= {"username": username, "station": getattr(station, "name", "")}
        if line is not None:
            message = _("Task %(line)s: %(message)s") % {"line": line, "message": message}
        self.error(row, key, message)
        return None

    @staticmethod
    def eligible(person: Person, station: StoredStation) -> bool:
        """Station staff of the station, or bureau staff of a bureau whose subtree holds it."""
        if person.role == "station":
            return person.station_id == station.pk
        return (
            person.role == "bureau" and person.path is not None and under(station.path, person.path)
        )

    def tasks(self, row, station, stored, deadline) -> list[tuple[TaskLine, Person]]:
        checked = []
        listed = {t.title for t in row.tasks or ()}
        for line in row.tasks or ():
            person = self.person(row, "tasks", line.assignee, station, line=line.line)
            if line.due and deadline and line.due > deadline:
                self.error(
                    row,
                    "tasks",
                    _("Task %(line)s is due on %(due)s, after the deadline %(deadline)s.")
                    % {"line": line.line, "due": line.due, "deadline": deadline},
                )
            if person is not None and line.due is not None:
                checked.append((line, person))
        if stored is not None and deadline is not None:
            for task in self.stored_tasks.get(stored.pk, ()):
                if task.title not in listed and not task.is_done and task.due_date > deadline:
                    self.error(
                        row,
                        "deadline",
                        _("The stored task “%(title)s” is due on %(due)s, after this deadline.")
                        % {"title": task.title, "due": task.due_date},
                    )
        return checked

    # Planning the writes ---------------------------------------------------------------------

    def add(self, row, station, category, responsible, status, tasks) -> None:
        by, closed = self.by, status == ProblemStatus.CLOSED
        published = status != ProblemStatus.DRAFT
        # A problem closed out in the past was raised and published no later than that.
        when = row.closed_at if closed else self.now
        problem = Problem(
            reference=row.reference or None,
            station_id=station.pk,
            category=category,
            description=row.description,
            raised_by=by,
            responsible_id=responsible.pk if responsible else None,
            deadline=row.deadline,
            status=status,
            created_at=when,
            published_at=when if published else None,
            published_by=by if published else None,
            closed_at=row.closed_at if closed else None,
            closed_by=by if closed else None,
            closed_on=timezone.localdate(row.closed_at) if closed else None,
        )
        new_tasks = [
            Task(
                title=line.title,
                assignee_id=person.pk,
                due_date=line.due,
                order=line.line,
                created_by=by,
                created_at=when,
                progress=100 if closed else 0,
                done_on=problem.closed_on if closed else None,
                done_by=by if closed else None,
            )
            for line, person in tasks
        ]
        self.plan.new.append(NewProblem(problem, new_tasks, station.path.split("/")[0]))
        summary = self.plan.summary
        summary.created += 1
        summary.tasks_created += len(new_tasks)
        self.preview(row, station.name, status, len(new_tasks), "created")

    def update(self, row, stored, category, responsible, status, tasks) -> None:
        values = {
            "category_id": category.pk,
            "description": row.description,
            "responsible_id": responsible.pk if responsible else None,
            "deadline": row.deadline,
            "status": status,
        }
        changed = any(getattr(stored, name) != value for name, value in values.items())
        by_title = {t.title: t for t in self.stored_tasks.get(stored.pk, ())}
        new_tasks, changed_tasks = [], []
        next_order = max((t.order for t in by_title.values()), default=0)
        for line, person in tasks:
            task = by_title.get(line.title)
            if task is None:
                next_order += 1
                new_tasks.append(
                    Task(
                        problem_id=stored.pk,
                        title=line.title,
                        assignee_id=person.pk,
                        due_date=line.due,
                        order=next_order,
                        created_by=self.by,
                        created_at=self.now,
                    )
                )
            elif (task.assignee_id, task.due_date) != (person.pk, line.due):
                if task.is_done:
                    self.error(
                        row,
                        "tasks",
                        _("Task %(line)s “%(title)s” is done: an import cannot change it.")
                        % {"line": line.line, "title": line.title},
                    )
                    continue
                if task.overdue_since is not None and line.due >= self.today:
                    task.overdue_since = None
                    self.plan.cleared.append((stored.pk, task.pk))
                task.assignee_id, task.due_date = person.pk, line.due
                task.version += 1
                changed_tasks.append(task)
        if stored.status == ProblemStatus.CLOSED and (changed or new_tasks or changed_tasks):
            self.error(
                row,
                "reference",
                _("Problem %(reference)s is closed out: reopen it before changing it by import.")
                % {"reference": row.reference},
            )
        if self.row_failed:
            return
        summary = self.plan.summary
        if changed:
            if stored.status == ProblemStatus.DRAFT and status != ProblemStatus.DRAFT:
                stored.published_at, stored.published_by = self.now, self.by
            if stored.overdue_since is not None and row.deadline >= self.today:
                # A new overdue spell will be escalated again (as in ``lists.update_problem``).
                stored.overdue_since = stored.escalated_on = None
                self.plan.cleared.append((stored.pk, None))
            for name, value in values.items():
                setattr(stored, name, value)
            stored.version += 1
            self.plan.changed.append(stored)
        self.plan.new_tasks.extend(new_tasks)
        self.plan.changed_tasks.extend(changed_tasks)
        summary.tasks_created += len(new_tasks)
        summary.tasks_updated += len(changed_tasks)
        action = "updated" if changed or new_tasks or changed_tasks else "unchanged"
        setattr(summary, action, getattr(summary, action) + 1)
        total = len(by_title) + len(new_tasks)
        self.preview(row, stored.station.name, status, total, action)

    def preview(self, row, station_name, status, tasks, action) -> None:
        self.plan.summary.rows.append(
            PreviewRow(
                row=row.row,
                reference=row.reference,
                station=station_name,
                description=row.description,
                status=status_word(status),
                tasks=tasks,
                action=action,
            )
        )
