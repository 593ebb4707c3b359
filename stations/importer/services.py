"""The import service: load what is stored for the file's codes, plan, write in one go.

Set-based: one query loads the stored bureaus the file names, one the stored stations, one
the active assignments the file could affect (its stations and those below the bureaus it
moves, through the reverse relation by name: stations never imports liaison). Bureaus are
upserted by code one tier at a time (a parent before its children), paths are rebuilt,
then stations are upserted by code, in batches. Nothing is written unless every row is
good. The bulk upserts bypass django-simple-history: imported changes leave no history
rows.
"""

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from stations.importer.columns import TIER_ORDER, ImportRejected, ImportSummary
from stations.importer.files import read_table
from stations.importer.parsing import Table, parse_rows
from stations.importer.planning import (
    CoveredStation,
    ExistingBureau,
    ExistingStation,
    Plan,
    moved_bureau_paths,
    plan_import,
)
from stations.models import Bureau, Station
from stations.scope import Scope
from stations.services import rebuild_bureau_paths

BATCH_SIZE = 1000


def import_file(file, *, filename: str, scope: Scope, dry_run: bool = False) -> ImportSummary:
    """Read an uploaded or opened .xlsx/.csv file and import it; see ``import_table``."""
    return import_table(read_table(file, filename=filename), scope=scope, dry_run=dry_run)


@transaction.atomic
def import_table(table: Table, *, scope: Scope, dry_run: bool = False) -> ImportSummary:
    """Upsert the table's bureaus and stations by code, all or nothing.

    Raises ImportRejected with every row error (nothing written). With ``dry_run`` the
    checks run and the counts are returned, but nothing is written.
    """
    parsed = parse_rows(table)
    if not parsed.header_ok:
        raise ImportRejected(parsed.errors)
    stored_bureaus = _stored_bureaus(parsed.bureau_codes())
    plan = plan_import(
        parsed,
        bureaus=stored_bureaus,
        stations=_stored_stations(parsed.station_codes()),
        scope=scope,
        covered=_covered_stations(
            parsed.station_codes(), moved_bureau_paths(parsed, stored_bureaus)
        ),
    )
    if plan.errors:
        raise ImportRejected(plan.errors)
    plan.summary.dry_run = dry_run
    if not dry_run:
        _write(plan, bureau_ids={code: b.pk for code, b in stored_bureaus.items()})
    return plan.summary


def _stored_bureaus(codes: set[str]) -> dict[str, ExistingBureau]:
    if not codes:
        return {}
    rows = (
        Bureau.objects.filter(code__in=codes)
        .annotate(
            has_stations=Exists(Station.objects.filter(bureau=OuterRef("pk"))),
            has_children=Exists(Bureau.objects.filter(parent=OuterRef("pk"))),
        )
        .values_list(
            "pk",
            "code",
            "name",
            "tier",
            "parent__code",
            "directly_administered",
            "path",
            "has_stations",
            "has_children",
        )
    )
    return {
        code: ExistingBureau(pk, code, name, tier, parent or "", direct, path, stations, kids)
        for pk, code, name, tier, parent, direct, path, stations, kids in rows
    }


def _stored_stations(codes: set[str]) -> dict[str, ExistingStation]:
    if not codes:
        return {}
    rows = Station.objects.filter(code__in=codes).values_list(
        "pk",
        "code",
        "name",
        "bureau__code",
        "bureau__path",
        "address",
        "latitude",
        "longitude",
        "active",
    )
    return {row[1]: ExistingStation(*row) for row in rows}


def _covered_stations(codes: set[str], moved_paths: list[str]) -> list[CoveredStation]:
    """Stations with an active assignment among ``codes`` or below ``moved_paths``, with
    their cadre's home bureau path: one query."""
    where = Q(code__in=codes) if codes else Q()
    for path in moved_paths:
        below = Q(bureau__path=path) | Q(bureau__path__startswith=f"{path}/")
        where = where | below if where else below
    if not where:
        return []
    # One join: "end_date IS NULL" alone would also match a station with no assignment.
    rows = Station.objects.filter(
        where, assignments__end_date__isnull=True, assignments__isnull=False
    ).values_list("code", "bureau__code", "bureau__path", "assignments__cadre__bureau__path")
    return [CoveredStation(*row) for row in rows]


def _write(plan: Plan, *, bureau_ids: dict[str, int]) -> None:
    """``bureau_ids``: the stored bureaus the file names; it gains the new ones as they come."""
    bureau_ids = dict(bureau_ids)
    for tier in TIER_ORDER:  # a parent is stored before its children need its id
        bureaus = [
            Bureau(
                code=b.code,
                name=b.name,
                tier=b.tier,
                parent_id=bureau_ids[b.parent_code] if b.parent_code else None,
                directly_administered=b.directly_administered,
                path=b.path,
            )
            for b in plan.bureaus
            if b.tier == tier
        ]
        Bureau.objects.bulk_create(
            bureaus,
            batch_size=BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name", "parent", "directly_administered", "path"],
        )
        bureau_ids.update((b.code, b.pk) for b in bureaus)
    if plan.bureaus:
        rebuild_bureau_paths()  # a moved bureau's stored descendants follow it
    Station.objects.bulk_create(
        [
            Station(
                code=s.code,
                name=s.name,
                bureau_id=bureau_ids[s.bureau_code],
                address=s.address,
                latitude=s.latitude,
                longitude=s.longitude,
                active=s.active,
            )
            for s in plan.stations
        ],
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "bureau", "address", "latitude", "longitude", "active"],
    )
