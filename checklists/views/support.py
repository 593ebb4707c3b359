"""Station support requests (驻所帮扶/替岗): the request list (a station's own, a bureau's in
scope), the station's request form, a request's page with the matching free officers and
assign buttons (htmx partial ``support-staffing``), the station's confirm / cancel, the
bureau's decline, hours per officer, and the bureau's list of officers and their skills."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from checklists.forms_support import (
    AssignForm,
    CoverRecordForm,
    DeclineForm,
    OfficerForm,
    RequestFilterForm,
    RequestForm,
)
from checklists.models import SupportCover, SupportOfficer, SupportRequest
from checklists.models.support import OPEN_STATUSES
from checklists.permissions import may_manage_station
from checklists.services import support as services
from liaison.models import User
from liaison.views import page_template, paginate, querystring_without_page
from stations.access import MANAGERS, OVERSEERS, role_required
from stations.querysets import scoped
from stations.scope import scope_of

READERS = ("station", *OVERSEERS)


def _requests(request):
    return SupportRequest.objects.in_scope(scope_of(request.user)).select_related(
        "station__bureau", "requested_by"
    )


def _fail(request, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


@role_required(*READERS)
@vary_on_headers("HX-Request")
def request_list(request):
    form = RequestFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = _requests(request).search(filters.get("q", "")).annotate(n_covers=Count("covers"))
    if filters.get("status"):
        rows = rows.filter(status=filters["status"])
    page = paginate(request, rows.order_by("-start_date", "-pk"))
    context = {
        "form": form,
        "page_obj": page,
        "querystring_base": querystring_without_page(request),
        "may_request": request.user.role == "station",
    }
    template = page_template(request, "checklists/support/list.html", "support-results")
    return render(request, template, context)


@role_required("station")
def request_new(request):
    station = request.user.station
    status = 200
    if request.method == "POST":
        form = RequestForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                support = services.submit_request(
                    station=station,
                    by=request.user,
                    kind=data["kind"],
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                    officers_needed=data["officers_needed"],
                    skills=data["skills"],
                    note=data["note"],
                    today=timezone.localdate(),
                    now=timezone.now(),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Your support request was sent to headquarters."))
                return redirect("checklists:support-detail", support.pk)
        status = 400
    else:
        form = RequestForm()
    return render(
        request, "checklists/support/new.html", {"form": form, "station": station}, status=status
    )


def _detail_context(request, support: SupportRequest) -> dict:
    user = request.user
    today = timezone.localdate()
    covers = list(
        support.covers.select_related("officer__user__bureau", "recorded_by").prefetch_related(
            "officer__skills"
        )
    )
    manager = may_manage_station(user, support.station)
    staffing_open = manager and support.status in OPEN_STATUSES and support.end_date >= today
    candidates = []
    if staffing_open and len(covers) < support.officers_needed:
        candidates = list(
            services.candidates(support, scope=scope_of(user)).prefetch_related("skills")[:50]
        )
    needed = list(support.skills.all())
    needed_ids = {s.pk for s in needed}
    return {
        "support": support,
        "needed": needed,
        "needed_ids": needed_ids,
        "covers": covers,
        "candidates": candidates,
        "staffing_open": staffing_open,
        "is_manager": manager,
        "is_station": services.is_station_staff(user, support.station),
        "may_record": services.may_record(user, support.station)
        and support.status == "confirmed"
        and today >= support.start_date,
        "record_form": CoverRecordForm(),
        "decline_form": DeclineForm(),
    }


@role_required(*READERS)
@vary_on_headers("HX-Request")
def request_detail(request, pk):
    support = get_object_or_404(_requests(request), pk=pk)
    template = page_template(request, "checklists/support/detail.html", "support-staffing")
    return render(request, template, _detail_context(request, support))


def _after(request, support: SupportRequest):
    """The updated staffing partial for htmx, else back to the request page."""
    if request.htmx:
        support = _requests(request).get(pk=support.pk)
        return render(
            request,
            "checklists/support/detail.html#support-staffing",
            _detail_context(request, support),
        )
    return redirect("checklists:support-detail", support.pk)


@require_POST
@role_required(*MANAGERS)
def request_assign(request, pk):
    support = get_object_or_404(_requests(request), pk=pk)
    form = AssignForm(request.POST)
    # An officer outside the user's scope is unknown here: no name is given away.
    form.fields["officer"].queryset = SupportOfficer.objects.in_scope(scope_of(request.user))
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["officer"]))
        return _after(request, support)
    try:
        cover = services.assign_officer(
            request=support,
            officer=form.cleaned_data["officer"],
            by=request.user,
            today=timezone.localdate(),
            now=timezone.now(),
        )
    except ValidationError as exc:
        _fail(request, exc)
    else:
        messages.success(
            request, _("%(name)s is assigned to this request.") % {"name": cover.officer}
        )
    return _after(request, support)


@require_POST
@role_required(*MANAGERS)
def cover_remove(request, pk):
    covers = SupportCover.objects.filter(request__in=_requests(request))
    cover = get_object_or_404(covers.select_related("request__station__bureau"), pk=pk)
    try:
        services.remove_officer(cover=cover, by=request.user, now=timezone.now())
    except ValidationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("The officer was taken off this request."))
    return _after(request, cover.request)


def _station_action(request, pk, action, done_message):
    support = get_object_or_404(_requests(request), pk=pk)
    try:
        action(request=support, by=request.user, now=timezone.now())
    except ValidationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, done_message)
    return redirect("checklists:support-detail", support.pk)


@require_POST
@role_required("station")
def request_confirm(request, pk):
    return _station_action(
        request, pk, services.confirm_request, _("You confirmed the officers assigned.")
    )


@require_POST
@role_required("station")
def request_cancel(request, pk):
    return _station_action(
        request, pk, services.cancel_request, _("The support request was cancelled.")
    )


@require_POST
@role_required(*MANAGERS)
def request_decline(request, pk):
    support = get_object_or_404(_requests(request), pk=pk)
    form = DeclineForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["reason"])
        services.decline_request(
            request=support, by=request.user, reason=form.cleaned_data["reason"], now=timezone.now()
        )
    except ValidationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("The support request was declined."))
    return redirect("checklists:support-detail", support.pk)


@require_POST
@role_required("station", *MANAGERS)
def cover_record(request, pk):
    covers = SupportCover.objects.filter(request__in=_requests(request))
    cover = get_object_or_404(covers.select_related("request__station__bureau"), pk=pk)
    form = CoverRecordForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        data = form.cleaned_data
        completed = services.record_cover(
            cover=cover,
            by=request.user,
            hours=data["hours"],
            incidents=data["incidents"],
            note=data["note"],
            today=timezone.localdate(),
            now=timezone.now(),
        )
    except ValidationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("The hours and incidents were recorded."))
        if completed:
            messages.success(request, _("Every officer's hours are in: the support is complete."))
    return redirect("checklists:support-detail", cover.request_id)


def _officer_users(request):
    """Headquarters users in scope who may be registered as support officers."""
    users = User.objects.filter(is_active=True, bureau__isnull=False).exclude(role="station")
    users = scoped(users, scope_of(request.user), path_field="bureau__path")
    return users.select_related("bureau").order_by("bureau__path", "last_name", "first_name")


USER_CHOICES = 50


def _name_matches(q: str, prefix: str = "") -> Q:
    """Q for users (through ``prefix``) whose name or user name contains ``q``."""
    fields = ("last_name", "first_name", "username")
    return Q.create([(f"{prefix}{f}__icontains", q) for f in fields], connector=Q.OR)


@role_required(*MANAGERS)
def officer_list(request):
    officers = (
        SupportOfficer.objects.in_scope(scope_of(request.user))
        .select_related("user__bureau")
        .prefetch_related("skills")
        .order_by("user__bureau__path", "user__last_name", "user__first_name", "pk")
    )
    status = 200
    form = OfficerForm(request.POST or None)
    users = _officer_users(request)
    if request.method == "POST":
        user_id = request.POST.get("user", "")
        user = users.filter(pk=user_id).first() if user_id.isdigit() else None
        if user is None:
            form.add_error(None, _("Choose an officer of your bureau."))
        elif form.is_valid():
            try:
                services.save_officer(
                    user=user,
                    skills=form.cleaned_data["skills"],
                    active=form.cleaned_data["active"],
                    by=request.user,
                    now=timezone.now(),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("%(name)s's skills were saved.") % {"name": user})
                return redirect("checklists:support-officers")
        status = 400
    # A province holds thousands of headquarters users: the form offers those matching the
    # search (name or user name), at most USER_CHOICES of them, never the whole province.
    q = request.GET.get("q", "").strip()
    if q:
        users = users.filter(_name_matches(q))
        officers = officers.filter(_name_matches(q, "user__"))
    choices = list(users[: USER_CHOICES + 1])
    page = paginate(request, officers)
    context = {
        "page_obj": page,
        "form": form,
        "users": choices[:USER_CHOICES],
        "more_users": len(choices) > USER_CHOICES,
        "q": q,
        "querystring_base": querystring_without_page(request),
    }
    return render(request, "checklists/support/officers.html", context, status=status)


urlpatterns = [
    path("support/", request_list, name="support-list"),
    path("support/new/", request_new, name="support-new"),
    path("support/officers/", officer_list, name="support-officers"),
    path("support/<int:pk>/", request_detail, name="support-detail"),
    path("support/<int:pk>/assign/", request_assign, name="support-assign"),
    path("support/<int:pk>/confirm/", request_confirm, name="support-confirm"),
    path("support/<int:pk>/cancel/", request_cancel, name="support-cancel"),
    path("support/<int:pk>/decline/", request_decline, name="support-decline"),
    path("support/covers/<int:pk>/remove/", cover_remove, name="support-cover-remove"),
    path("support/covers/<int:pk>/record/", cover_record, name="support-cover-record"),
]
