from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from checklists import history, photos, services
from checklists.filters import visible_problems
from checklists.forms import ATTESTATION_LABELS, ProblemFormSet, VisitForm, problem_drafts
from checklists.models import ChecklistItem, ProblemCategory, TemplateCode
from checklists.querysets import visible_visits
from liaison import rules
from liaison.models import Assignment, Visit, VisitPhoto
from liaison.services.visits import edit_visit
from liaison.views import paginate
from stations.access import EVERYONE, role_required


def _checklist_items() -> tuple[list, list]:
    """(inspection areas, ten ones) as (code, label) pairs of active items, in one query."""
    rows = (
        ChecklistItem.objects.active()
        .filter(template__code__in=[TemplateCode.INSPECTION_AREAS, TemplateCode.TEN_ONES])
        .order_by("order", "pk")
        .values_list("template__code", "code", "label")
    )
    areas, ones = [], []
    for template, code, label in rows:
        (areas if template == TemplateCode.INSPECTION_AREAS else ones).append((code, label))
    return areas, ones


def _with_snapshot(items: list, snapshot: list[dict]) -> list:
    """Active items plus the retired ones a visit already ticked, so an edit keeps them."""
    known = {code for code, _label in items}
    return items + [(s["code"], s["label"]) for s in snapshot if s["code"] not in known]


def _now_minute():
    return timezone.localtime().replace(second=0, microsecond=0)


def _log_visit(request, assignment, form, formset) -> bool:
    try:
        services.log_visit_with_problems(
            assignment=assignment,
            by=request.user,
            visited_at=form.cleaned_data["visited_at"],
            attestation=form.attestation(),
            inspected=form.inspected_snapshot(),
            activities=form.activities_snapshot(),
            findings=form.cleaned_data["findings"],
            location=form.location(),
            problems=problem_drafts(formset),
            photos=form.cleaned_data["photos"],
            now=timezone.now(),
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return False
    return True


@role_required("cadre")
def visit_new(request):
    assignment = (
        Assignment.objects.active()
        .filter(cadre__user=request.user)
        .select_related("station", "cadre")
        .first()
    )
    if assignment is None:
        return render(request, "checklists/visit_form.html", {"assignment": None})
    areas, ones = _checklist_items()
    categories = list(ProblemCategory.objects.active())
    kwargs = {"inspection_items": areas, "activity_items": ones}
    problems_kwargs = {"prefix": "problems", "form_kwargs": {"categories": categories}}
    if request.method == "POST":
        form = VisitForm(request.POST, request.FILES, **kwargs)
        formset = ProblemFormSet(request.POST, **problems_kwargs)
        valid = all([form.is_valid(), formset.is_valid()])  # both, to show every error
        if valid and _log_visit(request, assignment, form, formset):
            messages.success(request, _("Your visit was logged."))
            return redirect("home")
    else:
        form = VisitForm(initial={"visited_at": _now_minute()}, **kwargs)
        formset = ProblemFormSet(**problems_kwargs)
    context = {
        "assignment": assignment,
        "form": form,
        "formset": formset,
        # Rows beyond the first sit in a <details>; keep it open when they hold input.
        "more_problems_open": formset.is_bound and any(f.has_changed() for f in formset.forms[1:]),
    }
    return render(request, "checklists/visit_form.html", context)


@role_required("cadre")
def visit_edit(request, pk):
    visits = Visit.objects.filter(logged_by=request.user).select_related("station")
    visit = get_object_or_404(visits, pk=pk)
    if not rules.can_edit_visit(logged_at=visit.logged_at, now=timezone.now()):
        messages.error(request, _("A visit can only be changed within 24 hours of logging it."))
        return redirect("checklists:visit-detail", visit.pk)
    areas, ones = _checklist_items()
    kwargs = {
        "inspection_items": _with_snapshot(areas, visit.inspected),
        "activity_items": _with_snapshot(ones, visit.activities),
        "with_evidence": False,
    }
    if request.method == "POST":
        form = VisitForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                edit_visit(
                    visit=visit,
                    by=request.user,
                    visited_at=form.cleaned_data["visited_at"],
                    attestation=form.attestation(),
                    inspected=form.inspected_snapshot(),
                    activities=form.activities_snapshot(),
                    findings=form.cleaned_data["findings"],
                    now=timezone.now(),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The visit was changed."))
                return redirect("checklists:visit-detail", visit.pk)
    else:
        initial = {
            "visited_at": timezone.localtime(visit.visited_at),
            "inspected": [s["code"] for s in visit.inspected],
            "activities": [s["code"] for s in visit.activities],
            "findings": visit.findings,
            **{name: getattr(visit, name) for name in ATTESTATION_LABELS},
        }
        form = VisitForm(initial=initial, **kwargs)
    return render(request, "checklists/visit_form.html", {"visit": visit, "form": form})


@role_required(*EVERYONE)
def visit_detail(request, pk):
    visits = Visit.objects.select_related(
        "station__bureau", "cadre__user", "cadre__bureau", "logged_by"
    ).prefetch_related("photos")
    visit = get_object_or_404(visible_visits(request.user, visits), pk=pk)
    # The problems raised during the visit that the user may open (drafts: managers and
    # their raiser only), each linking to its page.
    problems = (
        visible_problems(request.user)
        .filter(source_visit=visit)
        .select_related("category")
        .order_by("pk")
    )
    records = visit.history.select_related("history_user").order_by("history_date", "history_id")
    context = {
        "visit": visit,
        "problems": problems,
        "history": history.visit_history(records),
        "can_edit": visit.logged_by_id == request.user.pk
        and rules.can_edit_visit(logged_at=visit.logged_at, now=timezone.now()),
    }
    return render(request, "checklists/visit_detail.html", context)


@role_required(*EVERYONE)
def visit_photo(request, pk):
    """A re-encoded copy of the photo without EXIF: the position stays on the server."""
    visits = visible_visits(request.user, Visit.objects.all())
    photo = get_object_or_404(VisitPhoto.objects.filter(visit__in=visits), pk=pk)
    return photos.stripped_response(photo.image)


@role_required(*EVERYONE)
def visit_list(request):
    visits = (
        visible_visits(request.user, Visit.objects.all())
        .select_related("station", "cadre__user")
        .annotate(problem_count=Count("problems"))
        .order_by("-visited_at", "-pk")
    )
    page = paginate(request, visits)
    return render(request, "checklists/visit_list.html", {"page_obj": page})


urlpatterns = [
    path("visits/", visit_list, name="visit-list"),
    path("visits/new/", visit_new, name="visit-new"),
    path("visits/<int:pk>/", visit_detail, name="visit-detail"),
    path("visits/<int:pk>/edit/", visit_edit, name="visit-edit"),
    path("visits/photos/<int:pk>/", visit_photo, name="visit-photo"),
]
