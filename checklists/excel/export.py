"""The export: one row per problem with its tasks and latest result, ready to print."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import npgettext, pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment

from checklists.excel.layout import BOX, DATE_FORMAT, EXPORT_COLUMNS, HEADER_FILL, TOP_WRAPPED
from liaison.exports import print_a4_landscape, titled_sheet, workbook_bytes


def export_title(*, scope_name: str, today: dt.date, count: int) -> str:
    title = npgettext(
        "problem list",
        "%(scope)s problem list (%(date)s, %(count)s problem)",
        "%(scope)s problem list (%(date)s, %(count)s problems)",
        count,
    )
    return title % {
        "scope": scope_name,
        "date": today.isoformat(),
        "count": count,
    }


def export_filename(*, today: dt.date) -> str:
    return pgettext("problem list", "problem-list-%(date)s.xlsx") % {"date": f"{today:%Y%m%d}"}


def problem_list_xlsx(problems, *, title: str) -> bytes:
    """One sheet, one row per problem. ``problems``: fetched with ``station__bureau__parent``,
    ``category``, ``raised_by``, ``responsible``, tasks (with assignee, in order) and results
    (with verifier, latest first) prefetched, and annotated with ``is_overdue``."""
    workbook = Workbook()
    sheet = titled_sheet(
        workbook,
        name=pgettext("problem list", "Problem list"),
        title=title,
        headers=[str(label) for label, _width in EXPORT_COLUMNS],
        widths=[width for _label, width in EXPORT_COLUMNS],
        frozen_columns=2,  # the number and the reference stay in view
    )
    sheet.row_dimensions[1].height = 28
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center")
    for cell in sheet[2]:
        cell.fill = HEADER_FILL
        cell.border = BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for number, problem in enumerate(problems, start=1):
        sheet.append(_export_row(number, problem))
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = TOP_WRAPPED
            cell.border = BOX
        row[10].number_format = DATE_FORMAT
    print_a4_landscape(sheet)
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    return workbook_bytes(workbook)


def _export_row(number: int, problem) -> list:
    station = problem.station
    county = station.bureau
    city = county.parent if county.parent_id and not county.directly_administered else county
    tasks = list(problem.tasks.all())
    results = list(problem.results.all())
    return [
        number,
        problem.reference or "",
        city.name,
        county.name if county is not city else "",
        station.name,
        problem.category.name,
        problem.description,
        pgettext("problem source", "Visit")
        if problem.source_visit_id
        else pgettext("problem source", "Other"),
        str(problem.raised_by),
        str(problem.responsible) if problem.responsible else "",
        problem.deadline,
        problem.get_status_display(),
        _("Yes") if problem.is_overdue else _("No"),
        "\n".join(_task_line(i, task) for i, task in enumerate(tasks, start=1)),
        f"{sum(task.is_done for task in tasks)}/{len(tasks)}" if tasks else "",
        _result_text(results[0]) if results else "",
        timezone.localtime(problem.closed_at).strftime("%Y-%m-%d %H:%M")
        if problem.closed_at
        else "",
    ]


def _task_line(number: int, task) -> str:
    if task.is_done:
        state = pgettext("problem list", "done %(date)s") % {"date": task.done_on.isoformat()}
    else:
        state = pgettext("problem list", "progress %(progress)s%%") % {"progress": task.progress}
    return pgettext(
        "problem list", "%(number)s. %(title)s — %(assignee)s — %(due)s — %(state)s"
    ) % {
        "number": number,
        "title": task.title,
        "assignee": task.assignee,
        "due": task.due_date.isoformat(),
        "state": state,
    }


def _result_text(result) -> str:
    if not result.is_verified:
        verdict = pgettext("problem list", "Not yet verified")
    else:
        verdict = pgettext("problem list", "Rating: %(rating)s; verified by %(verifier)s") % {
            "rating": result.get_rating_display(),
            "verifier": result.verified_by,
        }
    return f"{result.what_changed}\n{verdict}"
