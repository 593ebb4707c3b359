"""Deterministic problems, tasks and results for ``manage.py seed_demo``, written after
``liaison.seeding.seed`` (liaison must not import checklists: the command of the scoring app
calls both).

A year of problems at the seeded stations with ``random.Random(seed)``: as many collected
(published) and solved (closed out) per station as Hubei reported (7,229 and 5,821 for its
1,504 stations), plus drafts; some raised during the seeded visits. ``plan_problems`` is
pure (no queries); ``seed_problems`` writes the plan with bulk inserts in batches.

    texts     the words of the problems, tasks and results, by category
    plan      counts, kinds, dates, tasks and results of every problem (pure)
    services  who did what, which visit, the overdue flags; writing it all
"""

from checklists.seeding.plan import (
    HUBEI_COLLECTED,
    HUBEI_SOLVED,
    HUBEI_STATIONS,
    ProblemPlan,
    plan_problems,
    problem_counts,
)
from checklists.seeding.services import seed_problems

__all__ = [
    "HUBEI_COLLECTED",
    "HUBEI_SOLVED",
    "HUBEI_STATIONS",
    "ProblemPlan",
    "plan_problems",
    "problem_counts",
    "seed_problems",
]
