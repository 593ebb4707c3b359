"""Visit periods: pure date arithmetic, no queries, no clock (the caller passes dates).

Province cadres must visit once per calendar month, city cadres once per half month (days
1–15 and 16–end), county cadres once per ISO week (Monday to Sunday). Periods are in the
Asia/Shanghai calendar: callers convert timestamps with ``localdate()`` first.
"""

import calendar
import datetime as dt

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
