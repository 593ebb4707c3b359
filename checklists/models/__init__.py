"""Models of the checklists app: checklist templates and the three lists (问题、任务、效果)."""

from checklists.models.opinions import Opinion, OpinionStatus
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
from checklists.models.residency import Residency, ResidencyLog
from checklists.models.standards import AuditPhoto, AuditResult, StationAudit
from checklists.models.support import (
    Skill,
    SupportCover,
    SupportKind,
    SupportOfficer,
    SupportRequest,
    SupportStatus,
)
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
    "Opinion",
    "OpinionStatus",
    "Problem",
    "ProblemCategory",
    "ProblemStatus",
    "Rating",
    "Residency",
    "ResidencyLog",
    "Result",
    "ResultEvidence",
    "Skill",
    "StationAudit",
    "SupportCover",
    "SupportKind",
    "SupportOfficer",
    "SupportRequest",
    "SupportStatus",
    "Task",
    "TemplateCode",
]
