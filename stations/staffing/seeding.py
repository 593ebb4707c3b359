"""Plausible staffing figures for the demo: every county-level bureau gets its figures as of
the end of the last two quarters, scaled to its number of stations. Deterministic for a
seed; every fifth bureau (from the second) falls short of the station police share and
every fifth (from the fourth) of the community police share, so both flags show at every
scale. Two queries: the bureaus with their station counts, and one bulk insert."""

import calendar
import datetime as dt
import math
import random
from zoneinfo import ZoneInfo

from django.db.models import Count

from stations.models import Bureau, StaffingReturn
from stations.staffing.rules import Figures

BATCH_SIZE = 5000
SHANGHAI = ZoneInfo("Asia/Shanghai")


def quarter_ends(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last days of the two quarters before the one ``today`` lies in."""
    first_month = 3 * ((today.month - 1) // 3) + 1
    last = dt.date(today.year, first_month, 1) - dt.timedelta(days=1)
    month = last.month - 3 or 12
    year = last.year if last.month > 3 else last.year - 1
    return dt.date(year, month, calendar.monthrange(year, month)[1]), last


def plan_figures(code: str, stations: int, index: int, *, seed: int) -> tuple[Figures, Figures]:
    """A bureau's earlier and later figures. ``index`` is its place among the bureaus by code."""
    rng = random.Random(f"staffing:{seed}:{code}")
    station_police = max(1, stations) * rng.randint(8, 15)
    station_share = rng.uniform(0.30, 0.38) if index % 5 == 1 else rng.uniform(0.41, 0.58)
    community_share = rng.uniform(0.26, 0.38) if index % 5 == 3 else rng.uniform(0.41, 0.55)
    later = Figures(
        police_total=math.ceil(station_police / station_share),
        station_police=station_police,
        community_police=math.floor(station_police * community_share),
    )
    # A quarter earlier: a few officers fewer at the stations and in the communities.
    moved = rng.randint(0, max(1, station_police // 10))
    earlier_station = station_police - moved
    earlier = Figures(
        police_total=later.police_total,
        station_police=earlier_station,
        community_police=min(earlier_station, max(0, later.community_police - moved)),
    )
    return earlier, later


def seed_staffing(*, seed: int, today: dt.date) -> dict[str, int]:
    """Write two dated returns per county-level bureau (bulk, no history rows)."""
    dates = quarter_ends(today)
    bureaus = list(
        Bureau.objects.holding_stations()
        .annotate(station_count=Count("stations"))
        .order_by("code")
        .values_list("pk", "code", "station_count")
    )
    rows = []
    for index, (pk, code, stations) in enumerate(bureaus):
        for day, figures in zip(dates, plan_figures(code, stations, index, seed=seed), strict=True):
            rows.append(
                StaffingReturn(
                    bureau_id=pk,
                    as_of=day,
                    police_total=figures.police_total,
                    station_police=figures.station_police,
                    community_police=figures.community_police,
                    recorded_at=dt.datetime.combine(day, dt.time(17), tzinfo=SHANGHAI),
                )
            )
    StaffingReturn.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    return {"bureaus": len(bureaus), "returns": len(rows)}
