"""Period edges: no database needed."""

import datetime as dt

import pytest

from liaison.periods import next_period, period_containing, required_periods

D = dt.date


@pytest.mark.parametrize(
    ("tier", "day", "expected"),
    [
        # province: calendar month
        ("province", D(2026, 1, 31), (D(2026, 1, 1), D(2026, 1, 31))),
        ("province", D(2026, 12, 31), (D(2026, 12, 1), D(2026, 12, 31))),
        ("province", D(2028, 2, 29), (D(2028, 2, 1), D(2028, 2, 29))),
        ("province", D(2026, 2, 28), (D(2026, 2, 1), D(2026, 2, 28))),
        # city: half month
        ("city", D(2026, 3, 15), (D(2026, 3, 1), D(2026, 3, 15))),
        ("city", D(2026, 3, 16), (D(2026, 3, 16), D(2026, 3, 31))),
        ("city", D(2026, 2, 20), (D(2026, 2, 16), D(2026, 2, 28))),
        ("city", D(2028, 2, 29), (D(2028, 2, 16), D(2028, 2, 29))),
        ("city", D(2026, 4, 30), (D(2026, 4, 16), D(2026, 4, 30))),
        # county: ISO week, Monday to Sunday; week 53 of 2026 crosses into 2027
        ("county", D(2026, 11, 22), (D(2026, 11, 16), D(2026, 11, 22))),
        ("county", D(2026, 11, 23), (D(2026, 11, 23), D(2026, 11, 29))),
        ("county", D(2026, 12, 31), (D(2026, 12, 28), D(2027, 1, 3))),
        ("county", D(2027, 1, 3), (D(2026, 12, 28), D(2027, 1, 3))),
        ("county", D(2027, 1, 4), (D(2027, 1, 4), D(2027, 1, 10))),
    ],
)
def test_period_containing(tier, day, expected):
    assert period_containing(tier, day) == expected


def test_iso_week_53_of_2026_is_one_county_period():
    first, last = period_containing("county", D(2026, 12, 28))
    assert (first, last) == (D(2026, 12, 28), D(2027, 1, 3))
    assert first.isocalendar()[:2] == (2026, 53)


def test_unknown_tier_is_refused():
    with pytest.raises(ValueError):
        period_containing("village", D(2026, 1, 1))


@pytest.mark.parametrize("tier", ["province", "city", "county"])
def test_periods_tile_the_calendar_without_gaps(tier):
    period = period_containing(tier, D(2025, 12, 1))
    while period[0] < D(2029, 1, 1):
        following = next_period(tier, period)
        assert following[0] == period[1] + dt.timedelta(days=1)
        period = following


@pytest.mark.parametrize(
    ("tier", "start", "end", "expected"),
    [
        # starting mid-month: that month is not required
        (
            "province",
            D(2026, 1, 10),
            D(2026, 3, 31),
            [(D(2026, 2, 1), D(2026, 2, 28)), (D(2026, 3, 1), D(2026, 3, 31))],
        ),
        # ending mid-period: that period is not required
        ("province", D(2026, 1, 1), D(2026, 2, 27), [(D(2026, 1, 1), D(2026, 1, 31))]),
        (
            "city",
            D(2026, 2, 16),
            D(2026, 3, 15),
            [(D(2026, 2, 16), D(2026, 2, 28)), (D(2026, 3, 1), D(2026, 3, 15))],
        ),
        ("city", D(2026, 2, 17), D(2026, 3, 14), []),
        (
            "county",
            D(2026, 12, 27),
            D(2027, 1, 10),
            [(D(2026, 12, 28), D(2027, 1, 3)), (D(2027, 1, 4), D(2027, 1, 10))],
        ),
        ("county", D(2026, 11, 24), D(2026, 11, 29), []),  # Tuesday start: week not whole
        ("county", D(2026, 11, 23), D(2026, 11, 29), [(D(2026, 11, 23), D(2026, 11, 29))]),
        ("province", D(2026, 5, 1), D(2026, 4, 1), []),  # end before start
    ],
)
def test_required_periods_lie_wholly_inside_the_active_span(tier, start, end, expected):
    assert required_periods(tier, start, end) == expected


def test_a_visit_at_2330_local_time_belongs_to_that_local_day():
    from zoneinfo import ZoneInfo

    shanghai = ZoneInfo("Asia/Shanghai")
    visited_at = dt.datetime(2026, 11, 22, 23, 30, tzinfo=shanghai)  # Sunday night
    utc = visited_at.astimezone(dt.UTC)
    assert utc.date() == D(2026, 11, 22)
    local_day = utc.astimezone(shanghai).date()
    assert period_containing("county", local_day) == (D(2026, 11, 16), D(2026, 11, 22))
    # 00:30 on Monday local time is still Sunday in UTC, but belongs to the next week.
    early = dt.datetime(2026, 11, 23, 0, 30, tzinfo=shanghai).astimezone(dt.UTC)
    assert early.date() == D(2026, 11, 22)
    assert period_containing("county", early.astimezone(shanghai).date())[0] == D(2026, 11, 23)
