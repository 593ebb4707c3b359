"""The year's batch as an Excel sheet, in the layout of the other printable lists."""

import datetime as dt

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook

from liaison.exports import print_a4_landscape, titled_sheet, workbook_response
from liaison.secondments.selectors import outcome_label


def batch_response(rows, *, year: int, today: dt.date) -> HttpResponse:
    wb = Workbook()
    sheet = titled_sheet(
        wb,
        name=_("Secondments"),
        title=_("Secondments of %(year)d as of %(day)s") % {"year": year, "day": today.isoformat()},
        headers=[
            _("Officer"),
            _("Police number"),
            _("Home bureau"),
            _("Host station"),
            # The county bureau of the host station (县市区), as on the problem lists.
            pgettext("problem list", "County"),
            _("Start date"),
            _("End date"),
            _("Absent working days"),
            _("Status"),
            _("Extended"),
            _("Assessment"),
        ],
        widths=[12, 12, 20, 20, 18, 12, 12, 10, 12, 12, 12],
        frozen_columns=1,
    )
    for s in rows.iterator(chunk_size=500):
        sheet.append(
            [
                s.officer_name,
                s.police_number,
                s.home_bureau.name,
                s.station.name,
                s.station.bureau.name,
                s.start_date,
                s.end_date,
                s.absent_days,
                s.standing.label,
                _extended(s),
                outcome_label(s),
            ]
        )
    print_a4_landscape(sheet)
    filename = _("secondments-%(year)d.xlsx") % {"year": year}
    return workbook_response(wb, filename)


def _extended(s) -> str:
    if s.extends_id:
        return _("Second year")
    if getattr(s, "extension", None) is not None:
        return _("Extended")
    return ""
