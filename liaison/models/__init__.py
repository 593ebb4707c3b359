from liaison.models.people import Assignment, Cadre, Role, User
from liaison.models.visits import PeriodEvent, PeriodRecord, PeriodStatus, Visit, VisitPhoto

__all__ = [
    "Assignment",
    "Cadre",
    "PeriodEvent",
    "PeriodRecord",
    "PeriodStatus",
    "Role",
    "User",
    "Visit",
    "VisitPhoto",
]
