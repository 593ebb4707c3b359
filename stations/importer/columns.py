"""The import's vocabulary and results: columns, cell words, row errors, the summary.

Chinese lives in the catalog: the header names and cell words are English msgids with the
contexts "import column" / "import value", and both languages are accepted whatever the
interface language is.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from stations.models import Tier

BUREAU_CODE = re.compile(r"^[1-9][0-9]{5}$")
STATION_CODE = re.compile(r"^[0-9A-Za-z-]{4,20}$")
NAME_MAX = 100
ADDRESS_MAX = 200
SIX_PLACES = Decimal("0.000001")

BUREAU = "bureau"
STATION = "station"


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise
    aliases: tuple[str, ...]
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("kind", pgettext_lazy("import column", "Type"), ("kind", "type"), required=True),
    Column("code", pgettext_lazy("import column", "Code"), ("code",), required=True),
    Column("name", pgettext_lazy("import column", "Name"), ("name",), required=True),
    Column("tier", pgettext_lazy("import column", "Tier"), ("tier", "level")),
    Column("parent", pgettext_lazy("import column", "Parent code"), ("parent", "parentcode")),
    Column(
        "directly_administered",
        pgettext_lazy("import column", "Directly administered"),
        ("directlyadministered",),
    ),
    Column("address", pgettext_lazy("import column", "Address"), ("address",)),
    Column("latitude", pgettext_lazy("import column", "Latitude"), ("latitude", "lat")),
    Column("longitude", pgettext_lazy("import column", "Longitude"), ("longitude", "lon", "lng")),
    Column("active", pgettext_lazy("import column", "Active"), ("active", "enabled")),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}

# The words a cell may hold, by meaning. The first is the one the template writes.
KIND_WORDS: dict[str, tuple] = {
    BUREAU: (pgettext_lazy("import value", "Bureau"), "bureau"),
    STATION: (pgettext_lazy("import value", "Police station"), "station", "police station"),
}
TIER_WORDS: dict[str, tuple] = {
    Tier.PROVINCE: (pgettext_lazy("import value", "Province"), Tier.PROVINCE.label, "province"),
    Tier.CITY: (pgettext_lazy("import value", "City"), Tier.CITY.label, "city"),
    Tier.COUNTY: (pgettext_lazy("import value", "County"), Tier.COUNTY.label, "county"),
}
YES_NO_WORDS: dict[bool, tuple] = {
    True: (pgettext_lazy("import value", "Yes"), "yes", "y", "true", "1"),
    False: (pgettext_lazy("import value", "No"), "no", "n", "false", "0"),
}
TIER_ORDER = (Tier.PROVINCE, Tier.CITY, Tier.COUNTY)


def word(words: dict, meaning) -> str:
    """The word the template and the messages use for a meaning, in the active language."""
    return str(words[meaning][0])


def norm(text: str) -> str:
    return re.sub(r"[\s_\-*＊]", "", text).lower()


def vocabulary(words: dict) -> dict[str, object]:
    """Normalised word → meaning, in English and Chinese whatever the active language."""
    found = {}
    for meaning, forms in words.items():
        for language in ("en", "zh-hans"):
            with translation.override(language):
                for form in forms:
                    found[norm(str(form))] = meaning
    return found


def header_vocabulary() -> dict[str, str]:
    return vocabulary({c.key: (c.label, *c.aliases) for c in COLUMNS})


# --- Results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem, where the user sees it: the spreadsheet row and the column header."""

    row: int | None
    column: str
    message: str
    position: int = field(default=0, compare=False, repr=False)

    def as_text(self) -> str:
        if self.row is None:
            return pgettext("import", "%(column)s: %(message)s") % {
                "column": self.column,
                "message": self.message,
            }
        return _("Row %(row)s, %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


class ImportRejected(ValidationError):
    """The file was refused; ``row_errors`` lists every problem. Nothing was written."""

    def __init__(self, row_errors: list[RowError]):
        self.row_errors = sorted(row_errors, key=lambda e: (e.row or 0, e.position))
        super().__init__([e.as_text() for e in self.row_errors], code="import")


def file_label() -> str:
    return pgettext("import", "File")


def file_error(message: str) -> ImportRejected:
    """The whole file is unusable (unreadable, wrong type): one error with no row."""
    return ImportRejected([RowError(None, file_label(), message)])


@dataclass
class ImportSummary:
    bureaus_created: int = 0
    bureaus_updated: int = 0
    bureaus_unchanged: int = 0
    stations_created: int = 0
    stations_updated: int = 0
    stations_unchanged: int = 0
    dry_run: bool = False

    def describe(self) -> str:
        counts = {
            "bureaus_created": self.bureaus_created,
            "bureaus_updated": self.bureaus_updated,
            "bureaus_unchanged": self.bureaus_unchanged,
            "stations_created": self.stations_created,
            "stations_updated": self.stations_updated,
            "stations_unchanged": self.stations_unchanged,
        }
        if self.dry_run:
            return (
                _(
                    "Check passed; nothing was written (dry run). Bureaus: %(bureaus_created)s "
                    "to create, %(bureaus_updated)s to update, %(bureaus_unchanged)s unchanged. "
                    "Stations: %(stations_created)s to create, %(stations_updated)s to update, "
                    "%(stations_unchanged)s unchanged."
                )
                % counts
            )
        return (
            _(
                "Import finished. Bureaus: %(bureaus_created)s created, %(bureaus_updated)s "
                "updated, %(bureaus_unchanged)s unchanged. Stations: %(stations_created)s "
                "created, %(stations_updated)s updated, %(stations_unchanged)s unchanged."
            )
            % counts
        )
