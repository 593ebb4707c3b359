"""The import template: the sheet to fill in, the instructions with an example, and the
stations the user may name."""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from checklists.excel.layout import (
    COLUMN_BY_KEY,
    DATE_FORMAT,
    EXPORT_COLUMNS,
    HEADER_FILL,
    IMPORT_COLUMNS,
    STATUS_ORDER,
    TOP_WRAPPED,
    status_word,
)
from checklists.models import ProblemStatus
from liaison.exports import workbook_bytes


def import_template_xlsx(*, stations: list[tuple], categories: list[tuple]) -> bytes:
    """The import sheet (header only, a drop-down for the status), the instructions with
    an example row, and the stations and categories the user may use.

    ``stations``: (code, name, county, city) in the user's scope; ``categories``:
    (code, name)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = pgettext("problem list", "Problem list")
    sheet.append([str(c.label) for c in IMPORT_COLUMNS])
    widths = (16, 14, 14, 40, 12, 12, 10, 50, 17)
    for index, (cell, width) in enumerate(zip(sheet[1], widths, strict=True), start=1):
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = width
    # Codes are text (Excel would drop leading zeros); dates are dates.
    for key, number_format in (("reference", "@"), ("station", "@"), ("deadline", DATE_FORMAT)):
        letter = get_column_letter(_index(key) + 1)
        for row in range(2, 1002):
            sheet[f"{letter}{row}"].number_format = number_format
    words = ",".join(status_word(s) for s in STATUS_ORDER)
    choice = DataValidation(type="list", formula1=f'"{words}"', allow_blank=True)
    choice.add(
        f"{get_column_letter(_index('status') + 1)}2:{get_column_letter(_index('status') + 1)}1001"
    )
    sheet.add_data_validation(choice)
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet(pgettext("import", "Instructions"))
    notes.append([pgettext("import", "Column"), pgettext("import", "How to fill it in")])
    for row in _instructions(categories):
        notes.append(row)
    notes.append([])
    notes.append([pgettext("problem list", "Example")])
    notes.append([str(c.label) for c in IMPORT_COLUMNS])
    notes.append(_example(stations, categories))
    for cell in (*notes[1], *notes[notes.max_row - 1]):
        cell.font = Font(bold=True)
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["B"].width = 100
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = TOP_WRAPPED

    listing = workbook.create_sheet(pgettext("problem list", "Stations"))
    listing.append(
        [str(COLUMN_BY_KEY["station"].label), *(str(EXPORT_COLUMNS[i][0]) for i in (4, 3, 2))]
    )
    for cell in listing[1]:
        cell.font = Font(bold=True)
    for station in stations:
        listing.append(list(station))
    for letter, width in zip("ABCD", (14, 20, 20, 20), strict=True):
        listing.column_dimensions[letter].width = width
    listing.freeze_panes = "A2"
    return workbook_bytes(workbook)


def _index(key: str) -> int:
    return next(i for i, c in enumerate(IMPORT_COLUMNS) if c.key == key)


def _example(stations: list[tuple], categories: list[tuple]) -> list:
    return [
        "",
        stations[0][0] if stations else "",
        categories[0][1] if categories else "",
        pgettext("problem list", "The fire extinguishers in the duty room have expired."),
        "zhangsan",
        "2026-12-31",
        status_word(ProblemStatus.PUBLISHED),
        pgettext("problem list", "Replace the extinguishers|lisi|2026-12-15")
        + "\n"
        + pgettext("problem list", "Train the duty officers|lisi|2026-12-25"),
        "",
    ]


def _instructions(categories: list[tuple]) -> list[tuple[str, str]]:
    label = {c.key: str(c.label) for c in IMPORT_COLUMNS}
    words = {s.value: status_word(s) for s in STATUS_ORDER}
    return [
        (
            label["reference"],
            _(
                "Optional. The problem's number on the circulated list. A number already "
                "stored updates that problem (it must lie within your jurisdiction); a new "
                "number, or none, adds a problem."
            ),
        ),
        (
            label["station"],
            _("Required. The police station's code: see the sheet of stations."),
        ),
        (
            label["category"],
            _("Required. The name or the code of a category: %(categories)s.")
            % {"categories": "、".join(f"{name}（{code}）" for code, name in categories)},
        ),
        (label["description"], _("Required. At most 2000 characters; line breaks are kept.")),
        (
            label["responsible"],
            _(
                "The username of the responsible person: staff of the station or of a "
                "liaison office above it. Required unless the status is “%(draft)s”."
            )
            % words,
        ),
        (
            label["deadline"],
            _("A date such as 2026-12-31. Required unless the status is “%(draft)s”.") % words,
        ),
        (
            label["status"],
            _(
                "“%(draft)s”, “%(published)s”, “%(in_rectification)s” or “%(closed)s”. Blank: "
                "a new problem is published, a stored one keeps its status. An import moves a "
                "stored problem forward only (draft → published → in rectification) and never "
                "closes one out: close-out needs done tasks and a verified result in the app."
            )
            % words,
        ),
        (
            label["tasks"],
            _(
                "Optional, one task per line: “title|assignee username|due date”. A due date "
                "may not be after the deadline. For a stored problem a task with the same "
                "title is updated, a new title is added, tasks not listed stay as they are."
            ),
        ),
        (
            label["closed_at"],
            _(
                "Only with the status “%(closed)s”, and then required: the date (and time) "
                "the problem was closed out. This is for problems closed out before the app: "
                "they are recorded as closed out by you at that time, with their tasks done, "
                "and without a verified result."
            )
            % words,
        ),
        (
            pgettext("import", "Notes"),
            _(
                "Keep the header row and its column names; title rows above it and other "
                "columns are ignored. If any row has an error, nothing is imported and every "
                "error is listed with its row and column. Importing the same file twice "
                "changes nothing the second time."
            ),
        ),
    ]
