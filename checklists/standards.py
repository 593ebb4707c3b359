"""Read side of the station standards (五有): the province-wide roll-up (province → city →
county → station) of which stations meet the standard, and the failures per item.

A station meets the standard when its latest audit (``StationAudit.is_latest``) has no
unmet item. Every function is a fixed number of queries: the stations are grouped by the
child unit's code, read from the materialised bureau path; the names of a page's units,
the unmet items of a page's stations and the failures per item are one query each.
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, FilteredRelation, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from checklists.models import AuditResult, ChecklistItem, TemplateCode
from stations.drilldown import path_code, row_level
from stations.models import Bureau, Station
from stations.querysets import subtree_q
from stations.scope import Scope


class Status:
    MET = "met"
    UNMET = "unmet"
    UNAUDITED = "unaudited"


@dataclass(frozen=True)
class Row:
    """A unit (code) or a station (station_id) with its counts of active stations."""

    name: str
    stations: int
    audited: int
    meeting: int
    code: str = ""
    station_id: int | None = None
    audit_id: int | None = None
    audited_on: object = None
    unmet: tuple[str, ...] = ()

    @property
    def not_meeting(self) -> int:
        return self.audited - self.meeting

    @property
    def not_audited(self) -> int:
        return self.stations - self.audited

    @property
    def meeting_rate(self) -> float | None:
        return round(100 * self.meeting / self.stations, 1) if self.stations else None


@dataclass(frozen=True)
class ItemFailures:
    code: str
    label: str
    failing: int


def stations_for(
    scope: Scope, unit: Bureau | None, *, status: str = "", item: str = ""
) -> QuerySet:
    """Active stations in scope under ``unit``, each joined to its latest audit
    (``latest``), filtered by the standard's status and by a failed item's code."""
    stations = Station.objects.in_scope(scope).active()
    if unit is not None:
        stations = stations.filter(subtree_q(Scope(bureau_path=unit.path), "bureau__path"))
    stations = stations.annotate(
        latest=FilteredRelation("five_haves_audits", condition=Q(five_haves_audits__is_latest=True))
    )
    if status == Status.MET:
        stations = stations.filter(latest__unmet_count=0)
    elif status == Status.UNMET:
        stations = stations.filter(latest__unmet_count__gt=0)
    elif status == Status.UNAUDITED:
        stations = stations.filter(latest__isnull=True)
    if item:
        stations = stations.filter(
            Exists(
                AuditResult.objects.filter(
                    audit__station=OuterRef("pk"),
                    audit__is_latest=True,
                    item__code=item,
                    item__template__code=TemplateCode.FIVE_HAVES,
                    met=False,
                )
            )
        )
    return stations


_COUNTS = {
    "n_stations": Count("pk"),
    "n_audited": Count("latest__pk"),
    "n_meeting": Count("pk", filter=Q(latest__unmet_count=0)),
}


def grouped(stations: QuerySet, unit: Bureau | None, scope: Scope) -> tuple[str, QuerySet]:
    """(level, rows one level below ``unit``): dicts for units, for stations one row each."""
    level = "station" if unit is None and scope.station_id is not None else row_level(unit)
    if level == "station":
        rows = stations.order_by("bureau__path", "code").values(
            "pk", "name", "latest__pk", "latest__audited_on", "latest__unmet_count"
        )
        return level, rows
    rows = (
        stations.annotate(key=path_code("bureau__path", level))
        .values("key")
        .annotate(**_COUNTS)
        .order_by("key")
    )
    return level, rows


def rows_of(level: str, data) -> list[Row]:
    """The page's rows as ``Row``s: the units' names (one query) or the stations' unmet
    items (one query)."""
    data = list(data)
    if level != "station":
        names = dict(
            Bureau.objects.filter(code__in=[d["key"] for d in data]).values_list("code", "name")
        )
        return [
            Row(
                name=names.get(d["key"], d["key"]),
                code=d["key"],
                stations=d["n_stations"],
                audited=d["n_audited"],
                meeting=d["n_meeting"],
            )
            for d in data
        ]
    audit_ids = [d["latest__pk"] for d in data if d["latest__pk"]]
    unmet: dict[int, list[str]] = {}
    if audit_ids:
        for audit_id, label in (
            AuditResult.objects.filter(audit_id__in=audit_ids, met=False)
            .order_by("order", "pk")
            .values_list("audit_id", "label")
        ):
            unmet.setdefault(audit_id, []).append(label)
    return [
        Row(
            name=d["name"],
            station_id=d["pk"],
            stations=1,
            audited=1 if d["latest__pk"] else 0,
            meeting=1 if d["latest__pk"] and d["latest__unmet_count"] == 0 else 0,
            audit_id=d["latest__pk"],
            audited_on=d["latest__audited_on"],
            unmet=tuple(unmet.get(d["latest__pk"], ())),
        )
        for d in data
    ]


def total(stations: QuerySet, name: str) -> Row:
    counts = stations.order_by().aggregate(**_COUNTS)
    return Row(
        name=name,
        stations=counts["n_stations"],
        audited=counts["n_audited"],
        meeting=counts["n_meeting"],
    )


def item_failures(stations: QuerySet) -> list[ItemFailures]:
    """Per five-haves item, how many of ``stations`` fail it in their latest audit (active
    items, and retired ones while a latest audit still fails them). One query."""
    failing = (
        AuditResult.objects.filter(
            audit__is_latest=True,
            audit__station__in=stations.values("pk"),
            item=OuterRef("pk"),
            met=False,
        )
        .order_by()
        .values("item")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    rows = (
        ChecklistItem.objects.filter(template__code=TemplateCode.FIVE_HAVES)
        .annotate(failing=Coalesce(Subquery(failing), 0))
        .order_by("order", "pk")
        .values_list("code", "label", "active", "failing")
    )
    return [
        ItemFailures(code=code, label=label, failing=n)
        for code, label, active, n in rows
        if active or n
    ]
