from liaison.models.people import Assignment, Cadre, Role, User
from liaison.models.secondments import (
    Absence,
    AbsenceKind,
    Secondment,
    SecondmentAssessment,
    SecondmentGrade,
    SpotCheck,
)
from liaison.models.visits import PeriodEvent, PeriodRecord, PeriodStatus, Visit, VisitPhoto

__all__ = [
    "Absence",
    "AbsenceKind",
    "Assignment",
    "Cadre",
    "PeriodEvent",
    "PeriodRecord",
    "PeriodStatus",
    "Role",
    "Secondment",
    "SecondmentAssessment",
    "SecondmentGrade",
    "SpotCheck",
    "User",
    "Visit",
    "VisitPhoto",
]
