"""Models of the checklists app: checklist templates and the three lists (问题、任务、效果)."""

from checklists.models.problems import (
    ListEvent,
    ListReminderLog,
    Problem,
    ProblemStatus,
    Rating,
    Result,
    ResultEvidence,
    Task,
)
from checklists.models.standards import AuditPhoto, AuditResult, StationAudit
from checklists.models.templates import (
    ChecklistItem,
    ChecklistTemplate,
    ProblemCategory,
    TemplateCode,
)

__all__ = [
    "AuditPhoto",
    "AuditResult",
    "ChecklistItem",
    "ChecklistTemplate",
    "ListEvent",
    "ListReminderLog",
    "Problem",
    "ProblemCategory",
    "ProblemStatus",
    "Rating",
    "Result",
    "ResultEvidence",
    "StationAudit",
    "Task",
    "TemplateCode",
]
