"""Read-side queries for visit compliance (走访达标率): the DHIS2-style reporting-rate table,
the monthly trend per tier, due-soon and missed lists, and predictable visiting patterns.

Everything is derived from ``PeriodRecord`` rows (kept by the daily sweep) and from the
current-period columns on ``Assignment``. One GROUP BY query per question; the unit a row
belongs to is read from the station's materialised bureau path ("420000/420100/420102"), so
no table grows with the number of rows it shows.
"""

import datetime as dt
import math
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import (
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import (
    Coalesce,
    ExtractHour,
    ExtractIsoWeekDay,
    NullIf,
    RowNumber,
    TruncMonth,
)
from django.utils.dates import WEEKDAYS

from liaison import rules
from liaison.models import Assignment, Cadre, PeriodRecord, PeriodStatus, Visit
from liaison.periods import TIERS, months_between
from stations.drilldown import breadcrumb as breadcrumb  # re-exported for the pages
from stations.drilldown import default_unit as default_unit  # re-exported for the pages
from stations.drilldown import path_code, row_level
from stations.models import Bureau, Station, Tier
from stations.querysets import subtree_q
from stations.scope import Scope

SHANGHAI = ZoneInfo("Asia/Shanghai")

# The bureau path of the station a period record belongs to.
PATH = "assignment__station__bureau__path"

# Missed periods of this many days back are listed for bureaus.
RECENT_MISSED_DAYS = 30
# Predictable patterns: this many most recent unannounced visits per cadre, within this
# look-back (older visits say little about how predictable a cadre is now).
RECENT_VISITS = 8
PREDICTABLE_LOOKBACK_DAYS = 180
# A necessary condition of rules.is_predictable: the most frequent slot of a predictable
# cadre holds at least this many visits. The SQL pre-filters on it; the rule decides.
_MIN_TOP_SLOT = math.ceil(rules.PREDICTABLE_MIN_VISITS * rules.PREDICTABLE_SHARE)


def _percent(part: int, whole: int) -> float | None:
    return None if not whole else round(100 * part / whole, 1)


@dataclass(frozen=True)
class Counts:
    """Required periods and how they ended. Rates are percentages, None without periods."""

    required: int = 0
    met: int = 0
    on_time: int = 0
    missed: int = 0

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(
            self.required + other.required,
            self.met + other.met,
            self.on_time + other.on_time,
            self.missed + other.missed,
        )

    @property
    def rate(self) -> float | None:
        return _percent(self.met, self.required)

    @property
    def on_time_rate(self) -> float | None:
        return _percent(self.on_time, self.required)


_COUNTS = {
    "required": Count("id"),
    "met": Count("id", filter=Q(status=PeriodStatus.MET)),
    "on_time": Count("id", filter=Q(met_on_time=True)),
    "missed": Count("id", filter=Q(status=PeriodStatus.MISSED)),
}


def _counts(row: dict) -> Counts:
    return Counts(row["required"], row["met"], row["on_time"], row["missed"])


@dataclass(frozen=True)
class Filters:
    """Periods whose last day lies in ``start``..``end`` (inclusive); ``tier`` "" = all."""

    start: dt.date
    end: dt.date
    tier: str = ""


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    counts: Counts
    # The bureau code to drill into; None on station rows.
    unit: str | None = None
    station_id: int | None = None
    cadre: str = ""


@dataclass(frozen=True)
class Table:
    level: str
    rows: list[Row]

    @property
    def total(self) -> Counts:
        return sum((r.counts for r in self.rows), Counts())


def _records(scope: Scope, unit: Bureau | None, filters: Filters):
    records = PeriodRecord.objects.filter(
        period_end__gte=filters.start, period_end__lte=filters.end
    )
    if filters.tier:
        records = records.filter(tier=filters.tier)
    if not scope.everything:
        if scope.bureau_path is None:
            return records.none()
        records = records.filter(subtree_q(scope, PATH))
    if unit is not None:
        records = records.filter(subtree_q(Scope(bureau_path=unit.path), PATH))
    return records


def _unit_key(level: str):
    """The code of the row a record falls in, from the station's bureau path."""
    if level in ("province", "city"):
        return path_code(PATH, level)
    # County-level unit: the county's code when the path has one, else the station's own
    # bureau (a directly administered city holds its stations itself).
    county = NullIf(path_code(PATH, "county"), Value(""))
    return Coalesce(county, F("assignment__station__bureau__code"))


def _bureau_rows(scope: Scope, unit: Bureau | None, filters: Filters, level: str) -> list[Row]:
    per_unit = {
        r["key"]: _counts(r)
        for r in _records(scope, unit, filters)
        .annotate(key=_unit_key(level))
        .values("key")
        .annotate(**_COUNTS)
        .order_by()
    }
    children = Bureau.objects.in_scope(scope)
    children = children.filter(parent=unit) if unit else children.filter(tier=Tier.PROVINCE)
    names = dict(children.values_list("code", "name"))
    codes = sorted(set(names) | set(per_unit))
    return [Row(c, names.get(c, c), per_unit.get(c, Counts()), unit=c) for c in codes]


def _station_rows(scope: Scope, unit: Bureau, filters: Filters) -> list[Row]:
    per_pair = list(
        _records(scope, unit, filters)
        .values(
            "assignment__station_id",
            "assignment__cadre_id",
            "assignment__cadre__user__last_name",
            "assignment__cadre__user__first_name",
        )
        .annotate(**_COUNTS)
        .order_by()
    )
    with_records = {r["assignment__station_id"] for r in per_pair}
    stations = {
        s.pk: s
        for s in Station.objects.in_scope(scope)
        .filter(bureau=unit)
        .filter(Q(active=True) | Q(pk__in=with_records))
    }
    rows = [
        Row(
            stations[r["assignment__station_id"]].code,
            stations[r["assignment__station_id"]].name,
            _counts(r),
            station_id=r["assignment__station_id"],
            cadre=(
                r["assignment__cadre__user__last_name"] + r["assignment__cadre__user__first_name"]
            ),
        )
        for r in per_pair
        if r["assignment__station_id"] in stations
    ]
    rows += [
        Row(s.code, s.name, Counts(), station_id=s.pk)
        for s in stations.values()
        if s.pk not in with_records
    ]
    return sorted(rows, key=lambda r: (r.code, r.cadre))


def compliance_table(*, scope: Scope, unit: Bureau | None, filters: Filters) -> Table:
    """Rows one level below ``unit`` (within the scope): required periods, met, met on time,
    missed. Two queries: the GROUP BY over period records and the list of child units (so
    units with no required period still show, with a blank rate)."""
    level = row_level(unit)
    if level == "station":
        rows = _station_rows(scope, unit, filters)
    else:
        rows = _bureau_rows(scope, unit, filters, level)
    return Table(level=level, rows=rows)


# --- The monthly trend ---------------------------------------------------------------------


@dataclass(frozen=True)
class Trend:
    months: list[dt.date]
    # tier → compliance rate (percent, None without required periods) per month.
    rates: dict[str, list[float | None]]


def monthly_trend(*, scope: Scope, unit: Bureau | None, filters: Filters) -> Trend:
    """Compliance per tier by month of period end over the range (one query)."""
    per_month = {
        (r["month"], r["tier"]): _counts({**r, "on_time": 0, "missed": 0})
        for r in _records(scope, unit, filters)
        .annotate(month=TruncMonth("period_end", output_field=DateField()))
        .values("month", "tier")
        .annotate(required=_COUNTS["required"], met=_COUNTS["met"])
        .order_by()
    }
    months = months_between(filters.start, filters.end)
    tiers = [filters.tier] if filters.tier else list(TIERS)
    rates = {tier: [per_month.get((m, tier), Counts()).rate for m in months] for tier in tiers}
    return Trend(months=months, rates=rates)


# --- Due soon, recently missed, predictable ------------------------------------------------


def due_soon_q(today: dt.date) -> Q:
    """The current period is required (it began on or after the assignment's start), unmet,
    and its deadline is within the tier's due-soon days (rules.is_due_soon, in SQL)."""
    soon = Q()
    for tier, days in rules.DUE_SOON_DAYS.items():
        soon |= Q(
            cadre__tier=tier,
            period_end__gte=today,
            period_end__lt=today + dt.timedelta(days=days),
        )
    return Q(period_met=False, period_start__gte=F("start_date")) & soon


def due_soon_assignments(*, scope: Scope, today: dt.date, include_unknown: bool = True):
    """Active assignments in scope whose current period is due soon; with
    ``include_unknown``, also those whose current period the sweep has not set yet."""
    condition = due_soon_q(today)
    if include_unknown:
        condition |= Q(period_end__isnull=True)
    return (
        Assignment.objects.in_scope(scope)
        .active()
        .filter(condition)
        .annotate(
            days_left=ExpressionWrapper(
                F("period_end") - Value(today, output_field=DateField()),
                output_field=DurationField(),
            )
        )
        .select_related("cadre__user", "station__bureau")
        .order_by(F("period_end").asc(nulls_last=True), "station__code", "pk")
    )


def recent_missed(*, scope: Scope, today: dt.date, days: int = RECENT_MISSED_DAYS):
    """Missed periods in scope that ended within the last ``days`` days."""
    records = PeriodRecord.objects.filter(
        status=PeriodStatus.MISSED,
        period_end__gte=today - dt.timedelta(days=days),
        period_end__lt=today,
    )
    if not scope.everything:
        records = records.filter(subtree_q(scope, PATH)) if scope.bureau_path else records.none()
    return records.select_related(
        "assignment__cadre__user", "assignment__station__bureau"
    ).order_by("-period_end", "assignment__station__code", "pk")


@dataclass(frozen=True)
class Predictable:
    cadre: Cadre
    weekday: int  # ISO: 1 = Monday
    hour: int
    count: int
    total: int

    @property
    def weekday_label(self) -> str:
        return WEEKDAYS[self.weekday - 1]


def _slot_counts(scope: Scope, today: dt.date):
    """(cadre, weekday, hour, visits) over each cadre's last unannounced visits, computed in
    SQL in the Asia/Shanghai calendar."""
    visits = Visit.objects.filter(
        unannounced=True,
        visited_on__gte=today - dt.timedelta(days=PREDICTABLE_LOOKBACK_DAYS),
        visited_on__lte=today,
    )
    if not scope.everything:
        if scope.bureau_path is None:
            return visits.none()
        visits = visits.filter(subtree_q(scope, "station__bureau__path"))
    recent = visits.annotate(
        n=Window(RowNumber(), partition_by=F("cadre_id"), order_by=F("visited_at").desc())
    ).filter(n__lte=RECENT_VISITS)
    return (
        Visit.objects.filter(pk__in=recent.values("pk"))
        .annotate(
            weekday=ExtractIsoWeekDay("visited_at", tzinfo=SHANGHAI),
            hour=ExtractHour("visited_at", tzinfo=SHANGHAI),
        )
        .values("cadre_id", "weekday", "hour")
        .annotate(visits=Count("id"))
        .order_by()
    )


def predictable_cadres(*, scope: Scope, today: dt.date) -> list[Predictable]:
    """Cadres in scope whose recent unannounced visits keep falling on the same weekday and
    hour (rules.is_predictable). Two queries: the slot counts of candidate cadres, and the
    flagged cadres with their current station."""
    slots = _slot_counts(scope, today)
    candidates = slots.filter(visits__gte=_MIN_TOP_SLOT).values("cadre_id")
    per_cadre: dict[int, list[tuple[int, int, int]]] = {}
    for r in slots.filter(cadre_id__in=candidates):
        per_cadre.setdefault(r["cadre_id"], []).append((r["weekday"], r["hour"], r["visits"]))
    flagged = {}
    for cadre_id, counts in per_cadre.items():
        slot_list = [(wd, hr) for wd, hr, n in counts for _ in range(n)]
        if rules.is_predictable(slot_list):
            weekday, hour, top = max(counts, key=lambda c: (c[2], -c[0], -c[1]))
            flagged[cadre_id] = (weekday, hour, top, len(slot_list))
    if not flagged:
        return []
    station = Assignment.objects.filter(cadre=OuterRef("pk"), end_date__isnull=True)
    cadres = (
        Cadre.objects.filter(pk__in=flagged)
        .select_related("user", "bureau")
        .annotate(station_name=Subquery(station.values("station__name")[:1]))
        .order_by("bureau__path", "user__last_name", "pk")
    )
    return [Predictable(c, *flagged[c.pk]) for c in cadres]
