"""The assignment planner page: review the proposed plan, confirm it in one step."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.vary import vary_on_headers

from liaison import planning
from liaison.views import paginate
from stations.access import MANAGERS, role_required
from stations.scope import scope_of


class ConfirmPlanForm(forms.Form):
    digest = forms.CharField(
        widget=forms.HiddenInput,
        max_length=64,
        error_messages={
            "required": _(
                "The situation changed since you reviewed the plan; please review it again."
            )
        },
    )
    start_date = forms.DateField(
        label=_("Start date"),
        # <input type="date"> takes ISO dates only, whatever the language's date format.
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={
            "required": _("Enter the start date."),
            "invalid": _("Enter a valid date, e.g. 2026-11-01."),
        },
    )


@role_required(*MANAGERS)
@vary_on_headers("HX-Request")
def planner(request):
    scope = scope_of(request.user)
    today = timezone.localdate()
    form = ConfirmPlanForm(request.POST or None, initial={"start_date": today})
    if form.is_bound and form.is_valid():
        try:
            created = planning.apply_plan(
                scope=scope,
                digest=form.cleaned_data["digest"],
                start_date=form.cleaned_data["start_date"],
                by=request.user,
                today=today,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "The plan took effect: %(count)d station now has a cadre.",
                    "The plan took effect: %(count)d stations now have a cadre.",
                    created,
                )
                % {"count": created},
            )
            return redirect("liaison:split-report")
    plan = planning.propose_plan(scope=scope)
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "plan": plan,
        "digest": plan.digest(),
        "form": form,
        "page_obj": paginate(request, plan.pairs),
        "querystring_base": f"{params.urlencode()}&" if params else "",
    }
    template = "liaison/planner.html"
    if request.htmx and request.htmx.target == "plan-pairs":
        template += "#plan-pairs"
    return render(request, template, context, status=400 if form.errors else 200)
