import pytest

from stations.split import tier_targets


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        (1504, {"province": 301, "city": 451, "county": 752}),
        (0, {"province": 0, "city": 0, "county": 0}),
        (1, {"province": 0, "city": 0, "county": 1}),
        (2, {"province": 0, "city": 1, "county": 1}),
        (3, {"province": 1, "city": 1, "county": 1}),
        (10, {"province": 2, "city": 3, "county": 5}),
        (7, {"province": 1, "city": 2, "county": 4}),  # 1.4/2.1/3.5 → county takes the .5
        (9, {"province": 2, "city": 3, "county": 4}),  # 1.8/2.7/4.5 → province .8, city .7
        (40000, {"province": 8000, "city": 12000, "county": 20000}),
    ],
)
def test_tier_targets_by_largest_remainder(total, expected):
    assert tier_targets(total) == expected


@pytest.mark.parametrize("total", range(0, 300))
def test_tier_targets_always_sum_to_total(total):
    assert sum(tier_targets(total).values()) == total


def test_tier_targets_ties_go_to_the_higher_tier():
    # 5 stations: 1.0 / 1.5 / 2.5 → leftover 1, city and county tie at .5 → city wins.
    assert tier_targets(5) == {"province": 1, "city": 2, "county": 2}


def test_negative_total_is_refused():
    with pytest.raises(ValueError):
        tier_targets(-1)
