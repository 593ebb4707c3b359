"""Reading an uploaded list: find the header (below any title rows), type every cell, and
report what a row says wrongly on its own. Pure: the service checks the rest."""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from checklists.excel.layout import (
    COLUMN_BY_KEY,
    CONTROL_CHARACTERS,
    DESCRIPTION_MAX,
    HEADER_SEARCH_ROWS,
    IMPORT_COLUMNS,
    MAX_ROWS,
    REFERENCE_MAX,
    STATUS_ORDER,
    TASK_SEPARATOR,
    TASK_TITLE_MAX,
    status_word,
    status_words,
)
from stations.importer.columns import RowError, norm, vocabulary
from stations.importer.parsing import Table, cell_text, not_a_date, read_date


@dataclass(frozen=True)
class TaskLine:
    line: int
    title: str
    assignee: str  # a username
    due: dt.date | None  # None: unreadable, already reported


@dataclass
class ProblemRow:
    row: int
    reference: str
    station: str  # station code
    category: str
    description: str
    responsible: str  # a username
    deadline: dt.date | None
    status: str | None  # None: blank (a new problem is published; a stored one keeps its own)
    closed_at: dt.datetime | None
    tasks: list[TaskLine] | None  # None: blank cell or no column (stored tasks stay as they are)
    bad: set[str] = field(default_factory=set)  # keys of the columns with errors of their own


@dataclass
class Parsed:
    errors: list[RowError] = field(default_factory=list)
    rows: list[ProblemRow] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # column key → header as written
    positions: dict[str, int] = field(default_factory=dict)  # column key → index in the row
    ignored: list[str] = field(default_factory=list)  # headers that are none of ours
    header_row: int = 1

    def error(self, row: int, key: str, message: str) -> None:
        self.errors.append(
            RowError(
                row,
                self.labels.get(key) or str(COLUMN_BY_KEY[key].label),
                message,
                self.positions.get(key, 1000),
            )
        )


def parse_table(table: Table) -> Parsed:
    """Find the header (below any title rows), then type every cell and report what a row
    says wrongly on its own. Columns that are none of ours (序号, 市州…) are ignored."""
    parsed = Parsed()
    names = vocabulary({c.key: (c.label, *c.aliases) for c in IMPORT_COLUMNS})
    found = _find_header(table, names)
    if found is None:
        present = {names.get(norm(cell_text(cell))) for cell in table.header}
        for column in IMPORT_COLUMNS:
            if column.required and column.key not in present:
                parsed.errors.append(
                    RowError(table.header_row, str(column.label), _("This column is missing."))
                )
        return parsed
    (number, cells), data = found
    parsed.header_row = number
    columns = _map_header(number, cells, names, parsed)
    if any(e.row == number for e in parsed.errors):
        return parsed
    if not data:
        parsed.error(number, "description", _("The file has no data rows below the header."))
    elif len(data) > MAX_ROWS:
        parsed.error(
            number,
            "description",
            _("The file has more than %(max)s problems: split it into several files.")
            % {"max": MAX_ROWS},
        )
    else:
        statuses = vocabulary(status_words())
        parsed.rows = [_parse_row(n, c, columns, statuses, parsed) for n, c in data]
    return parsed


def _find_header(table: Table, names: dict):
    """The first row holding every required column name, and the rows below it."""
    required = {c.key for c in IMPORT_COLUMNS if c.required}
    candidates = [(table.header_row, table.header), *table.rows[:HEADER_SEARCH_ROWS]]
    for index, (number, cells) in enumerate(candidates):
        if required <= {names.get(norm(cell_text(cell))) for cell in cells}:
            return (number, cells), table.rows[index:]
    return None


def _map_header(number: int, cells: list, names: dict, parsed: Parsed) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        text = cell_text(cell)
        key = names.get(norm(text))
        if key is None:
            if text:
                parsed.ignored.append(text)
        elif key in columns:
            parsed.errors.append(RowError(number, text, _("This column appears twice."), index))
        else:
            columns[key] = index
            parsed.labels[key] = text
            parsed.positions[key] = index
    return columns


class _Cells:
    """One row's cells by column key; errors go to ``parsed`` with the row number."""

    def __init__(self, number: int, cells: list, columns: dict[str, int], parsed: Parsed):
        self.number, self.cells, self.columns, self.parsed = number, cells, columns, parsed
        self.bad: set[str] = set()

    def error(self, key: str, message: str) -> None:
        self.bad.add(key)
        self.parsed.error(self.number, key, message)

    def raw(self, key: str):
        index = self.columns.get(key)
        return self.cells[index] if index is not None and index < len(self.cells) else None

    def text(self, key: str, *, required=False, max_length=None, lines=False) -> str:
        value = cell_text(self.raw(key)).replace("\r\n", "\n")
        bad = CONTROL_CHARACTERS if lines else re.compile(r"[\x00-\x1f\x7f-\x9f]")
        if bad.search(value):
            self.error(key, _("This cell contains control characters; remove them."))
            value = bad.sub("", value).strip()
        if required and not value:
            self.error(key, pgettext("import", "This value is required."))
        elif max_length and len(value) > max_length:
            self.error(key, _("At most %(max)s characters.") % {"max": max_length})
        return value

    def date(self, key: str) -> dt.date | None:
        value = self.raw(key)
        day = read_date(value)
        if day is None and cell_text(value):
            self.error(key, not_a_date(cell_text(value)))
        return day


DATETIME_TEXT = re.compile(r"^(.+?)[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def read_moment(value) -> dt.datetime | None:
    """An aware Asia/Shanghai moment from a date or date-time cell or text; a date alone
    means the start of that day."""
    if isinstance(value, dt.datetime):
        return timezone.make_aware(value) if timezone.is_naive(value) else value
    text = cell_text(value)
    match = DATETIME_TEXT.match(text) if isinstance(value, str) else None
    if match:
        day = read_date(match.group(1))
        hour, minute, second = (int(part or 0) for part in match.groups()[1:])
        if day is None or hour > 23 or minute > 59 or second > 59:
            return None
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute, second)))
    day = read_date(value)
    return timezone.make_aware(dt.datetime.combine(day, dt.time())) if day else None


def _parse_row(number: int, cells: list, columns: dict, statuses: dict, parsed: Parsed):
    row = _Cells(number, cells, columns, parsed)
    status = None
    if text := row.text("status"):
        status = statuses.get(norm(text))
        if status is None:
            row.error(
                "status",
                _("Unknown status “%(value)s”: use one of %(words)s.")
                % {"value": text, "words": "、".join(status_word(s) for s in STATUS_ORDER)},
            )
    closed_at = None
    if cell_text(raw := row.raw("closed_at")):
        closed_at = read_moment(raw)
        if closed_at is None:
            row.error("closed_at", not_a_date(cell_text(raw)))
    problem = ProblemRow(
        row=number,
        reference=row.text("reference", max_length=REFERENCE_MAX),
        station=row.text("station", required=True),
        category=row.text("category", required=True),
        description=row.text("description", required=True, max_length=DESCRIPTION_MAX, lines=True),
        responsible=row.text("responsible"),
        deadline=row.date("deadline"),
        status=status,
        closed_at=closed_at,
        tasks=_parse_tasks(row),
    )
    problem.bad = row.bad
    return problem


def _parse_tasks(row: _Cells) -> list[TaskLine] | None:
    text = row.text("tasks", lines=True)
    if not text:
        return None
    tasks, titles = [], {}
    for line, content in enumerate((p for p in text.split("\n") if p.strip()), start=1):
        parts = TASK_SEPARATOR.split(content.strip())
        if len(parts) != 3 or not all(parts):
            row.error(
                "tasks",
                _("Task %(line)s: write “title|assignee username|due date”, not “%(value)s”.")
                % {"line": line, "value": content.strip()},
            )
            continue
        title, assignee, due_text = parts
        if len(title) > TASK_TITLE_MAX:
            row.error(
                "tasks",
                _("Task %(line)s: the title has more than %(max)s characters.")
                % {"line": line, "max": TASK_TITLE_MAX},
            )
        if title in titles:
            row.error(
                "tasks",
                _("Task %(line)s repeats the title of task %(other)s.")
                % {"line": line, "other": titles[title]},
            )
        titles.setdefault(title, line)
        due = read_date(due_text)
        if due is None:
            row.error(
                "tasks",
                _("Task %(line)s: %(message)s") % {"line": line, "message": not_a_date(due_text)},
            )
        tasks.append(TaskLine(line, title, assignee, due))
    return tasks
