"""Forms of the station standards (五有): the audit form and the province-wide filters."""

from django import forms
from django.utils.translation import gettext_lazy as _

from checklists import photos as photo_rules
from checklists.forms import MultipleFileField
from checklists.models import ProblemCategory
from checklists.services.standards import ItemCheck
from checklists.standards import Status

MET_CHOICES = [("1", _("Met")), ("0", _("Not met"))]


class AuditForm(forms.Form):
    """The date, and per active item of the five-haves template: met or not, a note (needed
    when not met) and photos. ``items`` are ``ChecklistItem`` rows."""

    audited_on = forms.DateField(
        label=_("Audit date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter the date of the audit."),
            "invalid": _("Enter a valid date, e.g. 2026-11-01."),
        },
    )
    note = forms.CharField(
        label=_("Overall note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"met_{item.pk}"] = forms.ChoiceField(
                label=item.label,
                choices=MET_CHOICES,
                widget=forms.RadioSelect,
                error_messages={"required": _("Mark this item as met or not met.")},
            )
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields[f"photos_{item.pk}"] = MultipleFileField(
                label=_("Photos"),
                required=False,
                help_text=_("Up to %(count)d JPEG or PNG photos, %(mb)d MB each.")
                % {
                    "count": photo_rules.MAX_PHOTOS,
                    "mb": photo_rules.MAX_PHOTO_BYTES // (1024 * 1024),
                },
            )

    def rows(self):
        """(item, met, note, photos) bound fields, for the template."""
        return [
            (item, self[f"met_{item.pk}"], self[f"note_{item.pk}"], self[f"photos_{item.pk}"])
            for item in self.items
        ]

    def clean(self):
        cleaned = super().clean()
        for item in self.items:
            met = cleaned.get(f"met_{item.pk}")
            if met == "0" and not (cleaned.get(f"note_{item.pk}") or "").strip():
                self.add_error(f"note_{item.pk}", _("Say what is missing."))
        return cleaned

    def checks(self) -> list[ItemCheck]:
        data = self.cleaned_data
        return [
            ItemCheck(
                item=item,
                met=data[f"met_{item.pk}"] == "1",
                note=data.get(f"note_{item.pk}") or "",
                photos=data.get(f"photos_{item.pk}") or [],
            )
            for item in self.items
        ]


class RaiseFromAuditForm(forms.Form):
    """The category of the problem an unmet item becomes (default: 装备保障)."""

    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=ProblemCategory.objects.active(),
        required=False,
        error_messages={"invalid_choice": _("This problem category is no longer in use.")},
    )


STATUS_CHOICES = [
    ("", _("All stations")),
    (Status.MET, _("Meets the standard")),
    (Status.UNMET, _("Does not meet the standard")),
    (Status.UNAUDITED, _("Not audited")),
]


class FiveHavesFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Standard"), choices=STATUS_CHOICES, required=False)
    item = forms.ChoiceField(label=_("Fails item"), required=False)

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", _("Any item"))] + [(i.code, i.label) for i in items]
