"""Files in and out: reading an .xlsx or .csv into a Table, and writing the template."""

import csv
import io
from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font

from stations.importer.columns import (
    BUREAU,
    COLUMNS,
    KIND_WORDS,
    STATION,
    TIER_WORDS,
    YES_NO_WORDS,
    file_error,
    word,
)
from stations.importer.parsing import Table, cell_text
from stations.models import Tier

EXTENSIONS = (".xlsx", ".csv")
MAX_UPLOAD_MB = 5
CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # UTF-8 with or without BOM, then what Excel saves


def read_table(file, *, filename: str) -> Table:
    """The first worksheet of an .xlsx, or a CSV, as a header and numbered data rows.

    Row numbers are those the user sees in Excel; blank rows are skipped but counted.
    The header is the first non-blank row. Raises ImportRejected if the file is unusable.
    """
    extension = Path(filename).suffix.lower()
    if extension == ".xlsx":
        rows = _xlsx_rows(file)
    elif extension == ".csv":
        rows = _csv_rows(file.read())
    else:
        raise file_error(_("Only .xlsx and .csv files can be imported."))
    numbered = [
        (number, list(cells))
        for number, cells in enumerate(rows, start=1)
        if any(cell_text(cell) for cell in cells)
    ]
    if not numbered:
        raise file_error(pgettext("import", "The file is empty."))
    (header_row, header), *data = numbered
    return Table(header_row=header_row, header=header, rows=data)


def _xlsx_rows(file) -> list[tuple]:
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged or foreign file
        raise file_error(_("The file could not be read as an Excel workbook (.xlsx).")) from exc
    try:
        if not workbook.worksheets:
            raise file_error(_("The workbook has no worksheet."))
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers store wrong dimensions; read every row
        return list(sheet.iter_rows(values_only=True))
    finally:
        workbook.close()


def _csv_rows(data: bytes) -> list[list[str]]:
    for encoding in CSV_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        break
    else:
        raise file_error(_("The CSV file is neither UTF-8 nor GB18030 text."))
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise file_error(_("The CSV file could not be read: %(error)s") % {"error": exc}) from exc


# --- The template -----------------------------------------------------------------------------


def template_rows() -> list[list]:
    """The header and example rows: a province, a city, a county and one of its stations."""
    return [
        [str(column.label) for column in COLUMNS],
        _bureau_example(
            "420000", _("Hubei Provincial Public Security Department"), Tier.PROVINCE, ""
        ),
        _bureau_example("420100", _("Wuhan Public Security Bureau"), Tier.CITY, "420000"),
        _bureau_example(
            "420102", _("Jiang'an District Public Security Sub-bureau"), Tier.COUNTY, "420100"
        ),
        [
            word(KIND_WORDS, STATION),
            "420102001",
            _("Dazhi Police Station"),
            "",
            "420102",
            "",
            _("Dazhi Road, Jiang'an District, Wuhan"),
            Decimal("30.592800"),
            Decimal("114.297400"),
            word(YES_NO_WORDS, True),
        ],
    ]


def _bureau_example(code: str, name: str, tier: str, parent: str) -> list:
    """A bureau row of the template: not directly administered, station columns empty."""
    bureau, no = word(KIND_WORDS, BUREAU), word(YES_NO_WORDS, False)
    return [bureau, code, name, word(TIER_WORDS, tier), parent, no, "", "", "", ""]


def _instructions() -> list[tuple[str, str]]:
    labels = {column.key: str(column.label) for column in COLUMNS}
    words = {
        "bureau": word(KIND_WORDS, BUREAU),
        "station": word(KIND_WORDS, STATION),
        "province": word(TIER_WORDS, Tier.PROVINCE),
        "city": word(TIER_WORDS, Tier.CITY),
        "county": word(TIER_WORDS, Tier.COUNTY),
        "yes": word(YES_NO_WORDS, True),
        "no": word(YES_NO_WORDS, False),
    }
    return [
        (labels["kind"], _("Required. “%(bureau)s” or “%(station)s”.") % words),
        (
            labels["code"],
            _(
                "Required. A bureau: its 6-digit division code (GB/T 2260), e.g. 420102. A "
                "station: 4 to 20 letters, digits or hyphens. Rows are matched by code: a new "
                "code is added, an existing one is updated."
            ),
        ),
        (labels["name"], _("Required. At most 100 characters.")),
        (
            labels["tier"],
            _("Bureaus only, required: “%(province)s”, “%(city)s” or “%(county)s”.") % words,
        ),
        (
            labels["parent"],
            _(
                "A city bureau: the code of its provincial bureau; a county bureau: the code "
                "of its city bureau; a provincial bureau: empty. A station: the code of its "
                "county bureau or directly administered city bureau. The parent may be stored "
                "already or be anywhere in this file."
            ),
        ),
        (
            labels["directly_administered"],
            _(
                "City bureaus only: “%(yes)s” for a city directly administered by the "
                "province, which has no counties and holds stations itself. Blank means "
                "“%(no)s”."
            )
            % words,
        ),
        (labels["address"], _("Stations only, optional. At most 200 characters.")),
        (
            labels["latitude"],
            _("Stations only, optional: decimal degrees, both latitude and longitude or neither."),
        ),
        (
            labels["longitude"],
            _("Stations only, optional: decimal degrees, both latitude and longitude or neither."),
        ),
        (
            labels["active"],
            _("Stations only: “%(yes)s” or “%(no)s”. Blank means “%(yes)s”.") % words,
        ),
        (
            pgettext("import", "Notes"),
            _(
                "Keep the header row and its column names. A column left out keeps the stored "
                "values; a blank cell means the default. If any row has an error, nothing is "
                "imported and every error is listed with its row and column. Importing the "
                "same file twice changes nothing the second time."
            ),
        ),
    ]


def template_xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = pgettext("import", "Bureaus and stations")
    for row in template_rows():
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    # Codes are text: Excel would otherwise drop a station code's leading zeros.
    for letter in ("B", "E"):
        sheet.column_dimensions[letter].number_format = "@"
        for cell in sheet[letter]:
            cell.number_format = "@"
    for letter, width in zip("ABCDEFGHIJ", (10, 14, 36, 8, 12, 8, 36, 12, 12, 8), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet(pgettext("import", "Instructions"))
    notes.append([pgettext("import", "Column"), pgettext("import", "How to fill it in")])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for row in _instructions():
        notes.append(row)
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["B"].width = 100
    for row in notes.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_csv() -> bytes:
    """UTF-8 with a BOM, so that Excel opens the Chinese correctly."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(template_rows())
    return buffer.getvalue().encode("utf-8-sig")
