"""The two 40 % ratios and the checks of one bureau's figures. Pure: plain values in and out.

Station police share 派出所警力占比 = station police ÷ police total; community police share
社区民警占比 = community police ÷ station police; each meets the standard at 40 % or more
(DESIGN.md, "Related practices"). The comparison is exact integer arithmetic; percentages
for display are rounded down, so a share shown as 40.0 % always meets the standard.
"""

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from django.utils.translation import gettext as _

THRESHOLD_PERCENT = 40
# A county-level bureau has hundreds to a few thousand police: a bigger number is a typo.
MAX_POLICE = 99_999
_TENTH = Decimal("0.1")
# The three figures, as named on ``Figures``, the model, the forms and the import columns.
FIGURES = ("police_total", "station_police", "community_police")


def share(part: int, whole: int) -> Decimal | None:
    """``part`` as a percentage of ``whole``, rounded down to 0.1; None when ``whole`` is 0."""
    if not whole:
        return None
    return (Decimal(100 * part) / Decimal(whole)).quantize(_TENTH, rounding=ROUND_FLOOR)


def short_of_threshold(part: int, whole: int) -> bool:
    """Whether ``part`` is less than 40 % of ``whole`` (never when ``whole`` is 0)."""
    return bool(whole) and 100 * part < THRESHOLD_PERCENT * whole


@dataclass(frozen=True)
class Figures:
    """Police numbers of a bureau, or their sum over several bureaus."""

    police_total: int = 0
    station_police: int = 0
    community_police: int = 0

    def __add__(self, other: "Figures") -> "Figures":
        return Figures(
            self.police_total + other.police_total,
            self.station_police + other.station_police,
            self.community_police + other.community_police,
        )

    @property
    def station_share(self) -> Decimal | None:
        return share(self.station_police, self.police_total)

    @property
    def community_share(self) -> Decimal | None:
        return share(self.community_police, self.station_police)

    @property
    def station_short(self) -> bool:
        return short_of_threshold(self.station_police, self.police_total)

    @property
    def community_short(self) -> bool:
        return short_of_threshold(self.community_police, self.station_police)

    @property
    def short(self) -> bool:
        return self.station_short or self.community_short


def figure_errors(police_total: int, station_police: int, community_police: int) -> dict:
    """Field name → message for every figure that cannot be right; empty when all can."""
    errors = {}
    values = {
        "police_total": police_total,
        "station_police": station_police,
        "community_police": community_police,
    }
    for field, value in values.items():
        if value < 0:
            errors[field] = _("Enter a number of police of 0 or more.")
        elif value > MAX_POLICE:
            errors[field] = _("At most %(limit_value)s police: check the number.") % {
                "limit_value": MAX_POLICE
            }
    if errors:
        return errors
    if station_police > police_total:
        errors["station_police"] = _(
            "Station police (%(station)d) cannot be more than the police total (%(total)d)."
        ) % {"station": station_police, "total": police_total}
    if community_police > station_police:
        errors["community_police"] = _(
            "Community police (%(community)d) cannot be more than the station police (%(station)d)."
        ) % {"community": community_police, "station": station_police}
    return errors
