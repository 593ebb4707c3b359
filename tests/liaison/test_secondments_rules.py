"""The pure rules of secondments and the one working-day calendar (no database)."""

import datetime as dt

import pytest

from liaison import workdays
from liaison.secondments import rules
from liaison.secondments.rules import Standing

D = dt.date


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (0, Standing.NORMAL),
        (9, Standing.NORMAL),
        (10, Standing.WARNING),
        (12, Standing.WARNING),
        (13, Standing.SERIOUS),
        (15, Standing.SERIOUS),  # 15 is still recognised: only *more than* 15 is not
        (16, Standing.NOT_RECOGNISED),
        (40, Standing.NOT_RECOGNISED),
    ],
)
def test_the_standing_follows_the_absent_working_days(days, expected):
    assert rules.standing(days) is expected


@pytest.mark.parametrize("value", list(Standing))
def test_each_standings_range_gives_back_that_standing_at_both_ends(value):
    low, high = rules.standing_range(value)
    assert rules.standing(low) is value
    assert rules.standing(high if high is not None else 999) is value
    assert low == 0 or rules.standing(low - 1) is not value


def test_days_left_before_it_is_not_recognised():
    assert rules.days_left(0) == 15
    assert rules.days_left(11) == 4
    assert rules.days_left(15) == 0
    assert rules.days_left(20) == 0


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (D(2026, 3, 1), D(2027, 2, 28)),
        (D(2027, 3, 1), D(2028, 2, 29)),  # 2028 is a leap year
        (D(2026, 1, 1), D(2026, 12, 31)),
        (D(2024, 2, 29), D(2025, 2, 28)),
        (D(2026, 12, 15), D(2027, 12, 14)),
    ],
)
def test_a_secondment_lasts_one_year_by_default(start, end):
    assert rules.default_end(start) == end


def test_the_assessment_opens_in_the_last_month():
    assert rules.assessment_opens(D(2027, 2, 28)) == D(2027, 1, 29)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((D(2026, 5, 1), D(2026, 5, 3)), (D(2026, 5, 3), D(2026, 5, 4)), True),  # shares a day
        ((D(2026, 5, 1), D(2026, 5, 3)), (D(2026, 5, 4), D(2026, 5, 6)), False),  # next day
        ((D(2026, 5, 1), D(2026, 5, 9)), (D(2026, 5, 3), D(2026, 5, 4)), True),  # inside
    ],
)
def test_date_ranges_overlap_when_they_share_a_day(a, b, expected):
    assert rules.overlaps(*a, *b) is expected
    assert rules.overlaps(*b, *a) is expected


def test_national_day_and_its_adjusted_saturday_count_as_the_state_council_says():
    # 2026-09-28 (Mon) to 2026-10-12 (Mon): 1–7 October are holidays, Saturday 10 October is
    # an adjusted working day. 7 working days, where Monday–Friday would give 11.
    assert workdays.working_days(D(2026, 9, 28), D(2026, 10, 12)) == 7
    assert workdays.is_working_day(D(2026, 10, 10))
    assert not workdays.is_working_day(D(2026, 10, 5))


def test_working_days_of_an_empty_range_is_zero():
    assert workdays.working_days(D(2026, 10, 2), D(2026, 10, 1)) == 0
    assert workdays.working_days(D(2026, 10, 3), D(2026, 10, 4)) == 0  # a holiday weekend


def test_a_year_the_calendar_does_not_know_falls_back_to_monday_to_friday():
    assert workdays.working_days(D(2099, 3, 2), D(2099, 3, 8)) == 5


def test_the_three_lists_use_the_same_calendar():
    from checklists import rules as list_rules

    assert list_rules.is_working_day is workdays.is_working_day
