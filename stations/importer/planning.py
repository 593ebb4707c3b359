"""Checking typed rows against the stored tree and the user's scope (pure: no queries).

The service passes what the database holds for the file's codes; the result is every row
error, or the rows to write (only new and changed ones) with the counts.
"""

from dataclasses import dataclass, field, fields
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from stations.importer.columns import (
    COLUMN_BY_KEY,
    TIER_ORDER,
    TIER_WORDS,
    ImportSummary,
    RowError,
    word,
)
from stations.importer.parsing import BureauRow, Parsed, StationRow
from stations.models import Tier
from stations.scope import Scope


@dataclass(frozen=True)
class ExistingBureau:
    pk: int
    code: str
    name: str
    tier: str
    parent_code: str
    directly_administered: bool
    path: str
    has_stations: bool
    has_children: bool


@dataclass(frozen=True)
class ExistingStation:
    pk: int
    code: str
    name: str
    bureau_code: str
    bureau_path: str
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    active: bool


@dataclass(frozen=True)
class CoveredStation:
    """A stored station with an active assignment, and its cadre's home bureau path.

    Loaded for the file's stations and for the stations below the bureaus the file moves.
    """

    code: str
    bureau_code: str
    bureau_path: str
    cadre_bureau_path: str


@dataclass(frozen=True)
class BureauValues:
    code: str
    name: str
    tier: str
    parent_code: str
    directly_administered: bool
    path: str


@dataclass(frozen=True)
class StationValues:
    code: str
    name: str
    bureau_code: str
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    active: bool


@dataclass
class Plan:
    errors: list[RowError] = field(default_factory=list)
    bureaus: list[BureauValues] = field(default_factory=list)  # to write, province first
    stations: list[StationValues] = field(default_factory=list)  # to write
    summary: ImportSummary = field(default_factory=ImportSummary)


def under(path: str, base: str) -> bool:
    """Whether ``path`` is ``base`` or lies below it (the cadre jurisdiction rule too)."""
    return path == base or path.startswith(base + "/")


def within(scope: Scope, path: str) -> bool:
    if scope.everything:
        return True
    base = scope.bureau_path
    return base is not None and under(path, base)


def moved_bureau_paths(parsed: Parsed, bureaus: dict[str, ExistingBureau]) -> list[str]:
    """Stored paths of the bureaus the file gives another parent: their subtrees move."""
    return sorted(
        bureaus[row.code].path
        for row in parsed.bureaus
        if row.code in bureaus
        and row.tier != Tier.PROVINCE
        and row.parent_code
        and row.parent_code != bureaus[row.code].parent_code
    )


class _Tree:
    """Bureaus as they will be after the import: the file's rows over the database's."""

    def __init__(self, rows: dict[str, BureauRow], existing: dict[str, ExistingBureau]):
        self.rows = rows
        self.existing = existing
        self._paths: dict[str, str | None] = {}

    def known(self, code: str) -> bool:
        return code in self.rows or code in self.existing

    def tier(self, code: str) -> str | None:
        if code in self.rows:
            return self.rows[code].tier
        return self.existing[code].tier if code in self.existing else None

    def directly_administered(self, code: str) -> bool:
        row = self.rows.get(code)
        if row is not None and row.directly_administered is not None:
            return row.directly_administered
        existing = self.existing.get(code)
        return bool(existing and existing.directly_administered)

    def holds_stations(self, code: str) -> bool | None:
        tier = self.tier(code)
        if tier is None:
            return None
        return tier == Tier.COUNTY or (tier == Tier.CITY and self.directly_administered(code))

    def path(self, code: str) -> str | None:
        """The bureau's path after the import; None when it cannot be known (bad rows)."""
        if code in self._paths:
            return self._paths[code]
        self._paths[code] = None  # guards against a cycle of bad rows
        row = self.rows.get(code)
        if row is None:
            path = self.moved(self.existing[code].path) if code in self.existing else None
        elif row.tier == Tier.PROVINCE:
            path = code
        else:
            parent = self.path(row.parent_code) if row.parent_code else None
            path = f"{parent}/{code}" if parent else None
        self._paths[code] = path
        return path

    def moved(self, stored_path: str) -> str | None:
        """Where a stored bureau path lies after the import: below the new path of the
        deepest bureau of its chain that the file lists. None when that cannot be known."""
        codes = stored_path.split("/")
        for depth in range(len(codes), 0, -1):
            if codes[depth - 1] in self.rows:
                base = self.path(codes[depth - 1])
                return None if base is None else "/".join([base, *codes[depth:]])
        return stored_path


def plan_import(
    parsed: Parsed,
    *,
    bureaus: dict[str, ExistingBureau],
    stations: dict[str, ExistingStation],
    scope: Scope,
    covered: list[CoveredStation] | tuple[CoveredStation, ...] = (),
) -> Plan:
    """Check every row against the stored tree and the scope; the rows to write, or errors.

    ``bureaus`` holds the stored bureaus the file names (its rows and their parents),
    ``stations`` the stored stations with the file's station codes, ``covered`` the active
    assignments of those stations and of every station below a bureau the file moves
    (``moved_bureau_paths``): no import may take a covered station out of its cadre's
    jurisdiction or deactivate it.
    """
    planner = _Planner(parsed, bureaus, stations, scope, covered)
    for row in sorted(parsed.bureaus, key=lambda b: TIER_ORDER.index(b.tier or Tier.COUNTY)):
        planner.bureau(row)
    for row in parsed.stations:
        planner.station(row)
    planner.bureau_moves()
    return planner.plan


class _Planner:
    def __init__(self, parsed, bureaus, stations, scope, covered=()):
        self.parsed = parsed
        self.existing_bureaus = bureaus
        self.existing_stations = stations
        self.scope = scope
        self.covered = list(covered)
        self.cadre_paths: dict[str, list[str]] = {}  # station code → its cadres' home paths
        for c in self.covered:
            self.cadre_paths.setdefault(c.code, []).append(c.cadre_bureau_path)
        self.tree = _Tree({b.code: b for b in parsed.bureaus}, bureaus)
        self.plan = Plan(errors=list(parsed.errors))
        self.failed_rows = {e.row for e in parsed.errors}

    def error(self, row: int, key: str, message: str) -> None:
        label = self.parsed.labels.get(key) or str(COLUMN_BY_KEY[key].label)
        position = self.parsed.positions.get(key, 1000)
        self.plan.errors.append(RowError(row, label, message, position))
        self.failed_rows.add(row)

    def parent_row_failed(self, code: str) -> bool:
        """The parent's own row in the file is bad: its children are not judged by it.

        Parents are planned before their children (by tier), so its errors are known.
        """
        row = self.tree.rows.get(code)
        return row is not None and row.row in self.failed_rows

    def missing_parent(self, row: int, code: str) -> None:
        self.error(
            row,
            "parent",
            _("No bureau has code %(code)s, neither in the database nor in this file.")
            % {"code": code},
        )

    # Bureaus ---------------------------------------------------------------------------------

    def bureau(self, row: BureauRow) -> None:
        existing = self.existing_bureaus.get(row.code)
        if existing is not None and row.tier is not None and existing.tier != row.tier:
            self.error(
                row.row,
                "tier",
                _("Bureau %(code)s already exists as “%(tier)s”; an import cannot change its tier.")
                % {"code": row.code, "tier": word(TIER_WORDS, existing.tier)},
            )
        if row.tier == Tier.PROVINCE:
            if row.parent_code:
                self.error(
                    row.row, "parent", _("A provincial bureau has no parent: leave this empty.")
                )
        elif row.tier is not None:
            self.bureau_parent(row)
        if existing is not None:
            self.directly_administered_change(row, existing)
        path = self.tree.path(row.code)
        if row.row in self.failed_rows or path is None:
            return  # a path is unknown only when a reported error explains why
        if existing is not None and not within(self.scope, existing.path):
            self.error(
                row.row,
                "code",
                _("Code %(code)s belongs to a bureau outside your jurisdiction.")
                % {"code": row.code},
            )
        elif not within(self.scope, path):
            self.error(
                row.row,
                "code" if row.tier == Tier.PROVINCE else "parent",
                _("This bureau would lie outside your jurisdiction."),
            )
        else:
            self.keep_bureau(row, existing, path)

    def bureau_parent(self, row: BureauRow) -> None:
        if not row.parent_code:
            self.error(row.row, "parent", pgettext("import", "This value is required."))
            return
        if not self.tree.known(row.parent_code):
            self.missing_parent(row.row, row.parent_code)
            return
        parent_tier = self.tree.tier(row.parent_code)
        if parent_tier is None or self.parent_row_failed(row.parent_code):
            return  # the parent's own row is bad, and reported
        if row.tier == Tier.CITY and parent_tier != Tier.PROVINCE:
            self.error(
                row.row, "parent", _("The parent of a city bureau must be a provincial bureau.")
            )
        elif row.tier == Tier.COUNTY and (
            parent_tier != Tier.CITY or self.tree.directly_administered(row.parent_code)
        ):
            self.error(
                row.row,
                "parent",
                _(
                    "The parent of a county bureau must be a city bureau that is not directly "
                    "administered."
                ),
            )

    def directly_administered_change(self, row: BureauRow, existing: ExistingBureau) -> None:
        """A directly administered city holds stations and has no counties; keep it so."""
        if row.directly_administered is None:
            return  # the file has no such column: the stored value stays
        if existing.directly_administered and not row.directly_administered:
            if existing.has_stations:
                self.error(
                    row.row,
                    "directly_administered",
                    _(
                        "Bureau %(code)s still has stations: it cannot stop being directly "
                        "administered."
                    )
                    % {"code": row.code},
                )
        elif row.directly_administered and existing.has_children:
            self.error(
                row.row,
                "directly_administered",
                _(
                    "Bureau %(code)s has county bureaus below it: it cannot become directly "
                    "administered."
                )
                % {"code": row.code},
            )

    def keep_bureau(self, row: BureauRow, existing: ExistingBureau | None, path: str) -> None:
        values = BureauValues(
            code=row.code,
            name=row.name,
            tier=row.tier,
            parent_code=row.parent_code if row.tier != Tier.PROVINCE else "",
            directly_administered=self.tree.directly_administered(row.code),
            path=path,
        )
        if self.count_change("bureaus", values, existing):
            self.plan.bureaus.append(values)

    # Stations --------------------------------------------------------------------------------

    def station(self, row: StationRow) -> None:
        if not row.parent_code:
            return  # reported as required
        if not self.tree.known(row.parent_code):
            self.missing_parent(row.row, row.parent_code)
            return
        if self.parent_row_failed(row.parent_code):
            return  # the bureau's own row is bad, and reported
        holds = self.tree.holds_stations(row.parent_code)
        if holds is False:
            self.error(
                row.row,
                "parent",
                _("A station belongs to a county bureau or a directly administered city bureau."),
            )
            return
        path = self.tree.path(row.parent_code)
        if holds is None or path is None or row.row in self.failed_rows:
            return  # the bureau's own row is bad, or this row is: both reported
        existing = self.existing_stations.get(row.code)
        if existing is not None and not within(self.scope, existing.bureau_path):
            self.error(
                row.row,
                "code",
                _("Code %(code)s belongs to a station outside your jurisdiction.")
                % {"code": row.code},
            )
        elif not within(self.scope, path):
            self.error(row.row, "parent", _("This station would lie outside your jurisdiction."))
        else:
            self.keep_station(row, existing, path)

    def keep_station(self, row: StationRow, existing: ExistingStation | None, path: str) -> None:
        values = _station_values(row, self.parsed.present, existing)
        if existing is not None and not self.station_keeps_its_cadre(row, existing, values, path):
            return
        if self.count_change("stations", values, existing):
            self.plan.stations.append(values)

    def station_keeps_its_cadre(
        self, row: StationRow, existing: ExistingStation, values: StationValues, path: str
    ) -> bool:
        """A covered station stays active and inside its cadre's jurisdiction."""
        cadre_paths = self.cadre_paths.get(row.code)
        if not cadre_paths:
            return True
        ok = True
        if existing.active and not values.active:
            self.error(row.row, "active", covered_station_deactivated())
            ok = False
        if values.bureau_code != existing.bureau_code and not all(
            (cadre := self.tree.moved(p)) is None or under(path, cadre) for p in cadre_paths
        ):
            self.error(row.row, "parent", station_outside_cadre_jurisdiction())
            ok = False
        return ok

    def bureau_moves(self) -> None:
        """A bureau the file moves takes its stored stations along: none of them may leave
        its cadre's jurisdiction. Each bureau row is charged with the stations it breaks."""
        stations_in_file = {s.code: s for s in self.parsed.stations}
        broken: dict[int, list[str]] = {}
        for c in self.covered:
            row = stations_in_file.get(c.code)
            if row is not None and row.parent_code != c.bureau_code:
                continue  # the station's own row moves it, and is judged there
            station, cadre = self.tree.moved(c.bureau_path), self.tree.moved(c.cadre_bureau_path)
            if station is None or cadre is None or station == c.bureau_path:
                continue
            if under(station, cadre):
                continue
            culprit = self.moving_bureau(c.bureau_path)
            if culprit is not None:
                broken.setdefault(culprit.row, []).append(c.code)
        for number, codes in sorted(broken.items()):
            self.error(number, "parent", stations_outside_cadre_jurisdiction(codes))

    def moving_bureau(self, stored_path: str) -> BureauRow | None:
        """The deepest bureau of a stored chain that the file gives another parent."""
        for code in reversed(stored_path.split("/")):
            row = self.tree.rows.get(code)
            existing = self.existing_bureaus.get(code)
            if row is not None and existing is not None and row.parent_code != existing.parent_code:
                return row
        return None

    # Both ------------------------------------------------------------------------------------

    def count_change(
        self,
        kind: str,
        values: BureauValues | StationValues,
        existing: ExistingBureau | ExistingStation | None,
    ) -> bool:
        """Count the row in the summary's ``<kind>_created``, ``_updated`` or ``_unchanged``
        (``kind`` is "bureaus" or "stations"); whether it is to be written."""
        if existing is None:
            outcome = "created"
        elif values == _stored_values(values, existing):
            outcome = "unchanged"
        else:
            outcome = "updated"
        counter = f"{kind}_{outcome}"
        setattr(self.plan.summary, counter, getattr(self.plan.summary, counter) + 1)
        return outcome != "unchanged"


# Messages shared with the admin forms, which keep the same invariants.


def covered_station_deactivated() -> str:
    return _("This station has a liaison cadre: end the assignment before deactivating it.")


def station_outside_cadre_jurisdiction() -> str:
    return _(
        "Moved there, the station would lie outside its liaison cadre's jurisdiction; end the "
        "assignment first."
    )


def stations_outside_cadre_jurisdiction(codes: list[str]) -> str:
    """A bureau move: how many covered stations below it would break, and (some of) which."""
    codes = sorted(codes)
    shown = ", ".join(codes[:5]) + (", …" if len(codes) > 5 else "")
    return ngettext(
        "Moved there, %(count)d station below this bureau would lie outside its liaison "
        "cadre's jurisdiction: %(codes)s. End the assignment first.",
        "Moved there, %(count)d stations below this bureau would lie outside their liaison "
        "cadres' jurisdiction: %(codes)s. End those assignments first.",
        len(codes),
    ) % {"count": len(codes), "codes": shown}


def _stored_values(values, existing):
    """The stored record's fields as the same kind of values, to compare with ``values``."""
    return type(values)(**{f.name: getattr(existing, f.name) for f in fields(values)})


def _station_values(row: StationRow, present, existing: ExistingStation | None) -> StationValues:
    """A column left out of the file keeps the stored value; a blank cell means the default."""
    keep = existing is not None
    latitude, longitude = row.latitude, row.longitude
    if keep and "latitude" not in present and "longitude" not in present:
        latitude, longitude = existing.latitude, existing.longitude
    if keep and "active" not in present:
        active = existing.active
    else:
        active = True if row.active is None else row.active
    return StationValues(
        code=row.code,
        name=row.name,
        bureau_code=row.parent_code,
        address=existing.address if keep and "address" not in present else row.address,
        latitude=latitude,
        longitude=longitude,
        active=active,
    )
