"""The 20/30/50 split of stations between province, city and county cadres."""

# Percent of all active stations covered by each tier, in order of precedence for ties.
SPLIT_PERCENT: dict[str, int] = {"province": 20, "city": 30, "county": 50}


def tier_targets(total: int) -> dict[str, int]:
    """Stations each tier should cover, by the largest-remainder method.

    Floors first; the leftover stations go one each to the largest fractional parts, ties
    to the higher tier. The parts always sum to ``total``. 1504 gives 301 / 451 / 752.
    """
    if total < 0:
        raise ValueError("total must not be negative")
    whole = {tier: total * pct // 100 for tier, pct in SPLIT_PERCENT.items()}
    remainder = {tier: total * pct % 100 for tier, pct in SPLIT_PERCENT.items()}
    leftover = total - sum(whole.values())
    order = list(SPLIT_PERCENT)  # province, city, county
    by_remainder = sorted(order, key=lambda tier: (-remainder[tier], order.index(tier)))
    for tier in by_remainder[:leftover]:
        whole[tier] += 1
    return whole
