from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from liaison import exports, reports, services, visit_views
from liaison.forms import AssignForm, CadreFilterForm, EndAssignmentForm, StationFilterForm
from liaison.models import Assignment, Cadre
from liaison.querysets import covered_stations, uncovered_stations
from stations.access import EVERYONE, MANAGERS, OVERSEERS, role_required
from stations.models import Bureau, Station, Tier
from stations.scope import ancestor_paths, scope_of

PAGE_SIZE = 50


def paginate(request, queryset, size=PAGE_SIZE):
    """The page of ``queryset`` named by the ``page`` GET parameter (list views of every app)."""
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def querystring_without_page(request) -> str:
    """The GET parameters but ``page``, ready to prefix with ``?`` and end with ``page=``."""
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


def page_template(request, name: str, partial_name: str) -> str:
    """The whole page, or only its partial when htmx asks for that target."""
    if request.htmx and request.htmx.target == partial_name:
        return f"{name}#{partial_name}"
    return name


@role_required(*EVERYONE)
def home(request):
    user = request.user
    if user.role == "station":
        return redirect("liaison:station-detail", user.station_id)
    if user.role == "cadre":
        return visit_views.cadre_home(request)
    scope = scope_of(user)
    total, _cities = reports.split_report(scope)
    return render(request, "liaison/home.html", {"total": total})


def _station_rows(request, scope):
    form = StationFilterForm(request.GET or None)
    stations = Station.objects.in_scope(scope).select_related("bureau", "bureau__parent")
    if form.is_valid():
        data = form.cleaned_data
        stations = stations.search(data["q"])
        if data["county"]:
            stations = stations.filter(bureau__code=data["county"])
        elif data["city"]:
            stations = stations.filter(bureau__path__contains=f"/{data['city']}")
        if data["coverage"] == "covered":
            stations = covered_stations(stations)
        elif data["coverage"] == "uncovered":
            stations = uncovered_stations(stations)
    stations = stations.prefetch_related(
        Prefetch(
            "assignments",
            queryset=Assignment.objects.active().select_related("cadre__user"),
            to_attr="active_assignments",
        )
    ).order_by("bureau__path", "code")
    return form, stations


@role_required(*OVERSEERS)
@vary_on_headers("HX-Request")
def station_list(request):
    scope = scope_of(request.user)
    form, stations = _station_rows(request, scope)
    cities = Bureau.objects.in_scope(scope).filter(tier=Tier.CITY).order_by("code")
    city = request.GET.get("city", "")
    counties = Bureau.objects.in_scope(scope).holding_stations()
    counties = counties.filter(path__contains=f"/{city}") if city else counties.none()
    context = {
        "form": form,
        "page_obj": paginate(request, stations),
        "cities": cities,
        "counties": counties.order_by("code"),
        "querystring_base": querystring_without_page(request),
    }
    return render(
        request, page_template(request, "liaison/station_list.html", "station-table"), context
    )


@role_required(*OVERSEERS)
def station_export(request):
    _form, stations = _station_rows(request, scope_of(request.user))
    return exports.stations_xlsx(stations)


def _assignment_panel_context(request, station, form=None, end_form=None):
    scope = scope_of(request.user)
    history = list(
        Assignment.objects.filter(station=station)
        .select_related("cadre__user", "cadre__bureau", "created_by")
        .order_by("-start_date", "-pk")
    )
    current = next((a for a in history if a.end_date is None), None)
    can_manage = request.user.role in MANAGERS or request.user.is_superuser
    eligible = Cadre.objects.none()
    if can_manage:
        eligible = (
            Cadre.objects.in_scope(scope)
            .free()
            .filter(bureau__path__in=ancestor_paths(station.bureau.path))
            .select_related("user", "bureau")
            .order_by("tier", "bureau__code", "user__last_name")
        )
    today = timezone.localdate()
    return {
        "station": station,
        "current": current,
        "history": history,
        "can_manage": can_manage,
        "form": form or AssignForm(cadres=eligible, initial={"start_date": today}),
        "end_form": end_form or EndAssignmentForm(initial={"end_date": today}),
        "eligible": eligible,
    }


def _scoped_station(request, pk):
    stations = Station.objects.in_scope(scope_of(request.user)).select_related(
        "bureau", "bureau__parent"
    )
    return get_object_or_404(stations, pk=pk)


@role_required(*EVERYONE)
@vary_on_headers("HX-Request")
def station_detail(request, pk):
    station = _scoped_station(request, pk)
    context = _assignment_panel_context(request, station)
    return render(request, "liaison/station_detail.html", context)


@role_required(*MANAGERS)
@require_POST
def station_assign(request, pk):
    station = _scoped_station(request, pk)
    context = _assignment_panel_context(request, station)
    form = AssignForm(request.POST, cadres=context["eligible"])
    if form.is_valid():
        try:
            services.assign_cadre(
                station=station,
                cadre=form.cleaned_data["cadre"],
                start_date=form.cleaned_data["start_date"],
                by=request.user,
                today=timezone.localdate(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The station's cadre was changed."))
            if not request.htmx:
                return redirect("liaison:station-detail", station.pk)
            context = _assignment_panel_context(request, station)
            return _panel(request, context)
    context = _assignment_panel_context(request, station, form=form)
    return _panel(request, context, status=200 if request.htmx else 400)


@role_required(*MANAGERS)
@require_POST
def assignment_end(request, pk):
    station = _scoped_station(request, pk)
    form = EndAssignmentForm(request.POST)
    current = Assignment.objects.active().filter(station=station).first()
    if current is None:
        form.is_valid()
        form.add_error(None, _("This station has no active cadre."))
    elif form.is_valid():
        try:
            services.end_assignment(
                assignment=current,
                end_date=form.cleaned_data["end_date"],
                today=timezone.localdate(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The assignment was ended."))
            if not request.htmx:
                return redirect("liaison:station-detail", station.pk)
            return _panel(request, _assignment_panel_context(request, station))
    context = _assignment_panel_context(request, station, end_form=form)
    return _panel(request, context, status=200 if request.htmx else 400)


def _panel(request, context, status=200) -> HttpResponse:
    template = "liaison/station_detail.html"
    if request.htmx:
        template += "#assignment-panel"
    response = render(request, template, context, status=status)
    response["Vary"] = "HX-Request"
    return response


@role_required(*OVERSEERS)
@vary_on_headers("HX-Request")
def cadre_list(request):
    scope = scope_of(request.user)
    form = CadreFilterForm(request.GET or None)
    cadres = Cadre.objects.in_scope(scope).select_related("user", "bureau")
    if form.is_valid():
        cadres = cadres.search(form.cleaned_data["q"])
        if form.cleaned_data["tier"]:
            cadres = cadres.filter(tier=form.cleaned_data["tier"])
        if form.cleaned_data["free"]:
            cadres = cadres.free()
    cadres = cadres.prefetch_related(
        Prefetch(
            "assignments",
            queryset=Assignment.objects.active().select_related("station"),
            to_attr="active_assignments",
        )
    ).order_by("bureau__path", "tier", "user__last_name", "pk")
    context = {
        "form": form,
        "page_obj": paginate(request, cadres),
        "querystring_base": querystring_without_page(request),
    }
    return render(
        request, page_template(request, "liaison/cadre_list.html", "cadre-table"), context
    )


@role_required(*OVERSEERS)
@vary_on_headers("HX-Request")
def split_report(request):
    scope = scope_of(request.user)
    total, cities = reports.split_report(scope)
    level = reports.split_level(scope)
    uncovered = paginate(request, reports.uncovered_stations(scope))
    context = {
        "total": total,
        "cities": cities,
        "level": level,
        "page_obj": uncovered,
        "querystring_base": querystring_without_page(request),
    }
    return render(
        request, page_template(request, "liaison/split_report.html", "uncovered"), context
    )
