"""Forms of station support requests, the opinion list and residencies."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from checklists.models import (
    OpinionStatus,
    ProblemCategory,
    Skill,
    SupportKind,
    SupportOfficer,
    SupportStatus,
)
from checklists.services.support import MAX_OFFICERS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {
    "required": _("Enter a date."),
    "invalid": _("Enter a valid date, e.g. 2026-11-01."),
}


class RequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=pgettext_lazy("support request", "Reason"),
        choices=SupportKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the reason for the request.")},
    )
    start_date = forms.DateField(label=_("First day"), widget=DATE, error_messages=DATE_ERRORS)
    end_date = forms.DateField(
        label=pgettext_lazy("end of a period", "Last day"), widget=DATE, error_messages=DATE_ERRORS
    )
    officers_needed = forms.IntegerField(
        label=_("Officers needed"),
        min_value=1,
        max_value=MAX_OFFICERS,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"required": _("Enter how many officers are needed.")},
    )
    skills = forms.ModelMultipleChoiceField(
        label=_("Skills needed"),
        queryset=Skill.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one skill needed.")},
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skills"].queryset = Skill.objects.active()


class RequestFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *SupportStatus.choices],
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class AssignForm(forms.Form):
    officer = forms.ModelChoiceField(
        queryset=SupportOfficer.objects.all(),
        error_messages={"invalid_choice": _("This officer is not available for support.")},
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for declining"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason for declining.")},
    )


class CoverRecordForm(forms.Form):
    hours = forms.DecimalField(
        label=_("Hours worked"),
        min_value=0.5,
        max_digits=5,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
        error_messages={"required": _("Enter the hours worked.")},
    )
    incidents = forms.IntegerField(
        label=_("Incidents handled"),
        min_value=0,
        max_value=10000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"required": _("Enter the number of incidents handled.")},
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class OfficerForm(forms.Form):
    skills = forms.ModelMultipleChoiceField(
        label=_("Skills"),
        queryset=Skill.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one skill.")},
    )
    active = forms.BooleanField(label=_("Available for support"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skills"].queryset = Skill.objects.active()


class OpinionForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=ProblemCategory.objects.none(),
        empty_label=None,
        error_messages={"required": _("Choose a category.")},
    )
    text = forms.CharField(
        label=_("Opinion"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write the opinion.")},
    )
    anonymous = forms.BooleanField(
        label=_("Submit anonymously (your name is not recorded anywhere)"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = ProblemCategory.objects.active()


class OpinionFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *OpinionStatus.choices],
    )


class DismissForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for dismissing"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason for dismissing the opinion.")},
    )


class ResidencyForm(forms.Form):
    leader = forms.ModelChoiceField(label=_("Leader"), queryset=None, empty_label=_("— leader —"))
    start_date = forms.DateField(label=_("First day"), widget=DATE, error_messages=DATE_ERRORS)
    end_date = forms.DateField(
        label=pgettext_lazy("end of a period", "Last day"), widget=DATE, error_messages=DATE_ERRORS
    )

    def __init__(self, *args, leaders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = leaders


class ResidencyLogForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=DATE, error_messages=DATE_ERRORS)
    activities = forms.MultipleChoiceField(
        label=_("Ten ones: activities done"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one of the ten ones.")},
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activities"].choices = list(items)
