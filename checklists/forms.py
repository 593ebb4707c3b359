from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from checklists import photos as photo_rules
from checklists.services import MAX_PROBLEMS_PER_VISIT, ProblemDraft
from liaison.services.visits import Location

# The six attestations of 四不两直, in the order of liaison.models.visits.ATTESTATIONS.
ATTESTATION_LABELS = {
    "no_notice": _("No advance notice"),
    "no_greeting": _("No greeting arranged"),
    "no_report": _("No briefing listened to"),
    "no_escort": _("No escort or reception"),
    "straight_to_grassroots": _("Straight to the grassroots"),
    "straight_to_scene": _("Straight to the scene"),
}


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list (empty when none was chosen)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        single = super().clean
        return [single(item, initial) for item in files]


def snapshot(items, codes) -> list[dict]:
    """The ticked items as stored on the visit: [{"code", "label"}] in checklist order."""
    chosen = set(codes)
    return [{"code": code, "label": label} for code, label in items if code in chosen]


class VisitForm(forms.Form):
    """The cadre's visit form. ``inspection_items`` and ``activity_items`` are (code, label)
    pairs from the active checklist templates; ``with_evidence`` adds the position and the
    photos (a new visit only)."""

    visited_at = forms.SplitDateTimeField(
        label=_("Visited on"),
        widget=forms.SplitDateTimeWidget(
            date_attrs={"type": "date", "aria-label": _("Date")},
            time_attrs={"type": "time", "aria-label": _("Time")},
            date_format="%Y-%m-%d",
            time_format="%H:%M",
        ),
        error_messages={
            "required": _("Enter the date and time of the visit."),
            "invalid_date": _("Enter a valid date, e.g. 2026-11-01."),
            "invalid_time": _("Enter a valid time, e.g. 09:30."),
        },
    )
    no_notice = forms.BooleanField(label=ATTESTATION_LABELS["no_notice"], required=False)
    no_greeting = forms.BooleanField(label=ATTESTATION_LABELS["no_greeting"], required=False)
    no_report = forms.BooleanField(label=ATTESTATION_LABELS["no_report"], required=False)
    no_escort = forms.BooleanField(label=ATTESTATION_LABELS["no_escort"], required=False)
    straight_to_grassroots = forms.BooleanField(
        label=ATTESTATION_LABELS["straight_to_grassroots"], required=False
    )
    straight_to_scene = forms.BooleanField(
        label=ATTESTATION_LABELS["straight_to_scene"], required=False
    )
    inspected = forms.MultipleChoiceField(
        label=_("Areas inspected"), required=False, widget=forms.CheckboxSelectMultiple
    )
    activities = forms.MultipleChoiceField(
        label=_("Ten ones: activities done"), required=False, widget=forms.CheckboxSelectMultiple
    )
    findings = forms.CharField(
        label=_("Findings"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, inspection_items, activity_items, with_evidence=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.inspection_items = list(inspection_items)
        self.activity_items = list(activity_items)
        self.fields["inspected"].choices = self.inspection_items
        self.fields["activities"].choices = self.activity_items
        self.with_evidence = with_evidence
        if with_evidence:
            hidden = forms.HiddenInput
            self.fields["latitude"] = forms.DecimalField(
                required=False, min_value=-90, max_value=90, widget=hidden
            )
            self.fields["longitude"] = forms.DecimalField(
                required=False, min_value=-180, max_value=180, widget=hidden
            )
            self.fields["accuracy"] = forms.DecimalField(
                required=False, min_value=0, max_value=1_000_000, widget=hidden
            )
            self.fields["photos"] = MultipleFileField(
                label=_("Photos"),
                required=False,
                help_text=_("Up to %(count)d JPEG or PNG photos, %(mb)d MB each.")
                % {"count": photo_rules.MAX_PHOTOS, "mb": photo_rules.MAX_PHOTO_BYTES >> 20},
            )

    def attestation_fields(self):
        return [self[name] for name in ATTESTATION_LABELS]

    def clean_photos(self):
        files = self.cleaned_data.get("photos") or []
        if len(files) > photo_rules.MAX_PHOTOS:
            raise ValidationError(
                _("At most %(count)d photos can be attached to one visit.")
                % {"count": photo_rules.MAX_PHOTOS}
            )
        errors = []
        for upload in files:
            try:
                photo_rules.inspect_photo(upload)
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return files

    def clean(self):
        data = super().clean()
        if self.with_evidence:
            lat, lon = data.get("latitude"), data.get("longitude")
            if (lat is None) != (lon is None):
                data["latitude"] = data["longitude"] = None
        return data

    # --- what the service needs ------------------------------------------------------------

    def attestation(self) -> dict[str, bool]:
        return {name: self.cleaned_data[name] for name in ATTESTATION_LABELS}

    def inspected_snapshot(self) -> list[dict]:
        return snapshot(self.inspection_items, self.cleaned_data["inspected"])

    def activities_snapshot(self) -> list[dict]:
        return snapshot(self.activity_items, self.cleaned_data["activities"])

    def location(self) -> Location | None:
        lat, lon = self.cleaned_data.get("latitude"), self.cleaned_data.get("longitude")
        if lat is None or lon is None:
            return None
        accuracy = self.cleaned_data.get("accuracy")
        return Location(
            latitude=float(lat),
            longitude=float(lon),
            accuracy_m=None if accuracy is None else int(accuracy.to_integral_value()),
        )


class ProblemForm(forms.Form):
    """One problem raised on the spot. A row left empty is ignored."""

    category = forms.ChoiceField(label=_("Category"), required=False)
    description = forms.CharField(
        label=_("Problem"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = {str(c.pk): c for c in categories}
        self.fields["category"].choices = [("", _("— category —"))] + [
            (str(c.pk), c.name) for c in categories
        ]

    def clean(self):
        data = super().clean()
        category, description = data.get("category"), (data.get("description") or "").strip()
        if description and not category:
            self.add_error("category", _("Choose a category for this problem."))
        if category and not description:
            self.add_error("description", _("Describe the problem."))
        return data

    def draft(self) -> ProblemDraft | None:
        description = (self.cleaned_data.get("description") or "").strip()
        category = self.cleaned_data.get("category")
        if not description or not category:
            return None
        return ProblemDraft(category=self.categories[category], description=description)


ProblemFormSet = forms.formset_factory(
    ProblemForm,
    extra=MAX_PROBLEMS_PER_VISIT,
    max_num=MAX_PROBLEMS_PER_VISIT,
    absolute_max=MAX_PROBLEMS_PER_VISIT,
    validate_max=True,
)


def problem_drafts(formset) -> list[ProblemDraft]:
    return [d for d in (form.draft() for form in formset.forms) if d is not None]
