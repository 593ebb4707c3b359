from django import forms
from django.utils.translation import gettext_lazy as _

from liaison.models import Cadre
from stations.models import Tier


class CadreChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Cadre) -> str:
        return f"{obj.user} · {obj.get_tier_display()} · {obj.bureau.name}"


class AssignForm(forms.Form):
    cadre = CadreChoiceField(
        label=_("Cadre"),
        queryset=Cadre.objects.none(),
        empty_label=_("— choose a cadre —"),
        error_messages={
            "required": _("Choose a cadre."),
            "invalid_choice": _("That cadre cannot be chosen for this station."),
        },
    )
    start_date = forms.DateField(
        label=_("Start date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter the start date."),
            "invalid": _("Enter a valid date, e.g. 2026-11-01."),
        },
    )

    def __init__(self, *args, cadres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = cadres


class EndAssignmentForm(forms.Form):
    end_date = forms.DateField(
        label=_("Last day"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter the last day of the assignment."),
            "invalid": _("Enter a valid date, e.g. 2026-11-01."),
        },
    )


class StationFilterForm(forms.Form):
    COVERAGE = [("", _("All")), ("covered", _("Covered")), ("uncovered", _("Uncovered"))]

    q = forms.CharField(label=_("Search"), required=False, max_length=50)
    city = forms.CharField(label=_("City"), required=False, max_length=6)
    county = forms.CharField(label=_("County"), required=False, max_length=6)
    coverage = forms.ChoiceField(label=_("Coverage"), choices=COVERAGE, required=False)


class CadreFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=50)
    tier = forms.ChoiceField(
        label=_("Tier"), choices=[("", _("All"))] + Tier.choices, required=False
    )
    free = forms.BooleanField(label=_("Without a station only"), required=False)
