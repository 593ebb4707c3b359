"""The five-haves roll-up as a workbook: one row per unit (or station) with its counts, the
total, and the stations failing each item."""

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from liaison.exports import workbook_bytes

BOLD = Font(bold=True)
RED = Font(color="B3261E")


def _level_heading(level: str) -> str:
    return {
        "province": _("Province"),
        "city": _("City"),
        "county": _("County"),
        "station": _("Police station"),
    }[level]


def five_haves_xlsx(*, level: str, rows, total, items, title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Five haves")
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    if level == "station":
        sheet.append([_level_heading(level), _("Latest audit"), _("Standard"), _("Items not met")])
        for r in rows:
            if not r.audited:
                standard = _("Not audited")
            elif r.meeting:
                standard = _("Meets the standard")
            else:
                standard = _("Does not meet the standard")
            sheet.append([r.name, r.audited_on, standard, "、".join(r.unmet)])
            if r.audited and not r.meeting:
                sheet.cell(sheet.max_row, 3).font = RED
            if r.audited_on:
                sheet.cell(sheet.max_row, 2).number_format = "yyyy-mm-dd"
        widths = {"A": 24, "B": 12, "C": 14, "D": 40}
    else:
        sheet.append(
            [
                _("Code"),
                _level_heading(level),
                _("Active stations"),
                _("Audited"),
                _("Meet the standard"),
                _("Do not meet the standard"),
                _("Not audited"),
            ]
        )
        for r in rows:
            sheet.append(
                [r.code, r.name, r.stations, r.audited, r.meeting, r.not_meeting, r.not_audited]
            )
        sheet.append(
            [
                "",
                _("Total"),
                total.stations,
                total.audited,
                total.meeting,
                total.not_meeting,
                total.not_audited,
            ]
        )
        for cell in sheet[sheet.max_row]:
            cell.font = BOLD
        widths = {"A": 10, "B": 24, "C": 10, "D": 10, "E": 12, "F": 14, "G": 10}
    for cell in sheet[2]:
        cell.font = BOLD
    sheet.append([])
    sheet.append([_("Stations failing each item")])
    sheet.cell(sheet.max_row, 1).font = BOLD
    for item in items:
        sheet.append([item.label, item.failing])
    for letter, width in widths.items():
        sheet.column_dimensions[letter].width = width
    return workbook_bytes(workbook)
