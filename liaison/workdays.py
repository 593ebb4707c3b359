"""Chinese working days: the State Council calendar of public holidays and adjusted workdays
(调休), from the maintained ``chinese-calendar`` package. One function for every app: the
escalation of overdue problems (checklists) and the absences of secondees (liaison).

Pure: plain dates in and out, no queries, no clock.
"""

import datetime as dt

import chinese_calendar


def is_working_day(day: dt.date) -> bool:
    """A Chinese working day, with the adjusted workdays (调休) and public holidays of the
    State Council calendar. Years the calendar does not know yet fall back to Monday–Friday."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def working_days(start: dt.date, end: dt.date) -> int:
    """The working days from ``start`` to ``end``, both included (0 when end < start)."""
    count, day = 0, start
    while day <= end:
        count += is_working_day(day)
        day += dt.timedelta(days=1)
    return count
