"""Excel import of many bureaus' staffing figures: all rows or none.

One row per bureau and date: code, (name,) as-of date, police total, station police,
community police. Read with the bureau import's reader (``stations.importer.read_table``,
.xlsx or .csv) and reported with its ``RowError`` / ``ImportRejected``: every error by row
and column, in Chinese, and nothing written. A row whose date and figures are all blank is
skipped (the template lists every bureau in scope). A (bureau, date) already stored is
corrected in place; the history keeps the change. Set-based: one query for the file's
bureaus, one for the stored rows of its dates, then bulk writes.
"""

import datetime as dt
import io
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from stations.importer import ImportRejected, RowError, read_table
from stations.importer.columns import BUREAU_CODE, Column, norm, vocabulary
from stations.importer.parsing import (
    CONTROL_CHARACTERS,
    Table,
    cell_text,
    not_a_date,
    read_date,
)
from stations.importer.planning import within
from stations.models import Bureau, StaffingReturn
from stations.scope import Scope
from stations.staffing.rules import FIGURES, MAX_POLICE, figure_errors
from stations.staffing.services import date_errors, not_a_recording_bureau

COLUMNS: tuple[Column, ...] = (
    Column("code", pgettext_lazy("import column", "Code"), ("code", "bureaucode"), True),
    Column("name", pgettext_lazy("import column", "Name"), ("name", "bureau")),
    Column("as_of", pgettext_lazy("import column", "As of"), ("asof", "date"), True),
    Column("police_total", pgettext_lazy("import column", "Police total"), ("policetotal",), True),
    Column(
        "station_police",
        pgettext_lazy("import column", "Station police"),
        ("stationpolice",),
        True,
    ),
    Column(
        "community_police",
        pgettext_lazy("import column", "Community police"),
        ("communitypolice",),
        True,
    ),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
MAX_ROWS = 10_000
BATCH_SIZE = 1000
INTEGER_TEXT = re.compile(r"^[+-]?\d+$")


@dataclass
class FigureRow:
    row: int
    code: str
    as_of: dt.date | None
    figures: dict[str, int | None]


@dataclass
class Parsed:
    errors: list[RowError] = field(default_factory=list)
    rows: list[FigureRow] = field(default_factory=list)
    skipped: int = 0
    labels: dict[str, str] = field(default_factory=dict)  # key → header as written
    positions: dict[str, int] = field(default_factory=dict)  # key → index in the row

    def error(self, row: int, key: str, message: str) -> None:
        label = self.labels.get(key) or str(COLUMN_BY_KEY[key].label)
        self.errors.append(RowError(row, label, message, self.positions.get(key, 1000)))


@dataclass
class Summary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0

    def describe(self) -> str:
        return _(
            "Import finished: %(created)d figures added, %(updated)d corrected, %(unchanged)d "
            "unchanged, %(skipped)d blank rows skipped."
        ) % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
        }


# --- Reading cells ------------------------------------------------------------------------


def read_count(value) -> int | str | None:
    """A whole number from a number cell or text (thousands separators allowed); None when
    blank; the text as written when it is not a whole number."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = cell_text(value).replace(",", "").replace("，", "").replace(" ", "")
    if not text:
        return None
    return int(text) if INTEGER_TEXT.match(text) else cell_text(value)


def _map_header(table: Table, parsed: Parsed) -> dict[str, int]:
    """Our columns by position; columns that are none of ours (序号, 备注…) are ignored."""
    names = vocabulary({c.key: (c.label, *c.aliases) for c in COLUMNS})
    columns: dict[str, int] = {}
    for index, cell in enumerate(table.header):
        text = cell_text(cell)
        key = names.get(norm(text)) if text else None
        if key is None:
            continue
        if key in columns:
            parsed.errors.append(
                RowError(table.header_row, text, _("This column appears twice."), index)
            )
        else:
            columns[key] = index
            parsed.labels[key] = text
            parsed.positions[key] = index
    for column in COLUMNS:
        if column.required and column.key not in columns:
            parsed.errors.append(
                RowError(table.header_row, str(column.label), _("This column is missing."), -1)
            )
    return columns


def parse_table(table: Table) -> Parsed:
    """Type every cell and report what a row says wrongly on its own (no database)."""
    parsed = Parsed()
    columns = _map_header(table, parsed)
    if parsed.errors:
        return parsed
    if not table.rows:
        parsed.error(table.header_row, "code", _("The file has no data rows below the header."))
        return parsed
    if len(table.rows) > MAX_ROWS:
        parsed.error(
            table.header_row,
            "code",
            _("The file has more than %(max)s rows: split it into several files.")
            % {"max": MAX_ROWS},
        )
        return parsed
    for number, cells in table.rows:

        def raw(key, cells=cells):
            index = columns.get(key)
            return cells[index] if index is not None and index < len(cells) else None

        if all(cell_text(raw(key)) == "" for key in ("as_of", *FIGURES)):
            parsed.skipped += 1  # a bureau of the template left blank
            continue
        row = FigureRow(number, _code(parsed, number, raw("code")), None, {})
        row.as_of = _date(parsed, number, raw("as_of"))
        for key in FIGURES:
            row.figures[key] = _count(parsed, number, key, raw(key))
        parsed.rows.append(row)
    return parsed


def _code(parsed: Parsed, number: int, value) -> str:
    text = cell_text(value)
    if CONTROL_CHARACTERS.search(text):
        parsed.error(number, "code", _("This cell contains control characters; remove them."))
        return ""
    if not text:
        parsed.error(number, "code", pgettext("import", "This value is required."))
    elif not BUREAU_CODE.match(text):
        parsed.error(
            number, "code", _("A bureau code is 6 digits not starting with 0, e.g. 420102.")
        )
        return ""
    return text


def _date(parsed: Parsed, number: int, value) -> dt.date | None:
    if cell_text(value) == "":
        parsed.error(number, "as_of", _("Enter the date the figures are as of."))
        return None
    day = read_date(value)
    if day is None:
        parsed.error(number, "as_of", not_a_date(cell_text(value)))
    return day


def _count(parsed: Parsed, number: int, key: str, value) -> int | None:
    count = read_count(value)
    if count is None:
        parsed.error(number, key, _("Enter a number of police."))
        return None
    if isinstance(count, str):
        parsed.error(
            number,
            key,
            _("“%(value)s” is not a whole number of police.") % {"value": count},
        )
        return None
    if count < 0:
        parsed.error(number, key, _("Enter a number of police of 0 or more."))
        return None
    if count > MAX_POLICE:
        parsed.error(
            number,
            key,
            _("At most %(limit_value)s police: check the number.") % {"limit_value": MAX_POLICE},
        )
        return None
    return count


# --- Checking against the stored bureaus, and writing -----------------------------------------


def _stored_bureaus(codes: set[str]) -> dict[str, Bureau]:
    fields = ("code", "name", "path", "tier", "directly_administered")
    return Bureau.objects.only(*fields).in_bulk(codes, field_name="code")


def _check(parsed: Parsed, *, scope: Scope, today: dt.date) -> dict[int, Bureau]:
    """Errors of rows against the stored bureaus, the scope, the clock and each other.
    Returns the bureau of every row whose code is usable."""
    bureaus = _stored_bureaus({r.code for r in parsed.rows if r.code})
    found: dict[int, Bureau] = {}
    seen: dict[tuple[str, dt.date], int] = {}
    for row in parsed.rows:
        if row.code:
            bureau = bureaus.get(row.code)
            if bureau is None or not within(scope, bureau.path):
                # Outside the scope reads as unknown: the file must not reveal what exists.
                parsed.error(
                    row.row,
                    "code",
                    _("No bureau in your jurisdiction has code %(code)s.") % {"code": row.code},
                )
            elif not bureau.holds_stations:
                parsed.error(row.row, "code", not_a_recording_bureau(bureau.name))
            else:
                found[row.row] = bureau
        if row.as_of is not None:
            for message in date_errors(row.as_of, today=today):
                parsed.error(row.row, "as_of", message)
        if row.code and row.as_of is not None:
            key = (row.code, row.as_of)
            if key in seen:
                parsed.error(
                    row.row,
                    "as_of",
                    _("Bureau %(code)s already has figures as of %(day)s in row %(row)s.")
                    % {"code": row.code, "day": row.as_of.isoformat(), "row": seen[key]},
                )
            else:
                seen[key] = row.row
        if None not in row.figures.values():
            for key, message in figure_errors(**row.figures).items():
                parsed.error(row.row, key, message)
    return found


@transaction.atomic
def import_figures(file, *, filename: str, scope: Scope, by, now: dt.datetime, today: dt.date):
    """Read the file and store every row's figures, or none: raises ImportRejected with every
    error by row and column."""
    parsed = parse_table(read_table(file, filename=filename))
    if parsed.errors and not parsed.rows:  # the header, or no data: nothing to check further
        raise ImportRejected(parsed.errors)
    bureaus = _check(parsed, scope=scope, today=today)
    if parsed.errors:
        raise ImportRejected(parsed.errors)
    summary = Summary(skipped=parsed.skipped)
    stored = {
        (r.bureau_id, r.as_of): r
        for r in StaffingReturn.objects.filter(
            bureau_id__in={b.pk for b in bureaus.values()},
            as_of__in={r.as_of for r in parsed.rows},
        )
    }
    new, changed = [], []
    for row in parsed.rows:
        bureau_id = bureaus[row.row].pk
        existing = stored.get((bureau_id, row.as_of))
        if existing is None:
            new.append(
                StaffingReturn(
                    bureau_id=bureau_id,
                    as_of=row.as_of,
                    recorded_by=by,
                    recorded_at=now,
                    **row.figures,
                )
            )
        elif any(getattr(existing, k) != v for k, v in row.figures.items()):
            for key, value in {**row.figures, "recorded_by": by, "recorded_at": now}.items():
                setattr(existing, key, value)
            changed.append(existing)
        else:
            summary.unchanged += 1
    if new:
        bulk_create_with_history(
            new, StaffingReturn, batch_size=BATCH_SIZE, default_user=by, default_date=now
        )
    if changed:
        bulk_update_with_history(
            changed,
            StaffingReturn,
            [*FIGURES, "recorded_by", "recorded_at"],
            batch_size=BATCH_SIZE,
            default_user=by,
            default_date=now,
        )
    summary.created, summary.updated = len(new), len(changed)
    return summary


# --- The template ------------------------------------------------------------------------------


def template_xlsx(bureaus: list[tuple[str, str]]) -> bytes:
    """The columns, one row per recording bureau in scope (code and name; the rest blank),
    and a sheet of instructions."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = pgettext("staffing", "Staffing figures")
    sheet.append([str(c.label) for c in COLUMNS])
    for code, name in bureaus:
        sheet.append([code, name])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEF", (10, 28, 14, 10, 12, 12), strict=True):
        sheet.column_dimensions[letter].width = width
    for cell in sheet["A"]:
        cell.number_format = "@"
    for cell in sheet["C"][1:]:
        cell.number_format = "yyyy-mm-dd"
    notes = workbook.create_sheet(pgettext("import", "Notes"))
    for line in _instructions():
        notes.append(line)
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["B"].width = 90
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _instructions() -> list[tuple[str, str]]:
    label = {c.key: str(c.label) for c in COLUMNS}
    return [
        (
            label["code"],
            _(
                "Required: the 6-digit division code of a county-level bureau (a county bureau "
                "or a directly administered city) in your jurisdiction."
            ),
        ),
        (label["name"], _("Optional, for reading only: the bureau's name is not imported.")),
        (
            label["as_of"],
            _(
                "Required: the date the figures are as of, e.g. 2026-11-30; not in the future. "
                "A bureau's latest figures count."
            ),
        ),
        (label["police_total"], _("Required: all police officers of the bureau.")),
        (
            label["station_police"],
            _("Required: police officers serving in its police stations, at most the total."),
        ),
        (
            label["community_police"],
            _("Required: of the station police, those serving as community police."),
        ),
        (
            pgettext("import", "Notes"),
            _(
                "A row whose date and figures are blank is skipped. Figures already stored "
                "for the same bureau and date are corrected. If any row has an error, nothing "
                "is imported and every error is listed with its row and column."
            ),
        ),
    ]
