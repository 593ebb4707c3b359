"""Excel exports (openpyxl), streamed as attachments."""

from io import BytesIO

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_response(wb: Workbook, filename: str) -> HttpResponse:
    buffer = BytesIO()
    wb.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


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
