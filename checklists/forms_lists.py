"""Forms of the problem page: each carries the ``version`` it was shown at, so a change
made by someone else in the meantime is detected (checklists.services.lists.StaleState).

People and stations are passed in as lists (one query in the view), never as querysets:
a select rendered five times must not cost five queries.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from checklists import evidence
from checklists.forms import MultipleFileField, MultipleFileInput
from checklists.models import Rating
from checklists.services import lists as services

TASK_ROWS = 5


def _person_label(user) -> str:
    unit = user.station or user.bureau
    return f"{user} · {unit}" if unit else str(user)


class VersionField(forms.IntegerField):
    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault(
            "error_messages", {"required": _("The form is incomplete: reload the page.")}
        )
        super().__init__(**kwargs)


class VersionForm(forms.Form):
    """Marking a task done, closing out: nothing to fill in but the version."""

    version = VersionField()


class _PeopleMixin:
    """A choice of people (责任人、任务承办人) that cleans to the User."""

    def set_people(self, field: str, people, empty_label) -> None:
        self._people = {str(p.pk): p for p in people}
        self.fields[field].choices = [("", empty_label)] + [
            (str(p.pk), _person_label(p)) for p in people
        ]

    def person(self, value):
        return self._people.get(value) if value else None


class RaiseProblemForm(forms.Form):
    station = forms.ChoiceField(
        label=_("Police station"), error_messages={"required": _("Choose a police station.")}
    )
    category = forms.ChoiceField(
        label=_("Category"), error_messages={"required": _("Choose a category for this problem.")}
    )
    description = forms.CharField(
        label=_("Problem"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Describe the problem.")},
    )

    def __init__(self, *args, stations, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.stations = {str(s.pk): s for s in stations}
        self.categories = {str(c.pk): c for c in categories}
        self.fields["station"].choices = [("", _("— police station —"))] + [
            (str(s.pk), f"{s.name} · {s.bureau.name}") for s in stations
        ]
        self.fields["category"].choices = [("", _("— category —"))] + [
            (str(c.pk), c.name) for c in categories
        ]

    def clean_station(self):
        return self.stations[self.cleaned_data["station"]]

    def clean_category(self):
        return self.categories[self.cleaned_data["category"]]


class OwnerForm(_PeopleMixin, forms.Form):
    """Responsible person and deadline: to publish a draft, or to change them later."""

    responsible = forms.ChoiceField(
        label=_("Responsible person"),
        error_messages={"required": _("Name the responsible person.")},
    )
    deadline = forms.DateField(
        label=_("Deadline"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter the deadline."),
            "invalid": _("Enter a valid date, e.g. 2026-11-01."),
        },
    )
    version = VersionField()

    def __init__(self, *args, people, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_people("responsible", people, _("— responsible person —"))
        self.fields["deadline"].widget.attrs["min"] = today.isoformat()

    def clean_responsible(self):
        return self.person(self.cleaned_data["responsible"])


class TaskRowForm(_PeopleMixin, forms.Form):
    """One task of the add-tasks form; a row without a title is ignored."""

    title = forms.CharField(label=_("Task"), required=False, max_length=200)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    due_date = forms.DateField(
        label=_("Due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a valid date, e.g. 2026-11-01.")},
    )

    def __init__(self, *args, people, today, deadline, default_assignee=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_people("assignee", people, _("— assignee —"))
        self.fields["assignee"].initial = default_assignee
        attrs = self.fields["due_date"].widget.attrs
        attrs["min"] = today.isoformat()
        if deadline is not None:
            attrs["max"] = deadline.isoformat()

    def clean(self):
        data = super().clean()
        if not (data.get("title") or "").strip():
            return data
        if not data.get("assignee"):
            self.add_error("assignee", _("Choose who carries out this task."))
        if not data.get("due_date") and "due_date" not in self.errors:
            self.add_error("due_date", _("Enter the task's due date."))
        return data

    def draft(self) -> services.TaskDraft | None:
        title = (self.cleaned_data.get("title") or "").strip()
        if not title:
            return None
        return services.TaskDraft(
            title=title,
            assignee=self.person(self.cleaned_data["assignee"]),
            due_date=self.cleaned_data["due_date"],
        )


TaskFormSet = forms.formset_factory(
    TaskRowForm, extra=TASK_ROWS, max_num=TASK_ROWS, absolute_max=TASK_ROWS, validate_max=True
)


def task_drafts(formset) -> list[services.TaskDraft]:
    return [d for d in (form.draft() for form in formset.forms) if d is not None]


class ProgressForm(forms.Form):
    progress = forms.IntegerField(
        label=_("Progress (%)"),
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"step": 5}),
        error_messages={
            "required": _("Enter the progress as a percentage."),
            "invalid": _("Progress is a percentage from 0 to 100."),
            "min_value": _("Progress is a percentage from 0 to 100."),
            "max_value": _("Progress is a percentage from 0 to 100."),
        },
    )
    note = forms.CharField(
        label=_("Progress note"),
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"placeholder": _("Progress note")}),
    )
    version = VersionField()


class ResultForm(forms.Form):
    what_changed = forms.CharField(
        label=pgettext_lazy("result", "What changed"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Describe what changed.")},
    )
    files = MultipleFileField(
        label=_("Evidence"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Formatted per request: at import time it would freeze one language for everyone.
        self.fields["files"].help_text = _(
            "Up to %(count)d JPEG or PNG photos or PDF documents, %(mb)d MB each."
        ) % {"count": evidence.MAX_EVIDENCE_FILES, "mb": evidence.MAX_EVIDENCE_BYTES >> 20}

    def clean_files(self):
        files = self.cleaned_data.get("files") or []
        if len(files) > evidence.MAX_EVIDENCE_FILES:
            raise ValidationError(
                _("At most %(count)d files can be attached to one result.")
                % {"count": evidence.MAX_EVIDENCE_FILES}
            )
        errors = []
        for upload in files:
            try:
                evidence.inspect_evidence(upload)
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return files


class VerifyForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("Rating"),
        choices=Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a rating.")},
    )
    note = forms.CharField(label=_("Verification note"), required=False, max_length=2000)
    version = VersionField()


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for reopening"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason for reopening.")},
    )
    version = VersionField()
