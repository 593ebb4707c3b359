"""Visit periods: pure date arithmetic, no queries, no clock (the caller passes dates).

Province cadres must visit once per calendar month, city cadres once per half month (days
1–15 and 16–end), county cadres once per ISO week (Monday to Sunday). Periods are in the
Asia/Shanghai calendar: callers convert timestamps with ``localdate()`` first.
"""

import calendar
import datetime as dt
import re

Period = tuple[dt.date, dt.date]  # first and last day, inclusive

TIERS = ("province", "city", "county")


def _month(day: dt.date) -> Period:
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


def _half_month(day: dt.date) -> Period:
    if day.day <= 15:
        return day.replace(day=1), day.replace(day=15)
    return day.replace(day=16), _month(day)[1]


def _iso_week(day: dt.date) -> Period:
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


_PERIOD_OF = {"province": _month, "city": _half_month, "county": _iso_week}


def period_containing(tier: str, day: dt.date) -> Period:
    """The period of ``tier`` that contains ``day``."""
    try:
        return _PERIOD_OF[tier](day)
    except KeyError:
        raise ValueError(f"unknown tier {tier!r}") from None


def next_period(tier: str, period: Period) -> Period:
    return period_containing(tier, period[1] + dt.timedelta(days=1))


def required_periods(tier: str, start: dt.date, end: dt.date) -> list[Period]:
    """Periods lying wholly inside ``start``..``end`` (inclusive), in order.

    An assignment must be active on every day of a period for that period to be required.
    """
    if end < start:
        return []
    periods = []
    period = period_containing(tier, start)
    if period[0] < start:
        period = next_period(tier, period)
    while period[1] <= end:
        periods.append(period)
        period = next_period(tier, period)
    return periods


# --- Months ----------------------------------------------------------------------------------

FIRST_YEAR = 2000
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str) -> dt.date:
    """The first day of the month written "YYYY-MM" (a year from ``FIRST_YEAR`` on); raises
    ValueError for anything else (callers word their own message)."""
    match = _YEAR_MONTH.match(value)
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < FIRST_YEAR:
        raise ValueError(f"not a month as YYYY-MM: {value!r}")
    return dt.date(int(match[1]), int(match[2]), 1)


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """First days of the months from ``start``'s month to ``end``'s month."""
    months = []
    month = start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months
