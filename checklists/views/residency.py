"""A leader's residency at a station (领导驻所): the list in scope, bureau staff register one,
and its page with the daily "ten ones" log (the same checkboxes as the visit form)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from checklists.forms_support import ResidencyForm, ResidencyLogForm
from checklists.models import Residency
from checklists.services.residency import (
    log_residency_day,
    may_log,
    start_residency,
    ten_ones_items,
)
from liaison.models import User
from liaison.views import paginate
from stations.access import MANAGERS, OVERSEERS, role_required
from stations.models import Station
from stations.querysets import scoped
from stations.scope import scope_of

READERS = ("station", *OVERSEERS)


def _residencies(request):
    return Residency.objects.in_scope(scope_of(request.user)).select_related(
        "station__bureau", "leader__bureau"
    )


def _leaders(request):
    users = User.objects.filter(is_active=True, role="leader", bureau__isnull=False)
    users = scoped(users, scope_of(request.user), path_field="bureau__path")
    return users.select_related("bureau").order_by("bureau__path", "last_name", "first_name")


@role_required(*READERS)
def residency_list(request):
    rows = _residencies(request).order_by("-start_date", "-pk")
    page = paginate(request, rows)
    context = {
        "page_obj": page,
        "querystring_base": "",
        "may_register": request.user.role in MANAGERS,
    }
    return render(request, "checklists/support/residencies.html", context)


@role_required(*MANAGERS)
def residency_new(request):
    stations = Station.objects.in_scope(scope_of(request.user)).active().select_related("bureau")
    form = ResidencyForm(request.POST or None, leaders=_leaders(request))
    status = 200
    if request.method == "POST":
        station_id = request.POST.get("station", "")
        station = stations.filter(pk=station_id).first() if station_id.isdigit() else None
        if station is None:
            form.add_error(None, _("Choose a police station."))
        elif form.is_valid():
            try:
                residency = start_residency(
                    station=station,
                    leader=form.cleaned_data["leader"],
                    start_date=form.cleaned_data["start_date"],
                    end_date=form.cleaned_data["end_date"],
                    by=request.user,
                    now=timezone.now(),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The residency was registered."))
                return redirect("checklists:residency-detail", residency.pk)
        status = 400
    context = {"form": form, "stations": stations.order_by("bureau__path", "code")}
    return render(request, "checklists/support/residency_new.html", context, status=status)


@role_required(*READERS)
def residency_detail(request, pk):
    residency = get_object_or_404(_residencies(request), pk=pk)
    items = ten_ones_items()
    can_log = may_log(request.user, residency)
    status = 200
    today = timezone.localdate()
    # Today's log, when there is one, fills the form: logging the day again replaces it.
    logged = residency.logs.filter(day=today).first()
    initial = {"day": today}
    if logged is not None:
        initial.update(activities=[a["code"] for a in logged.activities], note=logged.note)
    form = ResidencyLogForm(request.POST or None, items=items, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                log_residency_day(
                    residency=residency,
                    by=request.user,
                    day=form.cleaned_data["day"],
                    activities=form.cleaned_data["activities"],
                    note=form.cleaned_data["note"],
                    today=today,
                    now=timezone.now(),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The day's ten ones were logged."))
                return redirect("checklists:residency-detail", residency.pk)
        status = 400
    context = {
        "residency": residency,
        "logs": residency.logs.select_related("logged_by").order_by("-day"),
        "form": form,
        "can_log": can_log,
    }
    return render(request, "checklists/support/residency_detail.html", context, status=status)


urlpatterns = [
    path("residencies/", residency_list, name="residency-list"),
    path("residencies/new/", residency_new, name="residency-new"),
    path("residencies/<int:pk>/", residency_detail, name="residency-detail"),
]
