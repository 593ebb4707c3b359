"""Pure rules of secondments: the standing of a secondment from its absent working days,
its default end, and when the assessment opens. Plain values in and out; the caller passes
``today``."""

import calendar
import datetime as dt
import enum

from django.utils.translation import gettext_lazy as _

# Absent working days at which the bureau is warned (预警), seriously warned (严重预警), and
# beyond which the secondment is not recognised (挂职经历不予认定): Wuhan's rule.
WARNING_DAYS = 10
SERIOUS_WARNING_DAYS = 13
RECOGNITION_LIMIT = 15
# As the pages and the assessment form print them.
THRESHOLDS = {"warning": WARNING_DAYS, "serious": SERIOUS_WARNING_DAYS, "limit": RECOGNITION_LIMIT}
# The assessment may be recorded from this many days before the secondment's last day.
ASSESSMENT_OPENS_DAYS_BEFORE_END = 30
# A secondment is entered within a year of its start, before or after (a batch is entered
# around its start; a start years away is a typing error, and year 9999 has no next year).
ENTRY_WINDOW_DAYS = 366


class Standing(enum.StrEnum):
    NORMAL = "normal"
    WARNING = "warning"
    SERIOUS = "serious"
    NOT_RECOGNISED = "not_recognised"

    @property
    def label(self) -> str:
        return str(STANDING_LABELS[self])


STANDING_LABELS = {
    Standing.NORMAL: _("Normal"),
    Standing.WARNING: _("Warning"),
    Standing.SERIOUS: _("Serious warning"),
    Standing.NOT_RECOGNISED: _("Not recognised"),
}


def standing(absent_days: int) -> Standing:
    """Normal below ``WARNING_DAYS``; warning from it; serious warning from
    ``SERIOUS_WARNING_DAYS``; not recognised beyond ``RECOGNITION_LIMIT``."""
    if absent_days > RECOGNITION_LIMIT:
        return Standing.NOT_RECOGNISED
    if absent_days >= SERIOUS_WARNING_DAYS:
        return Standing.SERIOUS
    if absent_days >= WARNING_DAYS:
        return Standing.WARNING
    return Standing.NORMAL


def standing_range(value: Standing) -> tuple[int, int | None]:
    """The absent working days (lowest, highest or None) of a standing: a list filters
    ``absent_days`` with it in SQL."""
    return {
        Standing.NORMAL: (0, WARNING_DAYS - 1),
        Standing.WARNING: (WARNING_DAYS, SERIOUS_WARNING_DAYS - 1),
        Standing.SERIOUS: (SERIOUS_WARNING_DAYS, RECOGNITION_LIMIT),
        Standing.NOT_RECOGNISED: (RECOGNITION_LIMIT + 1, None),
    }[value]


def days_left(absent_days: int) -> int:
    """Working days the secondee may still be absent before it is not recognised."""
    return max(0, RECOGNITION_LIMIT - absent_days)


def default_end(start: dt.date) -> dt.date:
    """One year: the day before the same date a year later (from 29 February: 28 February)."""
    year = start.year + 1
    if start.day > calendar.monthrange(year, start.month)[1]:
        return dt.date(year, start.month + 1, 1) - dt.timedelta(days=1)
    return dt.date(year, start.month, start.day) - dt.timedelta(days=1)


def entry_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last start date a secondment may be entered with on ``today``."""
    window = dt.timedelta(days=ENTRY_WINDOW_DAYS)
    return today - window, today + window


def assessment_opens(end: dt.date) -> dt.date:
    """The first day the assessment may be recorded: the last month of the secondment."""
    return end - dt.timedelta(days=ASSESSMENT_OPENS_DAYS_BEFORE_END)


def overlaps(a_start: dt.date, a_end: dt.date, b_start: dt.date, b_end: dt.date) -> bool:
    """Whether two inclusive date ranges share a day."""
    return a_start <= b_end and b_start <= a_end
