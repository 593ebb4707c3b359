"""Pure rules of the three lists: working days and the escalation of overdue problems,
reverse scheduling (倒排工期) and on-time close-out.

Plain values in and out; no queries, no settings, no clock (the caller passes ``today``).
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

# One working-day calendar for every app (liaison.workdays); re-exported for the rules here.
from liaison.workdays import is_working_day


def escalation_day(since: dt.date, working_days: int) -> dt.date:
    """The day on which a problem overdue since ``since`` has ``working_days`` working days
    strictly after ``since`` behind it (the day it is escalated)."""
    day, count = since, 0
    while count < working_days:
        day += dt.timedelta(days=1)
        count += is_working_day(day)
    return day


def escalation_cutoff(today: dt.date, working_days: int) -> dt.date:
    """The latest ``overdue_since`` that is due for escalation on ``today``: a problem is
    escalated when ``overdue_since <= cutoff`` (one indexed comparison instead of counting
    working days per row)."""
    day, count = today, 0
    while count < working_days:
        count += is_working_day(day)
        day -= dt.timedelta(days=1)
    return day


def plan_backwards(*, deadline: dt.date, today: dt.date, steps: int) -> list[dt.date]:
    """Milestone due dates worked back from the deadline (倒排工期), for ``steps`` tasks.

    The last milestone is the deadline itself. The others are spread evenly between today
    and the deadline, each moved back to the previous working day (never to today or
    before: the first working day after today is the earliest milestone); two milestones
    never share a day while there are enough working days. With fewer working days than
    steps, days repeat: each of the available days carries about the same number of
    milestones, the deadline the last of them. Dates never decrease.
    """
    if steps < 1:
        raise ValueError("steps must be at least 1")
    if deadline < today:
        raise ValueError("the deadline lies before today")
    span = (deadline - today).days
    workdays = [
        today + dt.timedelta(days=offset)
        for offset in range(1, span)
        if is_working_day(today + dt.timedelta(days=offset))
    ]
    days = [*workdays, deadline]
    n = len(days)
    if n <= steps:
        # Step k (1-based) takes day ⌈k·n/steps⌉: every day is used, none skipped.
        return [days[-(-k * n // steps) - 1] for k in range(1, steps + 1)]
    chosen: list[int] = []
    previous = -1
    for k in range(1, steps):
        ideal = today + dt.timedelta(days=span * k // steps)
        candidate = max((i for i, day in enumerate(workdays) if day <= ideal), default=0)
        # Distinct and increasing, leaving a day for each milestone still to place.
        index = min(max(candidate, previous + 1), n - 1 - (steps - k))
        chosen.append(index)
        previous = index
    return [days[i] for i in chosen] + [deadline]


def is_on_time(closed_on: dt.date | None, deadline: dt.date | None) -> bool:
    """Closed out on or before the deadline. An open problem (no close-out day) or one
    without a deadline is not on time."""
    if closed_on is None or deadline is None:
        return False
    return closed_on <= deadline


# Why a problem cannot be closed out (动态销号), most basic first.
OPEN_TASKS = "open_tasks"
NO_RESULT = "no_result"
UNVERIFIED = "unverified"
POOR = "poor"
OWN_RESULT = "own_result"
GOOD_RATINGS = ("excellent", "good")


@dataclass(frozen=True)
class ResultFacts:
    submitted_by_id: int
    rating: str
    verified: bool


def close_out_blocker(
    *, open_tasks: int, results: Iterable[ResultFacts], closer_id: int
) -> str | None:
    """None when every task is done and a result the closer did not submit is verified
    excellent or good; otherwise the first reason why not."""
    if open_tasks:
        return OPEN_TASKS
    results = list(results)
    good = [r for r in results if r.verified and r.rating in GOOD_RATINGS]
    if any(r.submitted_by_id != closer_id for r in good):
        return None
    if good:
        return OWN_RESULT
    if any(not r.verified for r in results):
        return UNVERIFIED
    if results:
        return POOR
    return NO_RESULT


def problem_reference(province: str, year: int, number: int) -> str:
    """A published problem's number (问题编号): the province's division code, the year of
    publication and a six-digit number (the problem's id; the demo data counts per province
    and year), e.g. "420000-2026-000042"."""
    return f"{province}-{year}-{number:06d}"
