"""Reverse scheduling (倒排工期), on-time close-out and the close-out conditions: no database."""

import datetime as dt

import pytest

from checklists import rules
from checklists.rules import ResultFacts, close_out_blocker, is_on_time, plan_backwards

D = dt.date
NATIONAL_DAY = {D(2026, 10, day) for day in range(1, 8)}


@pytest.mark.parametrize(
    ("today", "deadline", "steps", "expected"),
    [
        # National Day week (1–7 October 2026) is skipped; Saturday 10 October is a 调休
        # working day and may carry a milestone.
        (D(2026, 9, 28), D(2026, 10, 16), 3, [D(2026, 9, 30), D(2026, 10, 10), D(2026, 10, 16)]),
        # Both ideal milestones fall in the holiday: the first moves back to 30 September,
        # the second to the next free working day instead of sharing it.
        (D(2026, 9, 28), D(2026, 10, 9), 3, [D(2026, 9, 30), D(2026, 10, 8), D(2026, 10, 9)]),
        # Fewer working days than steps: the days repeat, the deadline last.
        (D(2026, 9, 30), D(2026, 10, 9), 3, [D(2026, 10, 8), D(2026, 10, 9), D(2026, 10, 9)]),
        # Today is the deadline: every milestone is today.
        (D(2026, 11, 18), D(2026, 11, 18), 3, [D(2026, 11, 18)] * 3),
        # One step: the deadline itself.
        (D(2026, 11, 18), D(2026, 11, 30), 1, [D(2026, 11, 30)]),
        # An ordinary month: every 1/4 of the way, moved back off the weekend.
        (
            D(2026, 11, 18),
            D(2026, 12, 31),
            4,
            [D(2026, 11, 27), D(2026, 12, 9), D(2026, 12, 18), D(2026, 12, 31)],
        ),
    ],
)
def test_milestones_are_worked_back_from_the_deadline(today, deadline, steps, expected):
    assert plan_backwards(deadline=deadline, today=today, steps=steps) == expected


@pytest.mark.parametrize(
    ("today", "deadline", "steps"),
    [
        (D(2026, 9, 25), D(2026, 10, 20), 5),
        (D(2026, 9, 28), D(2026, 10, 16), 6),
        (D(2026, 1, 5), D(2026, 3, 31), 12),  # Spring Festival and its 调休 Saturdays
        (D(2026, 12, 20), D(2027, 1, 29), 4),  # a year the holiday calendar does not know yet
    ],
)
def test_milestones_are_working_days_in_order_and_distinct(today, deadline, steps):
    dates = plan_backwards(deadline=deadline, today=today, steps=steps)
    assert len(dates) == steps and dates[-1] == deadline
    assert dates == sorted(dates) and len(set(dates)) == steps
    assert all(today < day <= deadline for day in dates)
    assert all(rules.is_working_day(day) for day in dates[:-1])
    assert not NATIONAL_DAY & set(dates)


def test_a_saturday_adjusted_workday_counts_and_a_holiday_weekday_does_not():
    assert rules.is_working_day(D(2026, 10, 10))  # Saturday, 调休
    assert not rules.is_working_day(D(2026, 10, 5))  # Monday, National Day
    assert rules.is_working_day(D(2027, 3, 1)) and not rules.is_working_day(D(2027, 3, 6))


@pytest.mark.parametrize(
    ("deadline", "steps"), [(D(2026, 11, 17), 2), (D(2026, 11, 30), 0), (D(2026, 11, 30), -1)]
)
def test_a_past_deadline_or_no_step_cannot_be_planned(deadline, steps):
    with pytest.raises(ValueError):
        plan_backwards(deadline=deadline, today=D(2026, 11, 18), steps=steps)


@pytest.mark.parametrize(
    ("closed_on", "deadline", "expected"),
    [
        (D(2026, 11, 30), D(2026, 11, 30), True),
        (D(2026, 11, 1), D(2026, 11, 30), True),
        (D(2026, 12, 1), D(2026, 11, 30), False),
        (None, D(2026, 11, 30), False),
        (D(2026, 11, 1), None, False),
    ],
)
def test_on_time_means_closed_out_by_the_deadline(closed_on, deadline, expected):
    assert is_on_time(closed_on, deadline) is expected


ME, OTHER = 1, 2


@pytest.mark.parametrize(
    ("open_tasks", "results", "expected"),
    [
        (0, [ResultFacts(OTHER, "good", True)], None),
        (0, [ResultFacts(OTHER, "excellent", True)], None),
        (1, [ResultFacts(OTHER, "excellent", True)], rules.OPEN_TASKS),
        (0, [], rules.NO_RESULT),
        (0, [ResultFacts(OTHER, "", False)], rules.UNVERIFIED),
        (0, [ResultFacts(OTHER, "poor", True)], rules.POOR),
        (0, [ResultFacts(ME, "good", True)], rules.OWN_RESULT),
        (0, [ResultFacts(ME, "good", True), ResultFacts(OTHER, "good", True)], None),
        (0, [ResultFacts(OTHER, "poor", True), ResultFacts(OTHER, "good", True)], None),
    ],
)
def test_close_out_needs_done_tasks_and_a_good_result_someone_else_submitted(
    open_tasks, results, expected
):
    assert close_out_blocker(open_tasks=open_tasks, results=results, closer_id=ME) == expected
