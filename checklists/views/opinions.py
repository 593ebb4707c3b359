"""The opinion list (意见清单): station staff submit (possibly anonymously); the station's list
and the bureau's list in scope; an opinion's page where bureau staff accept it as a draft
problem or dismiss it with a reason."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from checklists.forms_standards import RaiseFromAuditForm
from checklists.forms_support import DismissForm, OpinionFilterForm, OpinionForm
from checklists.models import Opinion, ProblemCategory
from checklists.permissions import may_manage_station
from checklists.services.opinions import accept_opinion, dismiss_opinion, submit_opinion
from liaison.views import paginate, querystring_without_page
from stations.access import MANAGERS, OVERSEERS, role_required
from stations.scope import scope_of

READERS = ("station", *OVERSEERS)


def _opinions(request):
    return Opinion.objects.in_scope(scope_of(request.user)).select_related(
        "station__bureau", "category", "submitted_by", "problem"
    )


@role_required(*READERS)
def opinion_list(request):
    form = OpinionFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = _opinions(request)
    if filters.get("status"):
        rows = rows.filter(status=filters["status"])
    page = paginate(request, rows.order_by("-submitted_at", "-pk"))
    context = {
        "form": form,
        "page_obj": page,
        "querystring_base": querystring_without_page(request),
        "may_submit": request.user.role == "station",
    }
    return render(request, "checklists/opinions/list.html", context)


@role_required("station")
def opinion_new(request):
    station = request.user.station
    status = 200
    if request.method == "POST":
        form = OpinionForm(request.POST)
        if form.is_valid():
            try:
                submit_opinion(
                    station=station,
                    by=request.user,
                    category=form.cleaned_data["category"],
                    text=form.cleaned_data["text"],
                    anonymous=form.cleaned_data["anonymous"],
                    now=timezone.now(),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Your opinion was added to the opinion list."))
                return redirect("checklists:opinion-list")
        status = 400
    else:
        form = OpinionForm()
    context = {"form": form, "station": station}
    return render(request, "checklists/opinions/new.html", context, status=status)


@role_required(*READERS)
def opinion_detail(request, pk):
    opinion = get_object_or_404(_opinions(request), pk=pk)
    can_review = may_manage_station(request.user, opinion.station)
    context = {
        "opinion": opinion,
        "can_review": can_review and opinion.status == "submitted",
        "categories": list(ProblemCategory.objects.active()) if can_review else [],
        "dismiss_form": DismissForm(),
    }
    return render(request, "checklists/opinions/detail.html", context)


@require_POST
@role_required(*MANAGERS)
def opinion_accept(request, pk):
    opinion = get_object_or_404(_opinions(request), pk=pk)
    form = RaiseFromAuditForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["category"])
        problem = accept_opinion(
            opinion=opinion,
            by=request.user,
            category=form.cleaned_data["category"],
            now=timezone.now(),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("checklists:opinion-detail", opinion.pk)
    messages.success(request, _("The opinion is now a draft problem on the problems list."))
    return redirect("checklists:problem-detail", problem.pk)


@require_POST
@role_required(*MANAGERS)
def opinion_dismiss(request, pk):
    opinion = get_object_or_404(_opinions(request), pk=pk)
    form = DismissForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["reason"])
        dismiss_opinion(
            opinion=opinion, by=request.user, reason=form.cleaned_data["reason"], now=timezone.now()
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The opinion was dismissed."))
    return redirect("checklists:opinion-detail", opinion.pk)


urlpatterns = [
    path("opinions/", opinion_list, name="opinion-list"),
    path("opinions/new/", opinion_new, name="opinion-new"),
    path("opinions/<int:pk>/", opinion_detail, name="opinion-detail"),
    path("opinions/<int:pk>/accept/", opinion_accept, name="opinion-accept"),
    path("opinions/<int:pk>/dismiss/", opinion_dismiss, name="opinion-dismiss"),
]
