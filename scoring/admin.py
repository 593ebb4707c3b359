from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from scoring import rules
from scoring.models import (
    Evaluation,
    EvaluationDimension,
    EvaluationScore,
    PointEntry,
    PointRule,
)


def _version(rule) -> rules.RuleVersion:
    return rules.RuleVersion(
        code=rule.code,
        points=rule.points,
        effective_from=rule.effective_from,
        effective_to=rule.effective_to,
        cap=rule.cap,
    )


class PointRuleForm(forms.ModelForm):
    """A rule version may not overlap another version of the same rule: on every day at
    most one version says what a fact earns."""

    class Meta:
        model = PointRule
        fields = ["code", "description", "points", "cap", "effective_from", "effective_to"]

    def clean(self):
        data = super().clean()
        code, start = data.get("code"), data.get("effective_from")
        end = data.get("effective_to")
        if not code or not start or (end is not None and end < start):
            return data
        candidate = rules.RuleVersion(
            code=code, points=data.get("points") or 0, effective_from=start, effective_to=end
        )
        others = PointRule.objects.filter(code=code).exclude(pk=self.instance.pk)
        clash = rules.first_overlap(candidate, [_version(rule) for rule in others])
        if clash is None:
            return data
        if clash.effective_to is None:
            message = _(
                "The dates overlap the version of this rule in effect from %(start)s with no "
                "end date: give that version an end date first."
            ) % {"start": f"{clash.effective_from:%Y-%m-%d}"}
        else:
            message = _(
                "The dates overlap the version of this rule in effect from %(start)s to "
                "%(end)s: choose dates outside that range."
            ) % {
                "start": f"{clash.effective_from:%Y-%m-%d}",
                "end": f"{clash.effective_to:%Y-%m-%d}",
            }
        raise ValidationError(message, code="overlap")


@admin.register(PointRule)
class PointRuleAdmin(SimpleHistoryAdmin):
    """Administrators change points by ending a version and adding one with a later start;
    the nightly recompute then corrects the entries of facts on the changed days (late
    corrections land in the current month when a month is frozen)."""

    form = PointRuleForm
    list_display = ["code", "description", "points", "cap", "effective_from", "effective_to"]
    list_filter = ["code"]
    search_fields = ["description"]
    ordering = ["code", "effective_from"]


@admin.register(PointEntry)
class PointEntryAdmin(admin.ModelAdmin):
    """The ledger is append-only and derived: read it here, never edit it. Corrections are
    reversing entries written by the recompute."""

    list_display = [
        "fact_day",
        "cadre",
        "code",
        "points",
        "booked_month",
        "source_kind",
        "source_id",
        "seq",
        "reversed",
        "reverses_entry",
    ]
    list_filter = ["code", "booked_month", "reversed", "source_kind"]
    search_fields = ["cadre__user__last_name", "cadre__user__first_name", "cadre__user__username"]
    list_select_related = ["cadre__user"]
    date_hierarchy = "fact_day"
    readonly_fields = [field.name for field in PointEntry._meta.fields]
    show_full_result_count = False

    @admin.display(description=gettext_lazy("reverses"))
    def reverses_entry(self, entry):
        return entry.reverses_id or "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EvaluationDimension)
class EvaluationDimensionAdmin(SimpleHistoryAdmin):
    """The items of the two-way evaluation (评议项目). A new item appears on the forms at once;
    an item no longer wanted is made inactive (its past scores stay and keep their name)."""

    list_display = ["name", "direction", "position", "active", "description"]
    list_editable = ["position", "active"]
    list_filter = ["direction", "active"]
    ordering = ["direction", "position", "pk"]


class EvaluationScoreInline(admin.TabularInline):
    model = EvaluationScore
    fields = ["dimension", "score"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    """Submitted evaluations are final: read them here, never edit them. Only administrators
    see single ratings and their raters; everyone else sees the anonymous aggregate."""

    list_display = ["quarter", "direction", "station", "cadre", "rater", "submitted_at"]
    list_filter = ["direction", "quarter"]
    search_fields = [
        "assignment__station__name",
        "assignment__cadre__user__last_name",
        "assignment__cadre__user__first_name",
    ]
    list_select_related = ["assignment__station", "assignment__cadre__user", "rater"]
    readonly_fields = [field.name for field in Evaluation._meta.fields]
    inlines = [EvaluationScoreInline]
    show_full_result_count = False

    @admin.display(description=gettext_lazy("police station"))
    def station(self, evaluation):
        return evaluation.assignment.station

    @admin.display(description=gettext_lazy("cadre"))
    def cadre(self, evaluation):
        return evaluation.assignment.cadre

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
