"""Forms of the secondment pages: they parse input; the rules are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from liaison.models import AbsenceKind, SecondmentGrade
from liaison.secondments.rules import STANDING_LABELS

_DATE_ERRORS = {
    "required": _("Enter a date."),
    "invalid": _("Enter a valid date, e.g. 2026-11-01."),
}


def _date(label, required=True, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages=_DATE_ERRORS,
    )


class SecondmentForm(forms.Form):
    officer_name = forms.CharField(
        label=_("Officer's name"),
        max_length=50,
        error_messages={"required": _("Enter the officer's name.")},
    )
    police_number = forms.CharField(
        label=_("Police number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={"required": _("Enter the officer's police number.")},
    )
    home_bureau = forms.ModelChoiceField(
        label=_("Home bureau"),
        queryset=None,
        empty_label=_("— home bureau —"),
        error_messages={"required": _("Choose the officer's home bureau.")},
    )
    station = forms.ModelChoiceField(
        label=_("Host station"),
        queryset=None,
        empty_label=_("— host station —"),
        error_messages={"required": _("Choose the host station.")},
    )
    start_date = _date(_("Start date"))
    end_date = _date(
        _("End date"), required=False, help_text=_("Leave empty for one year from the start.")
    )

    def __init__(self, *args, bureaus, stations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home_bureau"].queryset = bureaus
        self.fields["station"].queryset = stations


class AbsenceForm(forms.Form):
    start_date = _date(_("First day of absence"))
    end_date = _date(_("Last day of absence"))
    kind = forms.ChoiceField(
        label=_("Kind of absence"),
        choices=AbsenceKind.choices,
        error_messages={"required": _("Choose the kind of absence.")},
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class SpotCheckForm(forms.Form):
    checked_on = _date(_("Check date"))
    present = forms.TypedChoiceField(
        label=_("Found"),
        choices=[("true", _("At the post")), ("false", _("Not at the post"))],
        coerce=lambda v: v == "true",
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether the secondee was at the post.")},
    )
    findings = forms.CharField(
        label=_("Findings"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AssessmentForm(forms.Form):
    grade = forms.ChoiceField(
        label=_("Grade"),
        choices=SecondmentGrade.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a grade.")},
    )
    comments = forms.CharField(
        label=_("Comments"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write the assessment comments.")},
    )


STATUS_CHOICES = [
    ("", _("All")),
    *[(s.value, label) for s, label in STANDING_LABELS.items()],
    ("extended", _("Extended for another year")),
]


class BatchFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Batch year"), coerce=int, required=False, choices=())
    q = forms.CharField(label=_("Search"), required=False, max_length=50)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=())

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]
        self.fields["status"].choices = [(k, str(v)) for k, v in STATUS_CHOICES]
