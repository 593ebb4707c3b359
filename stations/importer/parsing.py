"""Reading cells into typed rows: what a row says wrongly on its own, without the database."""

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl.utils.datetime import from_excel

from stations.importer.columns import (
    ADDRESS_MAX,
    BUREAU,
    BUREAU_CODE,
    COLUMN_BY_KEY,
    COLUMNS,
    KIND_WORDS,
    NAME_MAX,
    SIX_PLACES,
    STATION,
    STATION_CODE,
    TIER_WORDS,
    YES_NO_WORDS,
    RowError,
    file_label,
    header_vocabulary,
    norm,
    vocabulary,
    word,
)
from stations.models import Tier

# C0 and C1 control characters and DEL: no name, code or address holds one, and PostgreSQL
# refuses NUL in text. Leading and trailing whitespace (tabs, line breaks) is stripped first.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass
class Table:
    """What a reader found: the header cells with their row number, then the data rows."""

    header_row: int
    header: list
    rows: list[tuple[int, list]]


@dataclass
class BureauRow:
    row: int
    code: str
    name: str
    tier: str | None  # None: unreadable (already reported)
    parent_code: str
    directly_administered: bool | None  # None: the file has no such column


@dataclass
class StationRow:
    row: int
    code: str
    name: str
    parent_code: str
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    active: bool | None  # None: blank cell


@dataclass
class Parsed:
    errors: list[RowError] = field(default_factory=list)
    bureaus: list[BureauRow] = field(default_factory=list)
    stations: list[StationRow] = field(default_factory=list)
    present: frozenset[str] = frozenset()  # column keys found in the header
    labels: dict[str, str] = field(default_factory=dict)  # column key → header as written
    positions: dict[str, int] = field(default_factory=dict)  # column key → index in the row
    header_row: int = 1

    @property
    def header_ok(self) -> bool:
        return not any(e.row == self.header_row for e in self.errors)

    def bureau_codes(self) -> set[str]:
        """Codes of bureaus the file names: its own rows and every parent it refers to."""
        codes = {b.code for b in self.bureaus} | {b.parent_code for b in self.bureaus}
        codes |= {s.parent_code for s in self.stations}
        return {c for c in codes if c}

    def station_codes(self) -> set[str]:
        return {s.code for s in self.stations}


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def read_date(value) -> dt.date | None:
    """A date from a date cell, an Excel serial day or text such as 2026-11-30, 2026/11/30,
    2026.11.30, 2026年11月30日 or 20261130; None if it is none of these."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 20000 <= value <= 80000:
        return from_excel(value).date()  # 1954–2119 as an Excel serial day
    text = cell_text(value)
    if re.fullmatch(r"\d{8}", text):
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    match = DATE_TEXT.match(text)
    if not match:
        return None
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def not_a_date(value: str) -> str:
    return _("“%(value)s” is not a date: write it as 2026-11-30.") % {"value": value}


def _blank(value) -> bool:
    return cell_text(value) == ""


class _Row:
    """Reads one row's cells by column key and records errors against the header it has."""

    def __init__(self, number: int, cells: list, parsed: Parsed, columns: dict[str, int]):
        self.number = number
        self.cells = cells
        self.parsed = parsed
        self.columns = columns
        self.failed = False

    def error(self, key: str, message: str) -> None:
        self.failed = True
        self.parsed.errors.append(
            RowError(
                self.number,
                self.parsed.labels.get(key) or str(COLUMN_BY_KEY[key].label),
                message,
                self.parsed.positions.get(key, len(COLUMNS) + 1000),
            )
        )

    def raw(self, key: str):
        index = self.columns.get(key)
        if index is None or index >= len(self.cells):
            return None
        return self.cells[index]

    def text(self, key: str, *, required=False, max_length: int | None = None) -> str:
        """The cell's text. Control characters are reported and dropped, so the cell's other
        checks still run on what is left."""
        value = cell_text(self.raw(key))
        if CONTROL_CHARACTERS.search(value):
            self.error(
                key,
                _(
                    "This cell contains control characters (such as NUL or a line break); "
                    "remove them."
                ),
            )
            return CONTROL_CHARACTERS.sub("", value).strip()
        if required and not value:
            self.error(key, pgettext("import", "This value is required."))
        elif max_length and len(value) > max_length:
            self.error(key, _("At most %(max)s characters.") % {"max": max_length})
        return value

    def choice(self, key: str, vocabulary: dict, message: str, params: dict, *, required=False):
        """The meaning of the cell's word; ``message`` names the allowed words and the value."""
        value = self.text(key, required=required)
        if not value:
            return None
        meaning = vocabulary.get(norm(value))
        if meaning is None:
            self.error(key, message % {**params, "value": value})
        return meaning

    def boolean(self, key: str, vocabulary: dict) -> bool | None:
        """True or False; None for a blank cell or a column the file leaves out."""
        value = self.raw(key)
        if isinstance(value, bool):
            return value
        return self.choice(
            key,
            vocabulary,
            _("Enter “%(yes)s” or “%(no)s”, not “%(value)s”."),
            {"yes": word(YES_NO_WORDS, True), "no": word(YES_NO_WORDS, False)},
        )

    def decimal(self, key: str, limit: int, message: str) -> Decimal | None:
        raw = self.raw(key)
        if _blank(raw):
            return None
        try:
            number = Decimal(str(raw).strip())
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            self.error(key, _("“%(value)s” is not a number.") % {"value": cell_text(raw)})
            return None
        if not -limit <= number <= limit:
            self.error(key, message)
            return None
        return number.quantize(SIX_PLACES)


def _map_header(table: Table, parsed: Parsed) -> dict[str, int]:
    names = header_vocabulary()
    columns: dict[str, int] = {}
    for index, cell in enumerate(table.header):
        text = cell_text(cell)
        if not text:
            continue
        key = names.get(norm(text))
        if key is None:
            parsed.errors.append(
                RowError(
                    table.header_row,
                    text,
                    _("Unknown column: use the column names of the template."),
                    index,
                )
            )
        elif key in columns:
            parsed.errors.append(
                RowError(table.header_row, text, _("This column appears twice."), index)
            )
        else:
            columns[key] = index
            parsed.labels[key] = text
            parsed.positions[key] = index
    for column in COLUMNS:
        if column.required and column.key not in columns:
            parsed.errors.append(
                RowError(table.header_row, str(column.label), _("This column is missing."), -1)
            )
    return columns


def parse_rows(table: Table) -> Parsed:
    """Type every cell; report what a row says wrongly on its own (no database needed)."""
    parsed = Parsed(header_row=table.header_row)
    columns = _map_header(table, parsed)
    parsed.present = frozenset(columns)
    if not parsed.header_ok:
        return parsed
    if not table.rows:
        parsed.errors.append(
            RowError(
                table.header_row, file_label(), _("The file has no data rows below the header.")
            )
        )
        return parsed
    kinds = vocabulary(KIND_WORDS)
    tiers = vocabulary(TIER_WORDS)
    yes_no = vocabulary(YES_NO_WORDS)
    seen: dict[tuple[str, str], int] = {}
    for number, cells in table.rows:
        row = _Row(number, cells, parsed, columns)
        kind = row.choice(
            "kind",
            kinds,
            _("Unknown type “%(value)s”: use “%(bureau)s” or “%(station)s”."),
            {"bureau": word(KIND_WORDS, BUREAU), "station": word(KIND_WORDS, STATION)},
            required=True,
        )
        code = row.text("code", required=True)
        name = row.text("name", required=True, max_length=NAME_MAX)
        if kind is None:
            continue
        usable = bool(code) and _check_code(row, kind, code, seen)
        if kind == BUREAU:
            bureau = _parse_bureau(row, code, name, tiers, yes_no)
            if usable:
                parsed.bureaus.append(bureau)
        else:
            station = _parse_station(row, code, name, yes_no)
            if usable:
                parsed.stations.append(station)
    return parsed


def _check_code(row: _Row, kind: str, code: str, seen: dict[tuple[str, str], int]) -> bool:
    """A well-formed code not seen before in the file; otherwise the row is not used further
    (its other cells are still checked)."""
    pattern, message = (
        (BUREAU_CODE, _("A bureau code is 6 digits not starting with 0, e.g. 420102."))
        if kind == BUREAU
        else (STATION_CODE, _("A station code is 4 to 20 letters, digits or hyphens."))
    )
    if not pattern.match(code):
        row.error("code", message)
        return False
    if (kind, code) in seen:
        row.error(
            "code",
            _("Code %(code)s already appears in row %(row)s.")
            % {"code": code, "row": seen[kind, code]},
        )
        return False
    seen[kind, code] = row.number
    return True


def _parse_bureau(row: _Row, code: str, name: str, tiers: dict, yes_no: dict) -> BureauRow:
    tier = row.choice(
        "tier",
        tiers,
        _("Unknown tier “%(value)s”: use “%(province)s”, “%(city)s” or “%(county)s”."),
        {
            "province": word(TIER_WORDS, Tier.PROVINCE),
            "city": word(TIER_WORDS, Tier.CITY),
            "county": word(TIER_WORDS, Tier.COUNTY),
        },
        required=True,
    )
    directly_administered = row.boolean("directly_administered", yes_no)
    if directly_administered is None and "directly_administered" in row.parsed.present:
        directly_administered = False  # a blank cell means no; a missing column keeps the value
    if directly_administered and tier not in (None, Tier.CITY):
        row.error("directly_administered", _("Only a city bureau can be directly administered."))
    return BureauRow(
        row=row.number,
        code=code,
        name=name,
        tier=tier,
        parent_code=row.text("parent"),
        directly_administered=directly_administered,
    )


def _parse_station(row: _Row, code: str, name: str, yes_no: dict) -> StationRow:
    parent_code = row.text("parent", required=True)
    address = row.text("address", max_length=ADDRESS_MAX)
    latitude = row.decimal("latitude", 90, _("The latitude must be between -90 and 90."))
    longitude = row.decimal("longitude", 180, _("The longitude must be between -180 and 180."))
    blank_latitude, blank_longitude = _blank(row.raw("latitude")), _blank(row.raw("longitude"))
    if blank_latitude != blank_longitude:
        row.error(
            "latitude" if blank_latitude else "longitude",
            _("Enter both latitude and longitude, or neither."),
        )
    return StationRow(
        row=row.number,
        code=code,
        name=name,
        parent_code=parent_code,
        address=address,
        latitude=latitude,
        longitude=longitude,
        active=row.boolean("active", yes_no),
    )
