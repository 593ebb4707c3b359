"""The roll-up table as a workbook: one row per unit, its counts and ratios, shortfalls
marked, and the total."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from stations.staffing.rules import Figures
from stations.staffing.selectors import Table

LEVEL_HEADINGS = {
    "province": lambda: _("Province"),
    "city": lambda: _("City"),
    "county": lambda: _("County"),
    "bureau": lambda: _("Bureau"),
}
RED = Font(color="B3261E")
BOLD = Font(bold=True)


def _fraction(percent) -> float | None:
    """The displayed (rounded-down) percentage as an Excel fraction, formatted 0.0%."""
    return None if percent is None else float(percent) / 100


def _short_mark(short: bool) -> str:
    return _("Short of 40 percent") if short else ""


def _line(code: str, name: str, figures: Figures, bureaus: int, reported: int, table_row=None):
    return [
        code,
        name,
        reported,
        bureaus,
        figures.police_total,
        figures.station_police,
        figures.community_police,
        _fraction(figures.station_share),
        _short_mark(figures.station_short),
        _fraction(figures.community_share),
        _short_mark(figures.community_short),
        table_row.station_short if table_row else None,
        table_row.community_short if table_row else None,
    ]


def table_xlsx(table: Table, *, title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Staffing ratios")
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    headers = [
        _("Code"),
        LEVEL_HEADINGS[table.level](),
        _("Bureaus reported"),
        _("Bureaus to report"),
        _("Police total"),
        _("Station police"),
        _("Community police"),
        _("Station police share"),
        _("Station police share shortfall"),
        _("Community police share"),
        _("Community police share shortfall"),
        _("Bureaus short of the station police share"),
        _("Bureaus short of the community police share"),
    ]
    sheet.append(headers)
    for row in table.rows:
        sheet.append(_line(row.code, row.name, row.figures, row.bureaus, row.reported, row))
    total = _line("", _("Total"), table.total, table.bureaus, table.reported)
    total[-2:] = [table.station_short, table.community_short]
    sheet.append(total)
    for cell in [*sheet[2], *sheet[sheet.max_row]]:
        cell.font = BOLD
    for number in range(3, sheet.max_row + 1):
        for letter in ("H", "J"):
            sheet[f"{letter}{number}"].number_format = "0.0%"
        for letter in ("I", "K"):
            if sheet[f"{letter}{number}"].value:
                sheet[f"{letter}{number}"].font = RED
    widths = (10, 24, 10, 8, 10, 10, 10, 12, 14, 12, 14, 14, 14)
    for letter, width in zip("ABCDEFGHIJKLM", widths, strict=True):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
