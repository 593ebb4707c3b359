"""Pure point rules: tables of edges, no database."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from liaison.charts import points_bar_svg
from scoring import rules
from scoring.rules import RuleVersion

D = dt.date


NEW_YEAR = D(2026, 1, 1)


def version(code="task_on_time", points="2", start=NEW_YEAR, end=None, cap=None):
    return RuleVersion(
        code=code, points=Decimal(points), effective_from=start, effective_to=end, cap=cap
    )


@pytest.mark.parametrize(
    ("due", "done", "today", "cap", "expected"),
    [
        # Open: week 1 counts once its seventh day has wholly passed.
        (D(2026, 1, 1), None, D(2026, 1, 8), 4, []),
        (D(2026, 1, 1), None, D(2026, 1, 9), 4, [D(2026, 1, 8)]),
        (D(2026, 1, 1), None, D(2026, 1, 16), 4, [D(2026, 1, 8), D(2026, 1, 15)]),
        # Capped at four weeks, or not at all.
        (D(2026, 1, 1), None, D(2026, 6, 1), 4, [D(2026, 1, d) for d in (8, 15, 22, 29)]),
        (
            D(2026, 1, 1),
            None,
            D(2026, 2, 13),
            None,
            [D(2026, 1, d) for d in (8, 15, 22, 29)] + [D(2026, 2, 5), D(2026, 2, 12)],
        ),
        # Done on the seventh day: no full week; the day after: one.
        (D(2026, 1, 1), D(2026, 1, 8), D(2026, 6, 1), 4, []),
        (D(2026, 1, 1), D(2026, 1, 9), D(2026, 6, 1), 4, [D(2026, 1, 8)]),
        # Done on time: nothing.
        (D(2026, 1, 1), D(2026, 1, 1), D(2026, 6, 1), 4, []),
        # Across the new year, and through 29 February.
        (D(2026, 12, 28), None, D(2027, 1, 12), 4, [D(2027, 1, 4), D(2027, 1, 11)]),
        (D(2028, 2, 22), None, D(2028, 3, 1), 4, [D(2028, 2, 29)]),
        (D(2026, 1, 1), None, D(2026, 6, 1), 0, []),
    ],
)
def test_overdue_weeks(due, done, today, cap, expected):
    assert rules.overdue_week_days(due_date=due, done_on=done, today=today, cap=cap) == expected


@pytest.mark.parametrize(
    ("due", "done", "expected"),
    [
        (D(2026, 3, 31), D(2026, 3, 30), "task_on_time"),
        (D(2026, 3, 31), D(2026, 3, 31), "task_on_time"),
        (D(2026, 3, 31), D(2026, 4, 1), "task_late"),
        (D(2026, 3, 31), None, None),
    ],
)
def test_task_code(due, done, expected):
    assert rules.task_code(due_date=due, done_on=done) == expected


@pytest.mark.parametrize(
    ("rating", "expected"),
    [("excellent", "result_excellent"), ("poor", "result_poor"), ("good", None), ("", None)],
)
def test_result_code(rating, expected):
    assert rules.result_code(rating) == expected


@pytest.mark.parametrize(
    ("status", "expected"), [("met", "visit_in_period"), ("missed", "missed_period")]
)
def test_period_code(status, expected):
    assert rules.period_code(status) == expected


OLD = version(points="2", start=D(2026, 1, 1), end=D(2026, 6, 30))
NEW = version(points="3", start=D(2026, 7, 1))
OTHER_CODE = version(code="task_late", points="0.5", start=D(2026, 1, 1))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2025, 12, 31), None),
        (D(2026, 1, 1), OLD),
        (D(2026, 6, 30), OLD),
        (D(2026, 7, 1), NEW),
        (D(2030, 1, 1), NEW),
    ],
)
def test_the_version_in_effect_switches_on_its_start_day(day, expected):
    assert rules.rule_in_effect([OLD, NEW, OTHER_CODE], "task_on_time", day) == expected


def test_of_overlapping_versions_the_later_start_wins():
    open_ended = version(points="2", start=D(2026, 1, 1))
    assert rules.rule_in_effect([open_ended, NEW], "task_on_time", D(2026, 8, 1)) == NEW


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        (OLD, NEW, False),
        (version(start=D(2026, 1, 1)), NEW, True),  # open-ended runs into the next one
        (version(start=D(2026, 1, 1), end=D(2026, 7, 1)), NEW, True),  # one shared day
        (NEW, version(start=D(2026, 1, 1), end=D(2026, 7, 1)), True),
        (version(start=D(2027, 1, 1)), NEW, True),  # both open-ended
        (OTHER_CODE, NEW, False),  # another rule
    ],
)
def test_overlap(a, b, overlap):
    assert a.overlaps(b) is overlap
    assert (rules.first_overlap(a, [b]) == b) is overlap


@pytest.mark.parametrize(
    ("rule", "seq", "expected"),
    [
        (version(points="2"), 0, rules.Award(Decimal("2"), "task_on_time", 0)),
        (version(points="0"), 0, None),  # a rule switched off
        (
            version(code="task_overdue_week", points="-1", cap=4),
            4,
            rules.Award(Decimal("-1"), "task_overdue_week", 4),
        ),
        (version(code="task_overdue_week", points="-1", cap=4), 5, None),
        (
            version(code="task_overdue_week", points="-1"),
            52,
            rules.Award(Decimal("-1"), "task_overdue_week", 52),
        ),
        (None, 0, None),
    ],
)
def test_award(rule, seq, expected):
    assert rules.award(rule, seq=seq) == expected


FROZEN = {D(2026, 10, 1)}


@pytest.mark.parametrize(
    ("fact_day", "today", "expected"),
    [
        (D(2026, 10, 31), D(2026, 10, 31), D(2026, 10, 1)),
        (D(2026, 10, 31), D(2026, 11, 2), D(2026, 11, 1)),  # October is frozen
        (D(2026, 9, 30), D(2026, 11, 2), D(2026, 9, 1)),  # September is not
        (D(2026, 11, 1), D(2026, 11, 2), D(2026, 11, 1)),
    ],
)
def test_booked_month(fact_day, today, expected):
    assert rules.booked_month(fact_day=fact_day, today=today, frozen=FROZEN) == expected


@pytest.mark.parametrize(
    ("booked", "expected"),
    [(D(2026, 10, 1), D(2026, 12, 1)), (D(2026, 9, 1), D(2026, 9, 1))],
)
def test_a_reversal_of_a_frozen_month_counts_now(booked, expected):
    assert rules.reversal_month(booked=booked, today=D(2026, 12, 5), frozen=FROZEN) == expected


@pytest.mark.parametrize(
    ("today", "first", "last"),
    [
        (D(2026, 12, 31), D(2026, 1, 1), D(2026, 12, 1)),
        (D(2027, 1, 1), D(2026, 2, 1), D(2027, 1, 1)),
        (D(2028, 2, 29), D(2027, 3, 1), D(2028, 2, 1)),
    ],
)
def test_last_twelve_months(today, first, last):
    months = rules.last_months(today)
    assert (len(months), months[0], months[-1]) == (12, first, last)
    assert len(set(months)) == 12


@pytest.mark.parametrize(
    ("average", "raters", "earns"),
    [
        (Decimal("4.5"), 3, True),
        (Decimal("4.49"), 10, False),
        (Decimal("5"), 2, False),  # too few raters to count
        (None, 0, False),
    ],
)
def test_evaluation(average, raters, earns):
    assert rules.evaluation_earns(average=average, raters=raters, min_raters=3) is earns


@pytest.mark.parametrize(
    ("day", "start", "end", "seq"),
    [
        (dt.date(2026, 1, 1), dt.date(2026, 1, 1), dt.date(2026, 3, 31), 20261),
        (dt.date(2026, 3, 31), dt.date(2026, 1, 1), dt.date(2026, 3, 31), 20261),
        (dt.date(2026, 4, 1), dt.date(2026, 4, 1), dt.date(2026, 6, 30), 20262),
        (dt.date(2028, 2, 29), dt.date(2028, 1, 1), dt.date(2028, 3, 31), 20281),
        (dt.date(2026, 9, 30), dt.date(2026, 7, 1), dt.date(2026, 9, 30), 20263),
        (dt.date(2026, 12, 31), dt.date(2026, 10, 1), dt.date(2026, 12, 31), 20264),
    ],
)
def test_the_quarter_of_a_day_its_last_day_and_its_ledger_sequence(day, start, end, seq):
    assert rules.quarter_start(day) == start
    assert rules.quarter_end(start) == end
    assert rules.quarter_seq(start) == seq


def test_the_quarters_overlapping_a_range_cross_the_year():
    assert rules.quarters_between(dt.date(2026, 11, 15), dt.date(2027, 4, 1)) == [
        dt.date(2026, 10, 1),
        dt.date(2027, 1, 1),
        dt.date(2027, 4, 1),
    ]
    assert rules.quarters_between(dt.date(2026, 5, 1), dt.date(2026, 5, 31)) == [
        dt.date(2026, 4, 1)
    ]


@pytest.mark.parametrize(
    ("raters", "today", "state"),
    [
        (9, dt.date(2026, 9, 30), "in_progress"),  # the quarter's last day: ratings may come
        (9, dt.date(2026, 10, 1), "shown"),
        (3, dt.date(2026, 10, 1), "shown"),
        (2, dt.date(2026, 10, 1), "too_few"),
        (0, dt.date(2027, 1, 1), "too_few"),
    ],
)
def test_the_aggregate_is_shown_after_the_quarter_from_enough_raters(raters, today, state):
    assert (
        rules.evaluation_state(
            quarter=dt.date(2026, 7, 1), raters=raters, min_raters=3, today=today
        )
        == state
    )


@pytest.mark.parametrize(
    ("code", "kwargs", "chinese"),
    [
        ("visit_in_period", {"start": D(2026, 11, 9), "end": D(2026, 11, 15)}, "2026-11-09"),
        ("missed_period", {"start": D(2026, 11, 9), "end": D(2026, 11, 15)}, "未开展四不两直走访"),
        ("problem_published", {"problem": "HB-2026-0001"}, "HB-2026-0001"),
        ("task_overdue_week", {"task": "更换灭火器", "problem": "HB-1", "week": 3}, "逾期第 3 周"),
        ("problem_closed", {"problem": "HB-1"}, "已销号"),
        ("result_poor", {"problem": "HB-1"}, "整改效果"),
    ],
)
def test_reasons_read_in_chinese(code, kwargs, chinese):
    with translation.override("zh-hans"):
        assert chinese in rules.reason(code, **kwargs)


def test_the_points_chart_draws_negative_bars_below_zero_and_marks_this_month():
    svg = points_bar_svg(
        x_labels=["2026-10", "2026-11"],
        values=[Decimal("-3"), Decimal("4.5")],
        title="积分趋势",
        y_title="积分",
        provisional_label="暂计",
    )
    assert svg.startswith("<svg") and 'aria-label="积分趋势"' in svg
    assert 'class="bar-value">-3</text>' in svg and 'class="bar-value">+4.5</text>' in svg
    assert svg.count("<rect") == 4  # background, pattern tile, two bars
    assert 'fill="url(#provisional)"' in svg and "暂计" in svg
