"""Read-side queries of the monthly ranking (月度排名).

A *standings* relation gives, for one period, every ranked cadre with tier, station, points,
rank within tier and rank overall:

- a frozen month: the stored ``MonthlyRank`` rows, never recomputed;
- a month not frozen yet (the current one): provisional, summed from the ledger and ranked
  on the fly, by the same SQL the freeze stores (``LIVE_STANDINGS``);
- a quarter or a year: the frozen months' points summed per cadre and ranked again.

Ranks in a standings relation are over everybody (province-wide). A ranking page filters
them by scope, tier and region (by the station's bureau path, at freeze time for frozen
months) and ranks once more within the filtered set, joins the previous period's standings
for the movement, and pages: one query per page plus one count, however many rows.

The SQL is plain and portable (PostgreSQL, and SQLite for the embedded demo, where sums of
decimals are floats: hence ``ROUND(…, 1)`` before ranking, so that equal scores tie).
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from scoring import rules
from scoring.models import PointEntry, RankingMonth, RuleCode
from stations.models import Tier
from stations.scope import Scope

# Every cadre with an assignment active on %(day)s (the last day of the month, or today for
# the current month), plus any cadre with entries booked in %(month)s. The station is the one
# of the cadre's latest assignment started by then (the active one when there is one).
LIVE_STANDINGS = """
SELECT c.id AS cadre_id, c.tier AS tier, post.station_id AS station_id,
       COALESCE(total.points, 0) AS points,
       RANK() OVER (PARTITION BY c.tier ORDER BY COALESCE(total.points, 0) DESC) AS rank_in_tier,
       RANK() OVER (ORDER BY COALESCE(total.points, 0) DESC) AS rank_overall
FROM liaison_cadre c
LEFT JOIN (
    SELECT a.cadre_id, a.station_id, a.end_date,
           ROW_NUMBER() OVER (
               PARTITION BY a.cadre_id ORDER BY a.start_date DESC, a.id DESC
           ) AS nth
    FROM liaison_assignment a
    WHERE a.start_date <= %({p}day)s
) post ON post.cadre_id = c.id AND post.nth = 1
LEFT JOIN (
    SELECT e.cadre_id, ROUND(SUM(e.points), 1) AS points
    FROM scoring_pointentry e
    WHERE e.booked_month = %({p}month)s
    GROUP BY e.cadre_id
) total ON total.cadre_id = c.id
WHERE (post.cadre_id IS NOT NULL AND (post.end_date IS NULL OR post.end_date >= %({p}day)s))
   OR total.cadre_id IS NOT NULL
"""

FROZEN_MONTH = """
SELECT r.cadre_id, r.tier, r.station_id, r.points, r.rank_in_tier, r.rank_overall
FROM scoring_monthlyrank r
JOIN scoring_rankingmonth m ON m.id = r.ranking_id
WHERE m.month = %({p}month)s
"""

# Quarter and year: the frozen months' points summed per cadre and ranked again; tier and
# station are those of the cadre's latest frozen month in the range, picked in the same
# GROUP BY as the sum by the largest "YYYY-MM-DD<value>" (dates are ISO text in SQLite and
# under PostgreSQL's default ISO DateStyle, which psycopg needs anyway): one pass over the
# months' rows, no join back whose row estimate could go wrong.
FROZEN_SUM = """
SELECT t.cadre_id, t.tier, t.station_id, t.points,
       RANK() OVER (PARTITION BY t.tier ORDER BY t.points DESC) AS rank_in_tier,
       RANK() OVER (ORDER BY t.points DESC) AS rank_overall
FROM (
    SELECT g.cadre_id, g.points, SUBSTR(g.tier, 11) AS tier,
           CAST(SUBSTR(g.station, 11) AS BIGINT) AS station_id
    FROM (
        SELECT r.cadre_id, ROUND(SUM(r.points), 1) AS points,
               MAX(CAST(m.month AS TEXT) || r.tier) AS tier,
               MAX(CAST(m.month AS TEXT) || CAST(r.station_id AS TEXT)) AS station
        FROM scoring_monthlyrank r
        JOIN scoring_rankingmonth m ON m.id = r.ranking_id
        WHERE m.month >= %({p}first)s AND m.month <= %({p}last)s
        GROUP BY r.cadre_id
    ) g
) t
"""

# The scope, region and tier filters look at the station's bureau path.
_STATION = """
LEFT JOIN stations_station st ON st.id = s.station_id
LEFT JOIN stations_bureau sb ON sb.id = st.bureau_id
"""

# The page: the filtered standings ranked once more (rank_here) and cut to the page first,
# then only the page's rows get names and their previous rank.
_ROWS = """
SELECT k.cadre_id, k.tier, k.points, k.rank_in_tier, k.rank_overall, k.rank_here,
       p.rank_in_tier AS previous_rank_in_tier, p.rank_overall AS previous_rank_overall,
       u.last_name, u.first_name, hb.name AS bureau, st.id AS station_id,
       st.name AS station, sb.name AS station_bureau
FROM (
    SELECT s.cadre_id, s.tier, s.station_id, s.points, s.rank_in_tier, s.rank_overall,
           RANK() OVER (ORDER BY s.points DESC) AS rank_here
    FROM ({current}) s
    {station}
    WHERE {where}
    ORDER BY s.points DESC, s.cadre_id
    {limit}
) k
JOIN liaison_cadre c ON c.id = k.cadre_id
JOIN liaison_user u ON u.id = c.user_id
JOIN stations_bureau hb ON hb.id = c.bureau_id
LEFT JOIN stations_station st ON st.id = k.station_id
LEFT JOIN stations_bureau sb ON sb.id = st.bureau_id
LEFT JOIN ({previous}) p ON p.cadre_id = k.cadre_id
ORDER BY k.points DESC, k.cadre_id
"""

_COUNT = """
SELECT COUNT(*) FROM ({current}) s
{station}
WHERE {where}
"""

PERIOD_CHOICES = [
    ("month", pgettext_lazy("ranking", "Month")),
    ("quarter", pgettext_lazy("ranking", "Quarter")),
    ("year", pgettext_lazy("ranking", "Year")),
]
_SPAN = {"month": 1, "quarter": 3, "year": 12}


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(month: dt.date) -> dt.date:
    return add_months(month.replace(day=1), 1) - dt.timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """A month, quarter or year, as its first and last month (first days)."""

    kind: str
    first: dt.date
    last: dt.date

    @classmethod
    def containing(cls, kind: str, day: dt.date) -> "Period":
        span = _SPAN[kind]
        first = dt.date(day.year, (day.month - 1) // span * span + 1, 1)
        return cls(kind, first, add_months(first, span - 1))

    @property
    def previous(self) -> "Period":
        return Period.containing(self.kind, add_months(self.first, -1))

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.first:%Y-%m}"
        if self.kind == "quarter":
            return rules.quarter_label(self.first)
        return _("Year %(year)d") % {"year": self.first.year}


@dataclass(frozen=True)
class Movement:
    """Against the previous period: ``kind`` is up, down, same, new (not ranked before), or
    "" when the previous period has no ranking at all."""

    kind: str
    steps: int = 0

    def __str__(self) -> str:
        if self.kind == "up":
            return f"↑{self.steps}"
        if self.kind == "down":
            return f"↓{self.steps}"
        if self.kind == "same":
            return "—"
        if self.kind == "new":
            return pgettext("ranking", "new")
        return ""


def movement(rank: int, previous: int | None, *, previous_known: bool) -> Movement:
    if not previous_known:
        return Movement("")
    if previous is None:
        return Movement("new")
    if previous > rank:
        return Movement("up", previous - rank)
    if previous < rank:
        return Movement("down", rank - previous)
    return Movement("same")


@dataclass(frozen=True)
class Standing:
    cadre_id: int
    name: str
    tier: str
    points: Decimal
    rank_in_tier: int
    rank_overall: int
    # Within the filtered set (scope, tier, region) of the page.
    rank_here: int
    bureau: str
    station_id: int | None
    station: str
    station_bureau: str
    movement: Movement

    @property
    def tier_label(self) -> str:
        return str(Tier(self.tier).label) if self.tier in Tier.values else self.tier


@dataclass(frozen=True)
class RankingFilters:
    period: Period
    tier: str = ""
    # A bureau path: only cadres whose station lies in that subtree.
    region_path: str | None = None


def _points(value) -> Decimal:
    """PostgreSQL returns Decimal; SQLite a float or int."""
    return Decimal(str(value or 0)).quantize(Decimal("0.1"))


def _subtree(alias: str, name: str, path: str) -> tuple[str, dict]:
    condition = f"({alias}.path = %({name})s OR {alias}.path LIKE %({name}_below)s)"
    return condition, {name: path, f"{name}_below": path + "/%"}


class Ranking:
    """The rows of one ranking as a lazy, sliceable sequence for ``Paginator``: ``count()``
    is one query, a slice is one query."""

    def __init__(self, *, scope: Scope, filters: RankingFilters, today: dt.date):
        self.scope = scope
        self.filters = filters
        self.today = today
        period = filters.period
        self.frozen = frozenset(frozen_months(period.previous.first, period.last))
        self.frozen_in_period = sorted(m for m in self.frozen if period.first <= m <= period.last)
        previous = period.previous
        # Movement needs the previous period's ranking: frozen, or provisional when this
        # one is provisional too (the first hours of a month, before the freeze has run).
        self.previous_live = self.provisional and previous.first not in self.frozen
        self.previous_known = self.previous_live or any(
            previous.first <= m <= previous.last for m in self.frozen
        )
        self._count = None

    @property
    def provisional(self) -> bool:
        """A month whose ranking is not frozen yet: points so far, from the ledger."""
        period = self.filters.period
        return period.kind == "month" and period.first not in self.frozen

    @property
    def months_booked(self) -> list[dt.date]:
        """The months whose ledger entries make up the points shown."""
        if self.provisional:
            return [self.filters.period.first]
        return self.frozen_in_period

    def _standings(self, period: Period, prefix: str, *, live: bool) -> tuple[str, dict]:
        if live:
            day = min(self.today, month_end(period.first))
            return LIVE_STANDINGS.format(p=prefix), {
                f"{prefix}month": period.first,
                f"{prefix}day": day,
            }
        if period.kind == "month":
            return FROZEN_MONTH.format(p=prefix), {f"{prefix}month": period.first}
        return FROZEN_SUM.format(p=prefix), {
            f"{prefix}first": period.first,
            f"{prefix}last": period.last,
        }

    def _current(self) -> tuple[str, dict]:
        period = self.filters.period
        return self._standings(period, "cur_", live=self.provisional and period.first <= self.today)

    def _previous(self) -> tuple[str, dict]:
        return self._standings(self.filters.period.previous, "prev_", live=self.previous_live)

    def _where(self, cadre_id: int | None = None) -> tuple[str, dict]:
        conditions, params = ["1 = 1"], {}
        if not self.scope.everything:
            if self.scope.bureau_path is None:
                conditions.append("1 = 0")
            else:
                condition, more = _subtree("sb", "scope", self.scope.bureau_path)
                conditions.append(condition)
                params |= more
        if self.filters.region_path:
            condition, more = _subtree("sb", "region", self.filters.region_path)
            conditions.append(condition)
            params |= more
        if self.filters.tier:
            conditions.append("s.tier = %(tier)s")
            params["tier"] = self.filters.tier
        if cadre_id is not None:
            conditions.append("s.cadre_id = %(cadre)s")
            params["cadre"] = cadre_id
        return " AND ".join(conditions), params

    def count(self) -> int:
        if self._count is None:
            current, params = self._current()
            where, more = self._where()
            sql = _COUNT.format(current=current, station=_STATION, where=where)
            with connection.cursor() as cursor:
                cursor.execute(sql, params | more)
                self._count = cursor.fetchone()[0]
        return self._count

    def __len__(self) -> int:
        return self.count()

    def _fetch(self, *, limit=None, offset=0, cadre_id=None) -> list[Standing]:
        current, params = self._current()
        previous, previous_params = self._previous()
        where, more = self._where(cadre_id)
        params |= previous_params | more
        page = ""
        if limit is not None:
            page = "LIMIT %(limit)s OFFSET %(offset)s"
            params |= {"limit": limit, "offset": offset}
        sql = _ROWS.format(
            current=current, previous=previous, station=_STATION, where=where, limit=page
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            columns = [c[0] for c in cursor.description]
            rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        return [self._standing(row) for row in rows]

    def _standing(self, row: dict) -> Standing:
        # Movement of the rank a reader looks at: within the tier when filtered by tier.
        by_tier = bool(self.filters.tier)
        rank = row["rank_in_tier"] if by_tier else row["rank_overall"]
        previous = row["previous_rank_in_tier"] if by_tier else row["previous_rank_overall"]
        return Standing(
            cadre_id=row["cadre_id"],
            name=f"{row['last_name']}{row['first_name']}",
            tier=row["tier"],
            points=_points(row["points"]),
            rank_in_tier=row["rank_in_tier"],
            rank_overall=row["rank_overall"],
            rank_here=row["rank_here"],
            bureau=row["bureau"],
            station_id=row["station_id"],
            station=row["station"] or "",
            station_bureau=row["station_bureau"] or "",
            movement=movement(rank, previous, previous_known=self.previous_known),
        )

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("Ranking supports plain slices only")
        start = index.start or 0
        if index.stop is None:
            return self._fetch()[start:]
        if index.stop <= start:
            return []
        return self._fetch(limit=index.stop - start, offset=start)

    def all(self) -> list[Standing]:
        return self._fetch()

    def standing_of(self, cadre_id: int) -> Standing | None:
        """One cadre's row, if the cadre is in this ranking and within the filters."""
        rows = self._fetch(cadre_id=cadre_id)
        return rows[0] if rows else None


def frozen_months(first: dt.date, last: dt.date) -> list[dt.date]:
    return list(
        RankingMonth.objects.filter(month__gte=first, month__lte=last).values_list(
            "month", flat=True
        )
    )


def ranking(*, scope: Scope, filters: RankingFilters, today: dt.date) -> Ranking:
    return Ranking(scope=scope, filters=filters, today=today)


@dataclass(frozen=True)
class RulePoints:
    code: str
    label: str
    points: Decimal
    entries: int  # live entries (neither reversed nor reversing)


def points_by_rule(*, cadre_id: int, months: list[dt.date]) -> list[RulePoints]:
    """A cadre's points per rule booked in ``months``, in the order of the rules. The sum
    over all entries is the net score (a reversal cancels the entry it reverses);
    ``entries`` counts the live ones."""
    rows = {
        r["code"]: r
        for r in PointEntry.objects.filter(cadre_id=cadre_id, booked_month__in=months)
        .values("code")
        .annotate(
            points=Sum("points"),
            entries=Count("pk", filter=Q(reverses__isnull=True, reversed=False)),
        )
        .order_by()
    }
    return [
        RulePoints(
            code=code,
            label=label,
            points=_points(rows[code]["points"]),
            entries=rows[code]["entries"],
        )
        for code, label in RuleCode.choices
        if code in rows
    ]
