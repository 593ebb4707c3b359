"""The data of a bureau's assessment report (公安机关考核报告): coverage and the 20/30/50
split, visit compliance, problem counters, the top and bottom of the month's ranking, and
one row per station. Set-based: the number of queries does not grow with the number of
stations (a county has about 15, a province 1,504; see the test)."""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Count, F, OuterRef, Q, Subquery, Window
from django.db.models.functions import Concat, Rank, RowNumber, TruncDate
from django.utils.translation import gettext as _

from checklists.counters import Counters, problem_counters
from checklists.models import Problem, ProblemStatus
from checklists.models.problems import OPEN_STATUSES
from checklists.standards import ItemFailures, item_failures, stations_for
from checklists.standards import Row as FiveHavesRow
from checklists.standards import total as five_haves_total
from checklists.support_figures import SupportFigures, support_figures
from liaison.compliance import PATH, Counts, Filters, Table, compliance_table
from liaison.models import Assignment, PeriodRecord, PeriodStatus
from liaison.reports import SplitRow, split_report
from liaison.secondments.selectors import YearSummary, year_summary
from scoring.models import MonthlyRank, RankingMonth
from scoring.reports.period import ReportPeriod
from stations.models import Bureau, Station, Tier
from stations.querysets import subtree_q
from stations.scope import Scope
from stations.staffing.selectors import Table as StaffingTable
from stations.staffing.selectors import staffing_table

SHANGHAI = ZoneInfo("Asia/Shanghai")
# How many cadres the report lists at the top and at the bottom of the ranking.
RANKING_EDGE = 10


@dataclass(frozen=True)
class StationLine:
    code: str
    name: str
    county: str
    cadre: str
    tier: str
    compliance: Counts
    collected: int
    solved: int
    open: int

    @property
    def tier_label(self) -> str:
        return Tier(self.tier).label if self.tier else ""


@dataclass(frozen=True)
class RankRow:
    place: int  # rank within the bureau's subtree (ties share)
    cadre: str
    tier: str
    station: str
    points: object
    rank_in_tier: int
    rank_overall: int

    @property
    def tier_label(self) -> str:
        return Tier(self.tier).label if self.tier in Tier.values else self.tier


def _rank_row(rank: MonthlyRank) -> RankRow:
    return RankRow(
        place=rank.place,
        cadre=str(rank.cadre.user),
        tier=rank.tier,
        station=rank.station.name if rank.station else "",
        points=rank.points,
        rank_in_tier=rank.rank_in_tier,
        rank_overall=rank.rank_overall,
    )


@dataclass(frozen=True)
class Ranking:
    month: dt.date
    frozen: bool
    # Ranked cadres whose station (at freeze time) lies in the bureau's subtree.
    ranked: int = 0
    top: tuple[RankRow, ...] = ()
    bottom: tuple[RankRow, ...] = ()


@dataclass(frozen=True)
class BureauReport:
    bureau: Bureau
    period: ReportPeriod
    today: dt.date
    split: SplitRow
    split_units: list[SplitRow]
    compliance: Table
    counters_period: Counters
    counters_all: Counters
    ranking: Ranking
    stations: list[StationLine]
    # The two 40 % ratios of the bureau and its children, as of the period's end (issue 6).
    staffing: StaffingTable | None = None
    # Station standards (五有, issue 6): the bureau's active stations audited / meeting the
    # standard in their latest audit, and how many fail each item.
    five_haves: FiveHavesRow | None = None
    five_haves_items: list[ItemFailures] | None = None
    # Station support (驻所帮扶) requests starting in the period and the opinion list (意见清单)
    # received in it (issue 6).
    support: SupportFigures | None = None
    # Secondments (挂职, issue 6): the batch current at the period's end, stations in scope.
    secondments: YearSummary | None = None

    @property
    def coverage_rate(self) -> float | None:
        total = self.split.total
        return round(100 * self.split.covered / total, 1) if total else None

    @property
    def counter_rows(self) -> list[tuple[str, Counters]]:
        return [
            (_("Published in the period"), self.counters_period),
            (_("All to date"), self.counters_all),
        ]

    @property
    def ranking_tables(self) -> list[tuple[str, tuple]]:
        return [
            (_("Top %(count)d") % {"count": RANKING_EDGE}, self.ranking.top),
            (_("Bottom %(count)d") % {"count": RANKING_EDGE}, self.ranking.bottom),
        ]


def _ranking(scope: Scope, month: dt.date) -> Ranking:
    """The month's frozen ranks of cadres at stations in scope: the first and last
    ``RANKING_EDGE`` by overall rank, in one windowed query."""
    if not RankingMonth.objects.filter(month=month).exists():
        return Ranking(month, False)
    ordered = [F("rank_overall").asc(), F("cadre_id").asc()]
    ranks = list(
        MonthlyRank.objects.filter(ranking__month=month)
        .filter(subtree_q(scope, "station__bureau__path"))
        .annotate(
            place=Window(Rank(), order_by=F("points").desc()),
            position=Window(RowNumber(), order_by=ordered),
            ranked=Window(Count("id")),
        )
        .filter(Q(position__lte=RANKING_EDGE) | Q(position__gt=F("ranked") - RANKING_EDGE))
        .select_related("cadre__user", "station")
        .order_by("position")
    )
    if not ranks:
        return Ranking(month, True)
    top = tuple(_rank_row(r) for r in ranks if r.position <= RANKING_EDGE)
    bottom = tuple(_rank_row(r) for r in ranks if r.position > RANKING_EDGE)
    return Ranking(month, True, ranks[0].ranked, top, bottom)


def _station_lines(scope: Scope, period: ReportPeriod, today: dt.date) -> list[StationLine]:
    """One line per active station in scope: the cadre covering it at the end of the period
    (or today, if earlier), compliance in the period, problems. Three queries."""
    day = min(period.end, today)
    covering = (
        Assignment.objects.filter(station=OuterRef("pk"), start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .order_by("-start_date")
    )
    stations = (
        Station.objects.in_scope(scope)
        .active()
        .annotate(
            cadre_name=Subquery(
                covering.annotate(
                    n=Concat("cadre__user__last_name", "cadre__user__first_name")
                ).values("n")[:1]
            ),
            cadre_tier=Subquery(covering.values("cadre__tier")[:1]),
        )
        .order_by("bureau__path", "code")
        .values_list("pk", "code", "name", "bureau__name", "cadre_name", "cadre_tier")
    )
    compliance = {
        r["assignment__station_id"]: Counts(r["required"], r["met"], r["on_time"], r["missed"])
        for r in PeriodRecord.objects.filter(
            period_end__gte=period.start, period_end__lte=period.end
        )
        .filter(subtree_q(scope, PATH))
        .values("assignment__station_id")
        .annotate(
            required=Count("id"),
            met=Count("id", filter=Q(status=PeriodStatus.MET)),
            on_time=Count("id", filter=Q(met_on_time=True)),
            missed=Count("id", filter=Q(status=PeriodStatus.MISSED)),
        )
        .order_by()
    }
    in_period = {"published_on__gte": period.start, "published_on__lte": period.end}
    closed = {"closed_on__gte": period.start, "closed_on__lte": period.end}
    problems = {
        r["station_id"]: r
        for r in Problem.objects.filter(subtree_q(scope, "station__bureau__path"))
        .annotate(published_on=TruncDate("published_at", tzinfo=SHANGHAI))
        .filter(Q(**in_period) | Q(**closed) | Q(status__in=OPEN_STATUSES))
        .values("station_id")
        .annotate(
            collected=Count("id", filter=Q(**in_period)),
            solved=Count("id", filter=Q(status=ProblemStatus.CLOSED, **closed)),
            open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        )
        .order_by()
    }
    empty = {"collected": 0, "solved": 0, "open": 0}
    return [
        StationLine(
            code=code,
            name=name,
            county=county,
            cadre=cadre or "",
            tier=tier or "",
            compliance=compliance.get(pk, Counts()),
            **{k: problems.get(pk, empty)[k] for k in empty},
        )
        for pk, code, name, county, cadre, tier in stations
    ]


def bureau_report(*, bureau: Bureau, period: ReportPeriod, today: dt.date) -> BureauReport:
    """Everything the bureau's report prints, for the bureau's whole subtree. About a dozen
    queries, however many stations."""
    scope = Scope(bureau_path=bureau.path)
    split, units = split_report(scope)
    problems = Problem.objects.in_scope(scope).annotate(
        published_on=TruncDate("published_at", tzinfo=SHANGHAI)
    )
    return BureauReport(
        bureau=bureau,
        period=period,
        today=today,
        split=split,
        split_units=units,
        compliance=compliance_table(
            scope=scope, unit=bureau, filters=Filters(start=period.start, end=period.end)
        ),
        counters_period=problem_counters(
            problems.filter(published_on__gte=period.start, published_on__lte=period.end),
            today=today,
        ),
        counters_all=problem_counters(problems, today=today),
        ranking=_ranking(scope, period.months[-1]),
        stations=_station_lines(scope, period, today),
        staffing=staffing_table(scope=scope, unit=bureau, day=min(period.end, today)),
        five_haves=five_haves_total(stations_for(scope, None), bureau.name),
        five_haves_items=item_failures(stations_for(scope, None)),
        support=support_figures(scope=scope, start=period.start, end=period.end),
        secondments=year_summary(scope, min(period.end, today)),
    )


def station_count(bureau: Bureau) -> int:
    """Active stations in the bureau's subtree: decides whether the report renders in the
    background."""
    return Station.objects.in_scope(Scope(bureau_path=bureau.path)).active().count()
