from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from liaison.models import Assignment, Cadre, User
from liaison.rules import allowed_cadre_tiers, in_jurisdiction
from liaison.services import check_can_cover
from stations.admin import ScopedAdminMixin
from stations.querysets import subtree_q
from stations.scope import scope_of


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "get_full_name", "role", "bureau", "station", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["username", "last_name", "first_name"]
    autocomplete_fields = ["bureau", "station"]
    list_select_related = ["bureau", "station"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Role and unit"), {"fields": ("role", "bureau", "station", "phone")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Role and unit"), {"fields": ("role", "bureau", "station")}),
    )

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        scope = scope_of(request.user)
        if scope.everything:
            return qs
        if scope.bureau_path is not None:
            return qs.filter(
                subtree_q(scope, "bureau__path") | subtree_q(scope, "station__bureau__path")
            )
        return qs.none()


class CadreAdminForm(forms.ModelForm):
    """A cadre who covers a station keeps a tier, a home bureau covering it, and stays active:
    those change only after the assignment ends."""

    class Meta:
        model = Cadre
        fields = ["user", "bureau", "tier", "position", "phone", "active"]

    def clean(self):
        data = super().clean()
        bureau, tier = data.get("bureau"), data.get("tier")
        if bureau and tier:
            allowed = allowed_cadre_tiers(
                bureau_tier=bureau.tier, directly_administered=bureau.directly_administered
            )
            if tier not in allowed:
                raise ValidationError(_("A cadre's tier must match the home bureau's tier."))
        if self.instance.pk is not None and {"active", "tier", "bureau"} & set(self.changed_data):
            self._check_active_assignment(data)
        return data

    def _check_active_assignment(self, data) -> None:
        assignment = (
            Assignment.objects.active()
            .filter(cadre=self.instance)
            .select_related("station__bureau")
            .first()
        )
        if assignment is None:
            return
        if "active" in self.changed_data and data.get("active") is False:
            self.add_error(
                "active",
                _("This cadre covers a station: end this cadre's assignment before deactivating."),
            )
        if "tier" in self.changed_data and data.get("tier"):
            # The tier sets the visit periods of the running assignment and its split count.
            self.add_error(
                "tier",
                _(
                    "A cadre's tier cannot change while they cover a station; end the assignment "
                    "first."
                ),
            )
        bureau, station = data.get("bureau"), assignment.station
        if (
            "bureau" in self.changed_data
            and bureau is not None
            and not in_jurisdiction(
                cadre_bureau_path=bureau.path, station_bureau_path=station.bureau.path
            )
        ):
            self.add_error(
                "bureau",
                _(
                    "The new home bureau may not cover %(station)s, the station this cadre "
                    "covers; end the assignment first."
                )
                % {"station": station.name},
            )


class AssignmentAdminForm(forms.ModelForm):
    """The admin obeys the same jurisdiction rule as the assignment pages."""

    class Meta:
        model = Assignment
        fields = ["cadre", "station", "start_date", "end_date", "created_by"]

    def clean(self):
        data = super().clean()
        if data.get("cadre") and data.get("station"):
            check_can_cover(cadre=data["cadre"], station=data["station"])
        return data


@admin.register(Cadre)
class CadreAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    form = CadreAdminForm
    list_display = ["user", "tier", "bureau", "position", "active"]
    list_filter = ["tier", "active"]
    search_fields = ["user__last_name", "user__first_name", "user__username"]
    autocomplete_fields = ["user", "bureau"]
    list_select_related = ["user", "bureau"]


@admin.register(Assignment)
class AssignmentAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    form = AssignmentAdminForm
    list_display = ["station", "cadre", "start_date", "end_date"]
    list_filter = ["end_date"]
    search_fields = ["station__name", "station__code", "cadre__user__last_name"]
    autocomplete_fields = ["cadre", "station"]
    list_select_related = ["station", "cadre__user"]
    date_hierarchy = "start_date"


# Secondments 挂职 (issue 6): read-only for reference. Every write goes through the pages and
# their services, which count working days and keep the absent total and the rules.
from liaison.models import Absence, Secondment, SpotCheck  # noqa: E402


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AbsenceInline(_ReadOnlyInline):
    model = Absence
    fields = ["start_date", "end_date", "kind", "working_days", "note", "recorded_by"]


class SpotCheckInline(_ReadOnlyInline):
    model = SpotCheck
    fields = ["checked_on", "present", "findings", "checked_by"]


@admin.register(Secondment)
class SecondmentAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "officer_name",
        "police_number",
        "station",
        "year",
        "start_date",
        "end_date",
        "absent_days",
    ]
    list_filter = ["year"]
    search_fields = ["officer_name", "police_number", "station__name", "station__code"]
    list_select_related = ["station", "home_bureau"]
    inlines = [AbsenceInline, SpotCheckInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
