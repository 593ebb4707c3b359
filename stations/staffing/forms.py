from django import forms
from django.utils.translation import gettext_lazy as _

from stations.staffing.rules import MAX_POLICE

_COUNT_ERRORS = {
    "required": _("Enter a number of police."),
    "invalid": _("Enter a whole number of police, e.g. 120."),
    "min_value": _("Enter a number of police of 0 or more."),
    "max_value": _("At most %(limit_value)s police: check the number."),
}


def _count(label, help_text):
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        min_value=0,
        max_value=MAX_POLICE,
        error_messages=_COUNT_ERRORS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": MAX_POLICE}),
    )


class StaffingForm(forms.Form):
    """A bureau's figures as of a date; the rules between them are the service's."""

    as_of = forms.DateField(
        label=_("As of"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={
            "required": _("Enter the date the figures are as of."),
            "invalid": _("Enter a valid date, e.g. 2026-11-01."),
        },
    )
    police_total = _count(_("Police total"), _("All police officers of the bureau."))
    station_police = _count(
        _("Station police"), _("Police officers serving in the bureau's police stations.")
    )
    community_police = _count(
        _("Community police"), _("Of the station police, those serving as community police.")
    )


class DayForm(forms.Form):
    """The day the roll-up is as of (default today)."""

    on = forms.DateField(
        label=_("Figures as of"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a valid date, e.g. 2026-11-01.")},
    )

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_on(self):
        day = self.cleaned_data["on"]
        if day and day > self.today:
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day
