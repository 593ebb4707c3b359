"""The two layouts of the problem list: the columns bureaus circulate (the export) and the
columns of the import; the status words; the styles the workbooks share.

Headers and cell words are English msgids with the context "problem list"; an uploaded file
may use either language whatever the interface language is.
"""

import re
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy
from openpyxl.styles import Alignment, Border, PatternFill, Side

from checklists.models import ProblemStatus

REFERENCE_MAX = 40
TASK_TITLE_MAX = 200
DESCRIPTION_MAX = 2000
# C0/C1 control characters except tab and line breaks, which a description may hold.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
TASK_SEPARATOR = re.compile(r"\s*[|｜]\s*")

# --- The circulated layout (export) ---------------------------------------------------------

# (label, width in characters)
EXPORT_COLUMNS: tuple[tuple[Promise, int], ...] = (
    (pgettext_lazy("problem list", "No."), 6),
    (pgettext_lazy("problem list", "Reference"), 16),
    (pgettext_lazy("problem list", "City"), 14),
    (pgettext_lazy("problem list", "County"), 14),
    (pgettext_lazy("problem list", "Police station"), 14),
    (pgettext_lazy("problem list", "Category"), 12),
    (pgettext_lazy("problem list", "Description"), 40),
    (pgettext_lazy("problem list", "Source"), 8),
    (pgettext_lazy("problem list", "Found by"), 10),
    (pgettext_lazy("problem list", "Responsible person"), 10),
    (pgettext_lazy("problem list", "Deadline"), 12),
    (pgettext_lazy("problem list", "Status"), 9),
    (pgettext_lazy("problem list", "Overdue"), 7),
    (pgettext_lazy("problem list", "Rectification tasks"), 50),
    (pgettext_lazy("problem list", "Tasks done"), 8),
    (pgettext_lazy("problem list", "Rectification result"), 40),
    (pgettext_lazy("problem list", "Closed out at"), 17),
)
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
TOP_WRAPPED = Alignment(wrap_text=True, vertical="top")
DATE_FORMAT = "yyyy-mm-dd"


# --- The import layout ---------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise
    aliases: tuple = ()
    required: bool = False


IMPORT_COLUMNS: tuple[Column, ...] = (
    Column("reference", EXPORT_COLUMNS[1][0], ("reference", "number")),
    Column(
        "station",
        pgettext_lazy("problem list", "Station code"),
        ("station", "stationcode", pgettext_lazy("problem list", "Station number")),
        required=True,
    ),
    Column("category", EXPORT_COLUMNS[5][0], ("category",), required=True),
    Column("description", EXPORT_COLUMNS[6][0], ("description",), required=True),
    Column("responsible", EXPORT_COLUMNS[9][0], ("responsible", "owner")),
    Column("deadline", EXPORT_COLUMNS[10][0], ("deadline",)),
    Column("status", EXPORT_COLUMNS[11][0], ("status",)),
    Column("tasks", EXPORT_COLUMNS[13][0], ("tasks",)),
    Column("closed_at", EXPORT_COLUMNS[16][0], ("closedat", "closedon")),
)
COLUMN_BY_KEY = {c.key: c for c in IMPORT_COLUMNS}
# The statuses an import may set, in lifecycle order. Closed out only for a new problem
# (a closed list of the past); the service enforces that.
STATUS_ORDER = (
    ProblemStatus.DRAFT,
    ProblemStatus.PUBLISHED,
    ProblemStatus.IN_RECTIFICATION,
    ProblemStatus.CLOSED,
)
# How far above the header the title rows of a circulated list may reach.
HEADER_SEARCH_ROWS = 5
MAX_ROWS = 5000


def status_words() -> dict[str, tuple]:
    return {s: (s.label, s.value, s.value.replace("_", " ")) for s in STATUS_ORDER}


def status_word(status: str) -> str:
    return str(ProblemStatus(status).label)
