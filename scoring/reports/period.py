"""The period a report covers: a calendar month or a quarter. Pure: the caller passes
``today``."""

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from liaison.periods import FIRST_YEAR, months_between, parse_month
from scoring.rules import quarter_label

_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)


@dataclass(frozen=True)
class ReportPeriod:
    start: dt.date
    end: dt.date
    # "2026-03" or "2026-Q1": what the query string says, for links.
    key: str

    @property
    def months(self) -> list[dt.date]:
        """First days of the months in the period."""
        return months_between(self.start, self.end)

    @property
    def is_quarter(self) -> bool:
        return "Q" in self.key

    @property
    def label(self) -> str:
        if self.is_quarter:
            return quarter_label(self.start)
        return f"{self.start:%Y-%m}"


def month_period(year: int, month: int) -> ReportPeriod:
    last = calendar.monthrange(year, month)[1]
    return ReportPeriod(dt.date(year, month, 1), dt.date(year, month, last), f"{year}-{month:02d}")


def quarter_period(year: int, quarter: int) -> ReportPeriod:
    first = 3 * (quarter - 1) + 1
    last = dt.date(year, first + 2, calendar.monthrange(year, first + 2)[1])
    return ReportPeriod(dt.date(year, first, 1), last, f"{year}-Q{quarter}")


def default_period(today: dt.date) -> ReportPeriod:
    """The month before ``today``'s: the last month that has ended (and been ranked)."""
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    return month_period(last_month.year, last_month.month)


def parse_period(*, month: str = "", quarter: str = "", today: dt.date) -> ReportPeriod:
    """``month`` "YYYY-MM" or ``quarter`` "YYYY-Qn"; neither: the month before ``today``'s.
    Raises ValueError with a translated message for anything else, or a period that starts
    after ``today``."""
    month, quarter = (month or "").strip(), (quarter or "").strip()
    if month and quarter:
        raise ValueError(_("Choose a month or a quarter, not both."))
    if month:
        try:
            first = parse_month(month)
        except ValueError:
            raise ValueError(_("Enter the month as YYYY-MM, for example 2026-03.")) from None
        period = month_period(first.year, first.month)
    elif quarter:
        match = _QUARTER.match(quarter)
        if not match:
            raise ValueError(_("Enter the quarter as YYYY-Qn, for example 2026-Q1."))
        period = quarter_period(int(match[1]), int(match[2]))
    else:
        return default_period(today)
    if period.start.year < FIRST_YEAR:
        raise ValueError(_("Enter the month as YYYY-MM, for example 2026-03."))
    if period.start > today:
        raise ValueError(_("The period has not begun yet."))
    return period


def period_of(start: dt.date, end: dt.date) -> ReportPeriod:
    """The month or quarter stored as its first and last day (e.g. on a report job)."""
    if start.month == end.month:
        return month_period(start.year, start.month)
    return quarter_period(start.year, (start.month - 1) // 3 + 1)
