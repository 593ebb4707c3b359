from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from checklists.models import (
    ChecklistItem,
    ChecklistTemplate,
    Problem,
    ProblemCategory,
    Result,
    ResultEvidence,
    Task,
)
from stations.scope import scope_of


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    fields = ["order", "code", "label", "active"]
    extra = 1
    ordering = ["order", "pk"]


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code"]
    inlines = [ChecklistItemInline]

    def has_delete_permission(self, request, obj=None):
        # The visit form and the five-haves audit look templates up by code.
        return False


@admin.register(ChecklistItem)
class ChecklistItemAdmin(SimpleHistoryAdmin):
    """Items are edited inline on their template; this list gives each item's history."""

    list_display = ["label", "template", "code", "order", "active"]
    list_filter = ["template", "active"]
    search_fields = ["label", "code"]
    list_select_related = ["template"]


@admin.register(ProblemCategory)
class ProblemCategoryAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "order", "active"]
    list_editable = ["order", "active"]
    list_filter = ["active"]


@admin.register(Problem)
class ProblemAdmin(SimpleHistoryAdmin):
    list_display = ["station", "category", "status", "raised_by", "deadline", "created_at"]
    list_filter = ["status", "category"]
    search_fields = ["description", "station__name", "station__code"]
    list_select_related = ["station", "category", "raised_by"]
    autocomplete_fields = ["station", "responsible"]
    raw_id_fields = ["source_visit", "raised_by"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return super().get_queryset(request).in_scope(scope_of(request.user))


@admin.register(Task)
class TaskAdmin(SimpleHistoryAdmin):
    """Tasks with their history; the lifecycle itself runs through the problem page."""

    list_display = ["title", "problem", "assignee", "due_date", "progress", "done_on"]
    list_filter = ["done_on"]
    search_fields = ["title", "problem__description", "problem__reference"]
    list_select_related = ["problem__station", "problem__category", "assignee"]
    raw_id_fields = ["problem", "assignee", "done_by", "created_by"]
    date_hierarchy = "due_date"

    def get_queryset(self, request):
        return super().get_queryset(request).in_scope(scope_of(request.user))


class ResultEvidenceInline(admin.TabularInline):
    model = ResultEvidence
    fields = ["original_name", "content_type", "size", "uploaded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Result)
class ResultAdmin(SimpleHistoryAdmin):
    list_display = ["problem", "submitted_by", "submitted_at", "rating", "verified_by"]
    list_filter = ["rating"]
    search_fields = ["what_changed", "problem__description", "problem__reference"]
    list_select_related = ["problem__station", "problem__category", "submitted_by", "verified_by"]
    raw_id_fields = ["problem", "submitted_by", "verified_by"]
    inlines = [ResultEvidenceInline]

    def get_queryset(self, request):
        return super().get_queryset(request).in_scope(scope_of(request.user))


from checklists import admin_support  # noqa: E402, F401  station support, opinions (issue 6)
