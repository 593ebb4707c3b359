"""Pure rules for cadres, assignments and visits: plain values in and out, no queries."""

import datetime as dt
import math

from stations.models import Tier
from stations.scope import path_within


def in_jurisdiction(*, cadre_bureau_path: str, station_bureau_path: str) -> bool:
    """A cadre covers a station inside their home bureau's subtree.

    County cadre: a station of their own county; city cadre: of their own city; provincial
    cadre: any station of the province. All three are a prefix test on the bureau path.
    """
    return path_within(station_bureau_path, cadre_bureau_path)


def allowed_cadre_tiers(*, bureau_tier: str, directly_administered: bool) -> set[str]:
    """Tiers a cadre homed at a bureau may have."""
    if directly_administered:
        return {Tier.CITY.value, Tier.COUNTY.value}
    return {bureau_tier}


# --- Visits --------------------------------------------------------------------------------

EARTH_RADIUS_M = 6_371_000
# A visit whose browser position lies farther than this from the station, beyond the
# position's own accuracy, is flagged as far from the station.
FAR_FROM_STATION_M = 1_000
EDIT_WINDOW = dt.timedelta(hours=24)
# Days left in the current period at or below which an unmet period is "due soon".
DUE_SOON_DAYS = {"province": 7, "city": 4, "county": 2}
# Predictable visits: at least this many recent visits, and this share on one weekday+hour.
PREDICTABLE_MIN_VISITS = 4
PREDICTABLE_SHARE = 0.6


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> int:
    """Great-circle distance in metres (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return round(2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a))))


def is_far_from_station(*, distance: int, accuracy: int | None) -> bool:
    return distance - (accuracy or 0) > FAR_FROM_STATION_M


def visit_time_error(
    *, visited_at: dt.datetime, now: dt.datetime, backdate_days: int
) -> str | None:
    """Why a visit time is not acceptable ("future", "too_old"), or None."""
    if visited_at > now:
        return "future"
    if visited_at < now - dt.timedelta(days=backdate_days):
        return "too_old"
    return None


def can_edit_visit(*, logged_at: dt.datetime, now: dt.datetime) -> bool:
    return now - logged_at <= EDIT_WINDOW


def is_due_soon(*, tier: str, period_end: dt.date, today: dt.date, met: bool) -> bool:
    return not met and 0 <= (period_end - today).days < DUE_SOON_DAYS[tier]


def is_predictable(slots: list[tuple[int, int]]) -> bool:
    """Whether (weekday, hour) slots of recent visits repeat so often that a station could
    expect the next visit."""
    if len(slots) < PREDICTABLE_MIN_VISITS:
        return False
    most = max(slots.count(slot) for slot in set(slots))
    return most / len(slots) >= PREDICTABLE_SHARE
