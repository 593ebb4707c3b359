"""The problem list in Excel: export of any filtered board, import of a circulated list and
its template."""

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from checklists import excel
from checklists.filters import filter_problems
from checklists.models import ProblemCategory, Result, Task
from checklists.services.excel import import_problems
from stations.access import EVERYONE, MANAGERS, role_required
from stations.forms import ImportForm
from stations.importer import ImportRejected
from stations.models import Station
from stations.responses import attachment
from stations.scope import scope_of

# A bigger list is refused with a message: narrow the filters (or export region by region).
MAX_EXPORT_ROWS = 20000


def _bad_request(lines: list[str]) -> HttpResponse:
    return HttpResponse("\n".join(lines), status=400, content_type="text/plain; charset=utf-8")


def _scope_name(form, user) -> str:
    data = form.cleaned_data
    unit = data.get("station") or data.get("region") or user.unit
    return unit.name if unit is not None else pgettext("problem list", "All regions")


@role_required(*EVERYONE)
def board_export(request):
    """The board's list as the workbook bureaus circulate, with the board's filters."""
    today = timezone.localdate()
    form, problems = filter_problems(request.GET, user=request.user, today=today)
    if not form.is_valid():
        errors = [f"{form[name].label}: {' '.join(e)}" for name, e in form.errors.items()]
        return _bad_request([_("The list was not exported: correct the filters."), *errors])
    problems = list(
        problems.select_related("raised_by").prefetch_related(
            Prefetch("tasks", queryset=Task.objects.select_related("assignee")),
            Prefetch(
                "results",
                queryset=Result.objects.select_related("verified_by").order_by(
                    "-submitted_at", "-pk"
                ),
            ),
        )[: MAX_EXPORT_ROWS + 1]
    )
    if len(problems) > MAX_EXPORT_ROWS:
        message = _("More than %(max)s problems match: narrow the filters and export again.")
        return _bad_request([message % {"max": MAX_EXPORT_ROWS}])
    title = excel.export_title(
        scope_name=_scope_name(form, request.user), today=today, count=len(problems)
    )
    return attachment(
        excel.problem_list_xlsx(problems, title=title), excel.export_filename(today=today)
    )


@role_required(*MANAGERS)
def problem_import(request):
    """Upload a problem list; "check" runs every check and shows what would change, "import"
    writes all rows or none and lists every error."""
    context = {"form": ImportForm(), "max_rows": excel.MAX_ROWS}
    if request.method != "POST":
        return render(request, "checklists/problem_import.html", context)
    form = ImportForm(request.POST, request.FILES)
    dry_run = "check" in request.POST
    context |= {"form": form, "dry_run": dry_run}
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            summary = import_problems(
                upload, filename=upload.name, by=request.user, now=timezone.now(), dry_run=dry_run
            )
        except ImportRejected as exc:
            context["row_errors"] = exc.row_errors
        else:
            if not dry_run:
                messages.success(request, summary.describe())
                return redirect("checklists:problem-import")
            return render(request, "checklists/problem_import.html", context | {"summary": summary})
    return render(request, "checklists/problem_import.html", context, status=400)


@role_required(*MANAGERS)
def problem_import_template(request):
    stations = (
        Station.objects.in_scope(scope_of(request.user))
        .order_by("bureau__path", "code")
        .values_list("code", "name", "bureau__name", "bureau__parent__name", "bureau__tier")
    )
    rows = [
        (code, name, county if tier == "county" else "", city if tier == "county" else county)
        for code, name, county, city, tier in stations
    ]
    categories = list(ProblemCategory.objects.active().values_list("code", "name"))
    filename = pgettext("problem list", "problem-list-import-template.xlsx")
    return attachment(excel.import_template_xlsx(stations=rows, categories=categories), filename)


urlpatterns = [
    path("board/export/", board_export, name="board-export"),
    path("problems/import/", problem_import, name="problem-import"),
    path("problems/import/template/", problem_import_template, name="problem-import-template"),
]
