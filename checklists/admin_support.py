"""Admin of station support, opinions and residencies: skills are reference data edited
here; officers' skills can be edited here too; requests, covers, opinions and residencies are
read views (the lifecycle runs through the pages and their services), scoped like every list."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from checklists.models import (
    Opinion,
    Residency,
    Skill,
    SupportCover,
    SupportOfficer,
    SupportRequest,
)
from stations.admin import ScopedAdminMixin


class ReadOnlyAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Skill)
class SkillAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "order", "active"]
    list_editable = ["order", "active"]
    list_filter = ["active"]
    search_fields = ["name", "code"]


@admin.register(SupportOfficer)
class SupportOfficerAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["user", "active"]
    list_filter = ["active", "skills"]
    search_fields = ["user__username", "user__last_name", "user__first_name"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    filter_horizontal = ["skills"]


class SupportCoverInline(admin.TabularInline):
    model = SupportCover
    fields = ["officer", "assigned_by", "assigned_at", "hours", "incidents", "recorded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SupportRequest)
class SupportRequestAdmin(ReadOnlyAdmin):
    list_display = ["station", "kind", "start_date", "end_date", "officers_needed", "status"]
    list_filter = ["status", "kind"]
    search_fields = ["station__name", "station__code", "note"]
    list_select_related = ["station"]
    date_hierarchy = "start_date"
    inlines = [SupportCoverInline]


@admin.register(Opinion)
class OpinionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "station", "category", "anonymous", "status", "submitted_at"]
    list_filter = ["status", "anonymous", "category"]
    search_fields = ["text", "station__name"]
    list_select_related = ["station", "category"]


@admin.register(Residency)
class ResidencyAdmin(ReadOnlyAdmin):
    list_display = ["leader", "station", "start_date", "end_date"]
    search_fields = ["station__name", "leader__last_name"]
    list_select_related = ["leader", "station"]
