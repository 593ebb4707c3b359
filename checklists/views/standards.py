"""Station standards (五有): the audit form, an audit's page (unmet items → problems), a
station's audit history (also loaded into the station page), the province-wide roll-up and
its Excel export, and audit photos without EXIF."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from checklists import photos, standards
from checklists.excel.standards import five_haves_xlsx
from checklists.forms_standards import AuditForm, FiveHavesFilterForm, RaiseFromAuditForm
from checklists.models import AuditPhoto, AuditResult, ProblemCategory, StationAudit
from checklists.permissions import may_audit_station, may_manage_station
from checklists.services.standards import (
    default_category,
    five_haves_items,
    raise_problem_from_audit,
    record_audit,
)
from liaison.views import paginate
from stations.access import EVERYONE, MANAGERS, OVERSEERS, role_required
from stations.drilldown import breadcrumb, unit_from_request
from stations.models import Station
from stations.responses import attachment
from stations.scope import scope_of

AUDITORS = (*MANAGERS, "cadre")


def _station(request, pk):
    stations = Station.objects.in_scope(scope_of(request.user)).select_related("bureau")
    return get_object_or_404(stations, pk=pk)


@role_required(*AUDITORS)
def audit_new(request, pk):
    station = _station(request, pk)
    items = list(five_haves_items())
    status = 200
    if request.method == "POST":
        form = AuditForm(request.POST, request.FILES, items=items)
        if form.is_valid():
            try:
                audit = record_audit(
                    station=station,
                    by=request.user,
                    audited_on=form.cleaned_data["audited_on"],
                    checks=form.checks(),
                    note=form.cleaned_data["note"],
                    today=timezone.localdate(),
                    now=timezone.now(),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The five-haves audit was recorded."))
                return redirect("checklists:audit-detail", audit.pk)
        status = 400
    else:
        form = AuditForm(initial={"audited_on": timezone.localdate()}, items=items)
    context = {
        "station": station,
        "form": form,
        "may_audit": may_audit_station(request.user, station),
    }
    return render(request, "checklists/audit_form.html", context, status=status)


@role_required(*EVERYONE)
def audit_detail(request, pk):
    audits = StationAudit.objects.in_scope(scope_of(request.user)).select_related(
        "station__bureau__parent", "auditor"
    )
    audit = get_object_or_404(audits, pk=pk)
    results = audit.results.select_related("problem").prefetch_related("photos")
    can_raise = may_manage_station(request.user, audit.station)
    context = {
        "audit": audit,
        "results": results,
        "can_raise": can_raise,
        "categories": list(ProblemCategory.objects.active()) if can_raise else [],
        "default_category": default_category() if can_raise else None,
    }
    return render(request, "checklists/audit_detail.html", context)


@require_POST
@role_required(*MANAGERS)
def audit_raise_problem(request, pk):
    results = AuditResult.objects.filter(
        audit__in=StationAudit.objects.in_scope(scope_of(request.user))
    )
    result = get_object_or_404(results.select_related("audit"), pk=pk)
    form = RaiseFromAuditForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["category"]))
        return redirect("checklists:audit-detail", result.audit_id)
    try:
        problem, created = raise_problem_from_audit(
            result=result,
            by=request.user,
            category=form.cleaned_data["category"],
            now=timezone.now(),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("checklists:audit-detail", result.audit_id)
    if created:
        messages.success(request, _("The item is now a draft problem on the problems list."))
    else:
        messages.info(request, _("This item is already on the problems list."))
    url = reverse("checklists:audit-detail", args=[result.audit_id])
    return redirect(f"{url}#result-{result.pk}")


@role_required(*EVERYONE)
@vary_on_headers("HX-Request")
def station_audits(request, pk):
    """A station's audits, newest first; the station page loads it as a fragment."""
    station = _station(request, pk)
    audits = station.five_haves_audits.select_related("auditor").order_by("-audited_on", "-pk")
    page = paginate(request, audits)
    context = {
        "station": station,
        "page_obj": page,
        "may_audit": may_audit_station(request.user, station) and station.active,
    }
    template = "checklists/station_audits.html"
    if request.htmx and request.htmx.target == "five-haves-history":
        template += "#five-haves-history"
    return render(request, template, context)


def _rollup(request):
    scope = scope_of(request.user)
    unit = unit_from_request(request, scope)
    items = list(five_haves_items())
    form = FiveHavesFilterForm(request.GET or None, items=items)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    stations = standards.stations_for(
        scope, unit, status=filters.get("status", ""), item=filters.get("item", "")
    )
    level, rows = standards.grouped(stations, unit, scope)
    return scope, unit, form, stations, level, rows


@role_required(*OVERSEERS)
def five_haves(request):
    scope, unit, form, stations, level, rows = _rollup(request)
    page = paginate(request, rows)
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("unit", None)
    context = {
        "form": form,
        "unit": unit,
        "level": level,
        "page_obj": page,
        "rows": standards.rows_of(level, page.object_list),
        "total": standards.total(stations, unit.name if unit else _("All provinces")),
        "items": standards.item_failures(stations),
        "breadcrumb": breadcrumb(scope, unit),
        "filters": params.urlencode(),
        "page_query": urlencode({k: v for k, v in request.GET.items() if k != "page"}),
        "export_query": urlencode({k: v for k, v in request.GET.items() if k != "page"}),
    }
    return render(request, "checklists/five_haves.html", context)


@role_required(*OVERSEERS)
def five_haves_export(request):
    _scope, unit, _form, stations, level, rows = _rollup(request)
    today = timezone.localdate()
    name = unit.name if unit else _("All provinces")
    title = _("Five haves of %(unit)s as of %(day)s") % {"unit": name, "day": today.isoformat()}
    content = five_haves_xlsx(
        level=level,
        rows=standards.rows_of(level, rows),
        total=standards.total(stations, _("Total")),
        items=standards.item_failures(stations),
        title=title,
    )
    filename = _("five-haves-%(unit)s-%(day)s.xlsx") % {
        "unit": unit.code if unit else "all",
        "day": f"{today:%Y%m%d}",
    }
    return attachment(content, filename)


@role_required(*EVERYONE)
def audit_photo(request, pk):
    """A re-encoded copy of the photo without EXIF."""
    audits = StationAudit.objects.in_scope(scope_of(request.user))
    photo = get_object_or_404(AuditPhoto.objects.filter(result__audit__in=audits), pk=pk)
    return photos.stripped_response(photo.image)


urlpatterns = [
    path("five-haves/", five_haves, name="five-haves"),
    path("five-haves/export/", five_haves_export, name="five-haves-export"),
    path("five-haves/stations/<int:pk>/", station_audits, name="station-audits"),
    path("five-haves/stations/<int:pk>/audit/", audit_new, name="audit-new"),
    path("five-haves/audits/<int:pk>/", audit_detail, name="audit-detail"),
    path("five-haves/items/<int:pk>/problem/", audit_raise_problem, name="audit-raise-problem"),
    path("five-haves/photos/<int:pk>/", audit_photo, name="audit-photo"),
]
