"""Write services of the checklists app, one module per sub-domain:

- ``visits``: logging a visit with the problems raised on the spot and its photos;
- ``lists``: the lifecycle of problems, tasks and results (publish … close out, reopen);
- ``overdue``: the daily overdue sweep, reminders and escalation;
- ``excel``: import of a circulated problem list.
"""

from checklists.services.visits import (
    MAX_PROBLEMS_PER_VISIT,
    ProblemDraft,
    log_visit_with_problems,
)

__all__ = ["MAX_PROBLEMS_PER_VISIT", "ProblemDraft", "log_visit_with_problems"]
