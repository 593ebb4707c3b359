"""The evaluation form: every active dimension of the direction as a required 1–5 choice
(radio buttons), and an optional comment."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from scoring.evaluations.models import COMMENT_MAX_LENGTH, MAX_SCORE, MIN_SCORE

SCORE_LABELS = {
    1: pgettext_lazy("evaluation score", "Poor"),
    2: pgettext_lazy("evaluation score", "Below par"),
    3: pgettext_lazy("evaluation score", "Fair"),
    4: pgettext_lazy("evaluation score", "Good"),
    5: pgettext_lazy("evaluation score", "Excellent"),
}
FIELD_PREFIX = "dimension_"


class EvaluationForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Comment (optional)"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, dimensions, **kwargs):
        super().__init__(*args, **kwargs)
        self.dimensions = list(dimensions)
        self.fields["comment"].error_messages["max_length"] = _(
            "The comment may have at most %(count)d characters."
        ) % {"count": COMMENT_MAX_LENGTH}
        scores = [(score, f"{score}") for score in range(MIN_SCORE, MAX_SCORE + 1)]
        fields = {}
        for dimension in self.dimensions:
            missing = _("Choose a score from 1 to 5 for “%(item)s”.") % {"item": dimension.name}
            fields[f"{FIELD_PREFIX}{dimension.pk}"] = forms.TypedChoiceField(
                label=dimension.name,
                help_text=dimension.description,
                choices=scores,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": missing,
                    # Django fills in %(value)s here: keep any % of the name literal.
                    "invalid_choice": missing.replace("%", "%%"),
                },
            )
        # The scores first, in the dimensions' order, then the comment.
        self.fields = {**fields, "comment": self.fields["comment"]}

    def score_fields(self):
        return [self[name] for name in self.fields if name.startswith(FIELD_PREFIX)]

    def scores(self) -> dict[int, int]:
        """Dimension id → score, once the form is valid."""
        return {
            int(name.removeprefix(FIELD_PREFIX)): value
            for name, value in self.cleaned_data.items()
            if name.startswith(FIELD_PREFIX)
        }
