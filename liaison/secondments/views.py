"""The secondment pages: a year's batch (search, status filter, counts, Excel export), the
form that creates a secondment, and a secondment's page where the host station records
absences and the bureau records spot checks, the assessment and an extension."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from liaison.models import Absence, Secondment
from liaison.secondments import export, selectors, services
from liaison.secondments.forms import (
    AbsenceForm,
    AssessmentForm,
    BatchFilterForm,
    SecondmentForm,
    SpotCheckForm,
)
from liaison.secondments.permissions import (
    READERS,
    may_create,
    may_manage,
    may_record_absence,
)
from liaison.secondments.rules import THRESHOLDS, Standing, assessment_opens
from liaison.views import page_template, paginate, querystring_without_page
from stations.access import MANAGERS, OVERSEERS, has_role, role_required
from stations.models import Bureau, Station
from stations.scope import scope_of


def _filters(request):
    today = timezone.localdate()
    scope = scope_of(request.user)
    years, current = selectors.years(scope, today)
    data = {"year": str(current), **request.GET.dict()}
    form = BatchFilterForm(data, years=years)
    form.is_valid()
    # The fields that are valid still apply: a bad year alone falls back to the current one.
    cleaned = form.cleaned_data
    year = cleaned.get("year") or current
    rows = selectors.batch(scope, year, text=cleaned.get("q", ""), status=cleaned.get("status", ""))
    return form, year, rows, scope


@role_required(*READERS)
@vary_on_headers("HX-Request")
def batch_page(request):
    form, year, rows, scope = _filters(request)
    page = paginate(request, rows)
    context = {
        "form": form,
        "year": year,
        "page_obj": page,
        "counts": selectors.batch_counts(Secondment.objects.in_scope(scope).of_year(year)),
        "querystring_base": querystring_without_page(request),
        "export_query": urlencode(
            {**{k: v for k, v in request.GET.items() if k != "page" and v}, "year": year}
        ),
        "can_create": may_create(request.user),
        "can_export": has_role(request.user, *OVERSEERS),
        "thresholds": THRESHOLDS,
    }
    template = page_template(request, "liaison/secondments/batch.html", "secondment-batch")
    return render(request, template, context)


@role_required(*OVERSEERS)
def batch_export(request):
    _form, year, rows, _scope = _filters(request)
    return export.batch_response(rows, year=year, today=timezone.localdate())


def _choices(user):
    scope = scope_of(user)
    bureaus = Bureau.objects.in_scope(scope).order_by("path")
    stations = Station.objects.in_scope(scope).active().select_related("bureau")
    return bureaus, stations.order_by("bureau__path", "code")


@role_required(*MANAGERS)
def secondment_new(request):
    bureaus, stations = _choices(request.user)
    status = 200
    if request.method == "POST":
        form = SecondmentForm(request.POST, bureaus=bureaus, stations=stations)
        if form.is_valid():
            try:
                secondment = services.create_secondment(
                    **form.cleaned_data, by=request.user, now=timezone.now()
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The secondment was created."))
                return redirect("liaison:secondment-detail", secondment.pk)
        status = 400
    else:
        initial = {"home_bureau": request.user.bureau_id, "start_date": timezone.localdate()}
        form = SecondmentForm(initial=initial, bureaus=bureaus, stations=stations)
    return render(request, "liaison/secondments/new.html", {"form": form}, status=status)


def _secondment(request, pk):
    return get_object_or_404(selectors.readable(scope_of(request.user)), pk=pk)


def _detail(request, secondment, status=200, **forms):
    today = timezone.localdate()
    manage = may_manage(request.user, secondment.station)
    attendance = may_record_absence(request.user, secondment)
    assessed = hasattr(secondment, "assessment")
    opens = assessment_opens(secondment.end_date)
    context = {
        "s": secondment,
        "today": today,
        "absences": selectors.absences_with_total(secondment),
        "spot_checks": secondment.spot_checks.select_related("checked_by"),
        "record": selectors.officer_record(scope_of(request.user), secondment),
        "may_manage": manage,
        "may_withdraw": attendance and not assessed,
        "absence_form": forms.get("absence_form")
        or (
            AbsenceForm()
            if attendance and not assessed and secondment.start_date <= today
            else None
        ),
        "spot_check_form": forms.get("spot_check_form")
        or (SpotCheckForm(initial={"checked_on": today}) if manage else None),
        "assessment_form": forms.get("assessment_form")
        or (AssessmentForm() if manage and not assessed and today >= opens else None),
        "assessment_opens": opens,
        "can_extend": manage
        and not hasattr(secondment, "extension")
        and secondment.recognised
        and secondment.station.active,
        "Standing": Standing,
        "thresholds": THRESHOLDS,
    }
    return render(request, "liaison/secondments/detail.html", context, status=status)


@role_required(*READERS)
def secondment_detail(request, pk):
    return _detail(request, _secondment(request, pk))


def _post(request, pk, form_class, form_key, call, done):
    """Shared shape of the page's POSTs: scoped lookup, parse, one service, redirect."""
    secondment = _secondment(request, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            result = call(secondment, form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, done(result))
            return redirect("liaison:secondment-detail", secondment.pk)
    return _detail(request, secondment, status=400, **{form_key: form})


@require_POST
@role_required("station", "admin")
def absence_new(request, pk):
    def call(secondment, data):
        before = secondment.standing
        absence = services.record_absence(
            secondment=secondment,
            by=request.user,
            today=timezone.localdate(),
            now=timezone.now(),
            **data,
        )
        secondment.refresh_from_db(fields=["absent_days"])
        return absence, before, secondment

    def done(result):
        absence, before, secondment = result
        text = _("The absence of %(days)d working days was recorded; %(total)d in all.") % {
            "days": absence.working_days,
            "total": secondment.absent_days,
        }
        if secondment.standing != before and secondment.standing != Standing.NORMAL:
            text += " " + _("The secondment is now at: %(standing)s.") % {
                "standing": secondment.standing.label
            }
        return text

    return _post(request, pk, AbsenceForm, "absence_form", call, done)


@require_POST
@role_required("station", "admin")
def absence_withdraw(request, pk):
    absences = Absence.objects.filter(
        secondment__in=Secondment.objects.in_scope(scope_of(request.user))
    ).select_related("secondment")
    absence = get_object_or_404(absences, pk=pk)
    try:
        services.withdraw_absence(absence=absence, by=request.user, now=timezone.now())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The absence from %(start)s to %(end)s was withdrawn.")
            % {"start": absence.start_date.isoformat(), "end": absence.end_date.isoformat()},
        )
    return redirect("liaison:secondment-detail", absence.secondment_id)


@require_POST
@role_required(*MANAGERS)
def spot_check_new(request, pk):
    def call(secondment, data):
        return services.record_spot_check(
            secondment=secondment,
            by=request.user,
            today=timezone.localdate(),
            now=timezone.now(),
            **data,
        )

    return _post(
        request,
        pk,
        SpotCheckForm,
        "spot_check_form",
        call,
        lambda _check: _("The spot check was recorded."),
    )


@require_POST
@role_required(*MANAGERS)
def assessment_new(request, pk):
    def call(secondment, data):
        return services.assess_secondment(
            secondment=secondment,
            by=request.user,
            today=timezone.localdate(),
            now=timezone.now(),
            **data,
        )

    return _post(
        request,
        pk,
        AssessmentForm,
        "assessment_form",
        call,
        lambda _a: _("The assessment was recorded."),
    )


@require_POST
@role_required(*MANAGERS)
def secondment_extend(request, pk):
    secondment = _secondment(request, pk)
    try:
        extension = services.extend_secondment(
            secondment=secondment, by=request.user, now=timezone.now()
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("liaison:secondment-detail", secondment.pk)
    messages.success(
        request,
        _("The secondment was extended for another year, %(start)s to %(end)s.")
        % {"start": extension.start_date.isoformat(), "end": extension.end_date.isoformat()},
    )
    return redirect("liaison:secondment-detail", extension.pk)


urlpatterns = [
    path("secondments/", batch_page, name="secondments"),
    path("secondments/export.xlsx", batch_export, name="secondments-export"),
    path("secondments/new/", secondment_new, name="secondment-new"),
    path("secondments/<int:pk>/", secondment_detail, name="secondment-detail"),
    path("secondments/<int:pk>/absences/", absence_new, name="secondment-absence"),
    path(
        "secondments/absences/<int:pk>/withdraw/",
        absence_withdraw,
        name="secondment-absence-withdraw",
    ),
    path("secondments/<int:pk>/spot-checks/", spot_check_new, name="secondment-spot-check"),
    path("secondments/<int:pk>/assessment/", assessment_new, name="secondment-assessment"),
    path("secondments/<int:pk>/extend/", secondment_extend, name="secondment-extend"),
]
