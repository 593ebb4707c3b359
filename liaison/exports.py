"""Excel exports (openpyxl), streamed as attachments, and the sheet layout the printable
lists share: a title row, a bold header row frozen and repeated on every printed page, A4
landscape fitted to the page width."""

from collections.abc import Sequence
from io import BytesIO

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from stations.responses import attachment


def workbook_bytes(wb: Workbook) -> bytes:
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def workbook_response(wb: Workbook, filename: str) -> HttpResponse:
    return attachment(workbook_bytes(wb), filename)


def titled_sheet(
    wb: Workbook,
    *,
    name: str,
    title: str,
    headers: Sequence[str],
    widths: Sequence[float],
    notes: Sequence[str] = (),
    frozen_columns: int = 0,
) -> Worksheet:
    """The workbook's sheet, named ``name``: ``title`` in row 1, bold, large and centred
    across the columns, then one row per note, then the bold header row, which stays in
    view (with the first ``frozen_columns`` columns) and prints on every page."""
    sheet = wb.active
    sheet.title = name
    sheet.append([title])
    for note in notes:
        sheet.append([note])
    sheet.append(list(headers))
    header_row = sheet.max_row
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    # A coordinate, not sheet.cell(), which would create the row the data is to fill.
    sheet.freeze_panes = f"{get_column_letter(frozen_columns + 1)}{header_row + 1}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    return sheet


def print_a4_landscape(sheet: Worksheet) -> None:
    """Print on A4 landscape, the columns fitted to the page width."""
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def stations_xlsx(stations) -> HttpResponse:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Stations")
    ws.append(
        [
            _("Station code"),
            _("Station"),
            _("County"),
            _("City"),
            _("Active"),
            _("Cadre"),
            _("Cadre tier"),
            _("Since"),
        ]
    )
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for station in stations:
        current = station.active_assignments[0] if station.active_assignments else None
        ws.append(
            [
                station.code,
                station.name,
                station.bureau.name,
                station.bureau.parent.name if station.bureau.parent else "",
                _("Yes") if station.active else _("No"),
                str(current.cadre) if current else "",
                current.cadre.get_tier_display() if current else "",
                current.start_date.isoformat() if current else "",
            ]
        )
    return workbook_response(wb, "stations.xlsx")
