"""Import bureaus and stations from an .xlsx or .csv file: upsert by code, all or nothing.

One sheet (or CSV) holds both, one per row; the columns are described in ``columns`` and in
the downloadable template. ``import_file`` is the entry point for the view and the command.

    columns   the vocabulary (header names, cell words), RowError, ImportRejected, the summary
    parsing   cells → typed rows and the errors a row shows on its own (pure)
    planning  rows + stored tree + scope → every error, or the rows to write (pure)
    files     reading .xlsx/.csv, writing the template
    services  loading what is stored, writing in one transaction
"""

from stations.importer.columns import ImportRejected, ImportSummary, RowError
from stations.importer.files import (
    EXTENSIONS,
    MAX_UPLOAD_MB,
    read_table,
    template_csv,
    template_xlsx,
)
from stations.importer.services import import_file, import_table

__all__ = [
    "EXTENSIONS",
    "MAX_UPLOAD_MB",
    "ImportRejected",
    "ImportSummary",
    "RowError",
    "import_file",
    "import_table",
    "read_table",
    "template_csv",
    "template_xlsx",
]
