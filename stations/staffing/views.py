"""The staffing-ratio pages: the roll-up with drill-down (province → city → county) and its
Excel export, a bureau's figures with the form to record them, and the Excel import."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.vary import vary_on_headers

from stations.access import MANAGERS, OVERSEERS, has_role, role_required
from stations.drilldown import breadcrumb, unit_from_request
from stations.forms import ImportForm
from stations.importer import ImportRejected
from stations.models import Bureau
from stations.responses import attachment
from stations.scope import scope_of
from stations.staffing import export, importer, selectors
from stations.staffing.forms import DayForm, StaffingForm
from stations.staffing.rules import FIGURES, Figures
from stations.staffing.services import record_figures


def _day(request):
    today = timezone.localdate()
    # Always bound, with today filled in, so the input shows the day in effect.
    data = {"on": today.isoformat()}
    data.update({k: v for k, v in request.GET.items() if k == "on" and v})
    form = DayForm(data, today=today)
    day = form.cleaned_data["on"] if form.is_valid() and form.cleaned_data["on"] else today
    return form, day


def _query(day, today, **extra) -> str:
    params = {"on": day.isoformat()} if day != today else {}
    return urlencode({**params, **{k: v for k, v in extra.items() if v}})


@role_required(*OVERSEERS)
@vary_on_headers("HX-Request")
def staffing_page(request):
    scope = scope_of(request.user)
    form, day = _day(request)
    unit = unit_from_request(request, scope)
    table = selectors.staffing_table(scope=scope, unit=unit, day=day)
    context = {
        "form": form,
        "day": day,
        "today": timezone.localdate(),
        "unit": unit,
        "table": table,
        "breadcrumb": breadcrumb(scope, unit),
        "starts_at_top": scope.everything,
        "querystring": _query(day, timezone.localdate()),
        "export_query": _query(day, timezone.localdate(), unit=unit.code if unit else ""),
        "can_edit": has_role(request.user, *MANAGERS),
    }
    template = "stations/staffing.html"
    if request.htmx and request.htmx.target == "staffing-body":
        template += "#staffing-body"
    return render(request, template, context)


@role_required(*OVERSEERS)
def staffing_export(request):
    scope = scope_of(request.user)
    _form, day = _day(request)
    unit = unit_from_request(request, scope)
    table = selectors.staffing_table(scope=scope, unit=unit, day=day)
    name = unit.name if unit else _("All provinces")
    title = _("Two 40%% staffing ratios of %(unit)s as of %(day)s") % {
        "unit": name,
        "day": day.isoformat(),
    }
    filename = _("staffing-ratios-%(unit)s-%(day)s.xlsx") % {
        "unit": unit.code if unit else "all",
        "day": f"{day:%Y%m%d}",
    }
    return attachment(export.table_xlsx(table, title=title), filename)


@role_required(*OVERSEERS)
def staffing_bureau(request, pk: int):
    """A recording bureau's figures by date; bureau staff in scope record new ones here."""
    bureau = get_object_or_404(Bureau.objects.in_scope(scope_of(request.user)), pk=pk)
    if not selectors.records_figures(bureau):
        return redirect(f"{reverse('stations:staffing')}?unit={bureau.code}")
    can_edit = has_role(request.user, *MANAGERS)
    today = timezone.localdate()
    returns = list(selectors.bureau_returns(bureau))
    current = _latest_of(returns, today)
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        form = StaffingForm(request.POST)
        if form.is_valid():
            try:
                _row, created = record_figures(
                    bureau=bureau,
                    by=request.user,
                    now=timezone.now(),
                    today=today,
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _saved_message(bureau, form.cleaned_data, created))
                return redirect("stations:staffing-bureau", pk=bureau.pk)
        status = 400
    else:
        form = StaffingForm(initial=_initial(current, today)) if can_edit else None
    context = {
        "bureau": bureau,
        "form": form,
        "returns": returns,
        "current": current,
        "breadcrumb": breadcrumb(scope_of(request.user), bureau),
    }
    return render(request, "stations/staffing_bureau.html", context, status=status)


def _latest_of(returns, day):
    """The latest of ``returns`` (newest first) on or before ``day``."""
    return next((r for r in returns if r.as_of <= day), None)


def _initial(current, today) -> dict:
    """Today's date and the latest figures, to change only what changed."""
    figures = {k: getattr(current, k) for k in FIGURES} if current else {}
    return {"as_of": today, **figures}


def _saved_message(bureau, data, created: bool) -> str:
    figures = Figures(*(data[k] for k in FIGURES))
    params = {
        "bureau": bureau.name,
        "day": data["as_of"].isoformat(),
        "station": _share(figures.station_share),
        "community": _share(figures.community_share),
    }
    if created:
        text = _(
            "Figures of %(bureau)s as of %(day)s recorded: station police share %(station)s, "
            "community police share %(community)s."
        )
    else:
        text = _(
            "Figures of %(bureau)s as of %(day)s corrected: station police share %(station)s, "
            "community police share %(community)s."
        )
    return text % params


def _share(percent) -> str:
    return "—" if percent is None else f"{percent} %"


@role_required(*MANAGERS)
def staffing_import(request):
    """Upload figures of many bureaus: all rows go in, or none and every error is listed."""
    if request.method != "POST":
        return render(request, "stations/staffing_import.html", {"form": ImportForm()})
    form = ImportForm(request.POST, request.FILES)
    row_errors = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            summary = importer.import_figures(
                upload,
                filename=upload.name,
                scope=scope_of(request.user),
                by=request.user,
                now=timezone.now(),
                today=timezone.localdate(),
            )
        except ImportRejected as exc:
            row_errors = exc.row_errors
        else:
            messages.success(request, summary.describe())
            return redirect("stations:staffing-import")
    context = {"form": form, "row_errors": row_errors}
    return render(request, "stations/staffing_import.html", context, status=400)


@role_required(*MANAGERS)
def staffing_import_template(request):
    bureaus = (
        Bureau.objects.in_scope(scope_of(request.user))
        .holding_stations()
        .order_by("path")
        .values_list("code", "name")
    )
    filename = _("staffing-figures-import-template.xlsx")
    return attachment(importer.template_xlsx(list(bureaus)), filename)


urlpatterns = [
    path("staffing/", staffing_page, name="staffing"),
    path("staffing/export.xlsx", staffing_export, name="staffing-export"),
    path("staffing/<int:pk>/", staffing_bureau, name="staffing-bureau"),
    path("staffing/import/", staffing_import, name="staffing-import"),
    path(
        "staffing/import/template.xlsx", staffing_import_template, name="staffing-import-template"
    ),
]
