"""The two 40 % ratios and the checks of one bureau's figures (no database)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from stations.staffing.rules import Figures, figure_errors, share, short_of_threshold
from stations.staffing.seeding import plan_figures, quarter_ends


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


@pytest.mark.parametrize(
    ("part", "whole", "percent", "short"),
    [
        (40, 100, Decimal("40.0"), False),  # exactly 40 % meets
        (39, 100, Decimal("39.0"), True),
        (3999, 10000, Decimal("39.9"), True),  # 39.99 % is shown rounded down, and short
        (2, 5, Decimal("40.0"), False),
        (1, 3, Decimal("33.3"), True),
        (2, 3, Decimal("66.6"), False),  # rounded down, never up
        (0, 120, Decimal("0.0"), True),
        (0, 0, None, False),  # nothing to divide by: no share, no flag
        (7, 7, Decimal("100.0"), False),
    ],
)
def test_a_share_is_rounded_down_and_short_below_exactly_40_percent(part, whole, percent, short):
    assert share(part, whole) == percent
    assert short_of_threshold(part, whole) is short


def test_a_bureau_meets_one_ratio_and_misses_the_other():
    figures = Figures(police_total=300, station_police=150, community_police=45)
    assert (figures.station_share, figures.community_share) == (Decimal("50.0"), Decimal("30.0"))
    assert not figures.station_short and figures.community_short and figures.short


def test_sums_add_the_counts_and_then_divide_never_average_the_ratios():
    # 60 % and 20 %: the average would be 40 % and meet; the sum's 27.5 % does not.
    small = Figures(police_total=100, station_police=60, community_police=30)
    large = Figures(police_total=1000, station_police=200, community_police=90)
    total = small + large
    assert total == Figures(1100, 260, 120)
    assert total.station_share == Decimal("23.6") and total.station_short
    assert total.community_share == Decimal("46.1") and not total.community_short


@pytest.mark.parametrize(
    ("counts", "field", "message"),
    [
        ((100, 120, 10), "station_police", "派出所警力（120 名）不能多于总警力（100 名）。"),
        ((100, 50, 51), "community_police", "社区民警（51 名）不能多于派出所警力（50 名）。"),
        ((-1, 0, 0), "police_total", "请填写不小于 0 的警力人数。"),
        ((100_000, 10, 1), "police_total", "最多 99999 名，请核对人数。"),
    ],
)
def test_impossible_figures_are_named_by_field_in_chinese(counts, field, message):
    assert figure_errors(*counts) == {field: message}


def test_possible_figures_have_no_error_including_all_zero():
    assert figure_errors(100, 40, 16) == {}
    assert figure_errors(0, 0, 0) == {}


@pytest.mark.parametrize(
    ("today", "ends"),
    [
        (dt.date(2026, 1, 1), (dt.date(2025, 9, 30), dt.date(2025, 12, 31))),
        (dt.date(2026, 3, 31), (dt.date(2025, 9, 30), dt.date(2025, 12, 31))),
        (dt.date(2026, 4, 1), (dt.date(2025, 12, 31), dt.date(2026, 3, 31))),
        (dt.date(2026, 12, 5), (dt.date(2026, 6, 30), dt.date(2026, 9, 30))),
    ],
)
def test_demo_figures_are_as_of_the_ends_of_the_two_quarters_before_today(today, ends):
    assert quarter_ends(today) == ends


def test_demo_figures_are_deterministic_possible_and_short_where_planned():
    plans = [plan_figures(f"4201{i:02d}", 12, i, seed=235) for i in range(10)]
    assert plans == [plan_figures(f"4201{i:02d}", 12, i, seed=235) for i in range(10)]
    for earlier, later in plans:
        assert (
            figure_errors(earlier.police_total, earlier.station_police, earlier.community_police)
            == {}
        )
        assert figure_errors(later.police_total, later.station_police, later.community_police) == {}
    later = [p[1] for p in plans]
    assert [i for i, f in enumerate(later) if f.station_short] == [1, 6]
    assert [i for i, f in enumerate(later) if f.community_short] == [3, 8]
