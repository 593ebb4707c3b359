"""Pure point rules (积分规则): plain values in and out, no queries, no clock.

Which rule code a fact earns, which version of a rule is in effect on a day, how many weeks
of an overdue task count, which month points are booked in, and the reason texts that
explain an entry. The recompute (``scoring.services.ledger``) applies the same rules to whole
tables in SQL; the tests hold the two together.

Decisions (also in the help text of the admin and the cadre's page):

- A met required period (走访周期) earns ``visit_in_period`` once, whatever the number of
  unannounced visits in it: points reward keeping the frequency, not logging many visits.
  A missed period costs ``missed_period``; a period cured by a late visit turns from one
  into the other. The fact's day is the period's last day.
- ``problem_published`` goes to the cadre who raised the problem (``raised_by`` is the
  cadre's user), on the day it was published; problems raised by others earn nothing.
- Tasks, close-outs and results score for the cadre covering the problem's station on the
  fact's day (the assignment active that day); a station without a cadre that day earns
  nobody anything.
- ``task_overdue_week``: week *k* (1, 2, …, at most the rule's cap) counts when the task is
  still not done at the end of ``due_date + 7k`` days; its day is ``due_date + 7k``. A task
  done late keeps the weeks it was overdue and also earns ``task_late``.
- A rule version with 0 points writes no entries (that is how a rule is switched off).
- ``evaluation`` (双向评议): per assignment and quarter, when the station's ratings of its
  cadre average at least 4.5 (every score of every dimension and rater) from at least
  ``LIAISON_EVALUATION_MIN_RATERS`` raters, the cadre earns the rule's points once, on the
  quarter's last day, as soon as the quarter has ended (ratings are accepted only during
  the quarter, so an ended quarter's average is final). The entry's source is the
  assignment (``source_id``) and the quarter (``seq`` = year × 10 + quarter, e.g. 20263).
"""

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from scoring.models import RuleCode

PERIOD_MET = "met"
PERIOD_MISSED = "missed"
RATING_EXCELLENT = "excellent"
RATING_POOR = "poor"
DAYS_PER_WEEK = 7

# Two-way evaluation: the average (1–5) a station's ratings of its cadre must reach in a
# quarter. The raters needed before the average counts at all (and is shown: anonymity) are
# a setting, LIAISON_EVALUATION_MIN_RATERS, passed in by the caller.
EVALUATION_THRESHOLD = Decimal("4.5")
MONTHS_PER_QUARTER = 3


@dataclass(frozen=True)
class RuleVersion:
    """One version of a point rule: its points from ``effective_from`` (to ``effective_to``
    inclusive, or open-ended)."""

    code: str
    points: Decimal
    effective_from: dt.date
    effective_to: dt.date | None = None
    cap: int | None = None

    def in_effect_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )

    def overlaps(self, other: "RuleVersion") -> bool:
        """Both versions of the same code are in effect on some day."""
        if self.code != other.code:
            return False
        ends_after_other_starts = self.effective_to is None or self.effective_to >= (
            other.effective_from
        )
        other_ends_after_start = other.effective_to is None or other.effective_to >= (
            self.effective_from
        )
        return ends_after_other_starts and other_ends_after_start


@dataclass(frozen=True)
class Award:
    """What one fact earns: the points and the rule code that explains them (the reason)."""

    points: Decimal
    reason_code: str
    seq: int = 0


def rule_in_effect(versions: Iterable[RuleVersion], code: str, day: dt.date) -> RuleVersion | None:
    """The version of ``code`` that scores a fact of ``day``: among those in effect that day,
    the one that started last (versions should not overlap; this settles it if they do)."""
    candidates = [v for v in versions if v.code == code and v.in_effect_on(day)]
    return max(candidates, key=lambda v: v.effective_from, default=None)


def first_overlap(candidate: RuleVersion, others: Iterable[RuleVersion]) -> RuleVersion | None:
    """Another version of the same rule whose dates overlap ``candidate``'s, if any."""
    return next(
        (v for v in sorted(others, key=lambda v: v.effective_from) if candidate.overlaps(v)), None
    )


def award(version: RuleVersion | None, *, seq: int = 0) -> Award | None:
    """The award of a rule version for the ``seq``-th repetition of a fact (weeks overdue
    count from 1; other facts are ``seq`` 0). None: nothing to book."""
    if version is None or version.points == 0:
        return None
    if version.cap is not None and seq > version.cap:
        return None
    return Award(points=version.points, reason_code=version.code, seq=seq)


# --- Which code a fact earns ---------------------------------------------------------------


def period_code(status: str) -> str:
    """A recorded required period: met earns, missed costs."""
    return RuleCode.VISIT_IN_PERIOD if status == PERIOD_MET else RuleCode.MISSED_PERIOD


def task_code(*, due_date: dt.date, done_on: dt.date | None) -> str | None:
    """A done task: on time when done on or before its due date. An open task: nothing yet."""
    if done_on is None:
        return None
    return RuleCode.TASK_ON_TIME if done_on <= due_date else RuleCode.TASK_LATE


def result_code(rating: str) -> str | None:
    """A verified result rated excellent or poor; a good one earns nothing by itself."""
    return {RATING_EXCELLENT: RuleCode.RESULT_EXCELLENT, RATING_POOR: RuleCode.RESULT_POOR}.get(
        rating
    )


def overdue_week_days(
    *, due_date: dt.date, done_on: dt.date | None, today: dt.date, cap: int | None
) -> list[dt.date]:
    """The days on which a task completed a full week overdue: ``due_date + 7k`` for k = 1, 2,
    …, while the task was still open at the end of that day, and ``today`` has not ended
    yet (so today's run never counts a week that could still be saved today)."""
    days = []
    week = 1
    while cap is None or week <= cap:
        day = due_date + dt.timedelta(days=DAYS_PER_WEEK * week)
        still_open = done_on > day if done_on is not None else day < today
        if not still_open:
            break
        days.append(day)
        week += 1
    return days


def evaluation_earns(*, average: Decimal | None, raters: int, min_raters: int) -> bool:
    """A quarter's evaluation of a cadre by their station earns the rule's points."""
    return average is not None and raters >= min_raters and average >= EVALUATION_THRESHOLD


# --- Quarters (two-way evaluation) ---------------------------------------------------------

EVALUATION_SHOWN = "shown"
EVALUATION_TOO_FEW = "too_few"
EVALUATION_IN_PROGRESS = "in_progress"


def quarter_start(day: dt.date) -> dt.date:
    """The first day of the calendar quarter containing ``day``."""
    return dt.date(day.year, (day.month - 1) // MONTHS_PER_QUARTER * MONTHS_PER_QUARTER + 1, 1)


def quarter_end(start: dt.date) -> dt.date:
    """The last day of the quarter that starts on ``start``."""
    following = start.month + MONTHS_PER_QUARTER
    if following > 12:
        return dt.date(start.year + 1, following - 12, 1) - dt.timedelta(days=1)
    return dt.date(start.year, following, 1) - dt.timedelta(days=1)


def quarter_number(start: dt.date) -> int:
    return (start.month - 1) // MONTHS_PER_QUARTER + 1


def quarter_label(day: dt.date) -> str:
    """The quarter containing ``day`` as the ranking, the reports and the evaluations show
    it: "Q3 2026" (2026年第3季度)."""
    return _("Q%(quarter)d %(year)d") % {"quarter": quarter_number(day), "year": day.year}


def quarter_seq(start: dt.date) -> int:
    """The ledger ``seq`` of an evaluation entry: year × 10 + quarter (20263 for 2026 Q3)."""
    return start.year * 10 + quarter_number(start)


def quarters_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first days of the quarters overlapping ``first``…``last``, oldest first."""
    quarters, quarter = [], quarter_start(first)
    while quarter <= last:
        quarters.append(quarter)
        quarter = quarter_end(quarter) + dt.timedelta(days=1)
    return quarters


def evaluation_state(*, quarter: dt.date, raters: int, min_raters: int, today: dt.date) -> str:
    """What may be shown of a station's ratings of its cadre for a quarter: nothing while the
    quarter runs (ratings still arrive, and comparing two aggregates would reveal the later
    rater's scores), nothing below ``min_raters`` raters, else the aggregate."""
    if quarter_end(quarter) >= today:
        return EVALUATION_IN_PROGRESS
    return EVALUATION_SHOWN if raters >= min_raters else EVALUATION_TOO_FEW


# --- Months --------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def booked_month(*, fact_day: dt.date, today: dt.date, frozen: Collection[dt.date]) -> dt.date:
    """The month an entry counts in: the fact's month, or the current month when the fact's
    month is already frozen (frozen rankings never change; corrections land now)."""
    month = month_start(fact_day)
    return month_start(today) if month in frozen else month


def reversal_month(*, booked: dt.date, today: dt.date, frozen: Collection[dt.date]) -> dt.date:
    """A reversing entry counts in the month of the entry it reverses, unless that month is
    frozen: then in the current month."""
    return month_start(today) if booked in frozen else booked


def last_months(today: dt.date, count: int = 12) -> list[dt.date]:
    """The first days of the ``count`` months ending with ``today``'s, oldest first."""
    index = today.year * 12 + today.month - 1
    return [dt.date((index - k) // 12, (index - k) % 12 + 1, 1) for k in range(count - 1, -1, -1)]


# --- Reason texts --------------------------------------------------------------------------


def reason(
    code: str,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    problem: str = "",
    task: str = "",
    week: int = 0,
) -> str:
    """The source part of an entry's reason, in the user's language: which fact earned it.
    The rule's own description says what the rule pays for."""
    dates = {"start": f"{start:%Y-%m-%d}" if start else "", "end": f"{end:%Y-%m-%d}" if end else ""}
    match code:
        case RuleCode.VISIT_IN_PERIOD:
            return _("Period %(start)s to %(end)s met with an unannounced visit") % dates
        case RuleCode.MISSED_PERIOD:
            return _("Period %(start)s to %(end)s ended without an unannounced visit") % dates
        case RuleCode.PROBLEM_PUBLISHED:
            return _("Problem %(problem)s raised and published") % {"problem": problem}
        case RuleCode.TASK_ON_TIME | RuleCode.TASK_LATE:
            return _("Task “%(task)s” of problem %(problem)s") % {"task": task, "problem": problem}
        case RuleCode.TASK_OVERDUE_WEEK:
            return _("Task “%(task)s” of problem %(problem)s: overdue week %(week)s") % {
                "task": task,
                "problem": problem,
                "week": week,
            }
        case RuleCode.PROBLEM_CLOSED:
            return _("Problem %(problem)s closed out") % {"problem": problem}
        case RuleCode.RESULT_EXCELLENT | RuleCode.RESULT_POOR:
            return _("Result of problem %(problem)s") % {"problem": problem}
        case RuleCode.EVALUATION:
            return _("Two-way evaluation of the quarter ending %(end)s") % dates
    return ""
