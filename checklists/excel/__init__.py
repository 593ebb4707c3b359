"""The problem list in Excel (问题清单): the layout bureaus circulate, the import template,
and reading an uploaded list into typed rows.

Pure: no queries. The export takes problems fetched with their tasks and results; the
parser turns a ``stations.importer.Table`` into ``ProblemRow``s plus the errors a row shows
on its own; ``checklists.services.excel`` checks the rows against the database and writes.

    layout    the columns of both layouts, the status words, shared styles
    export    the circulated list, one row per problem, set up for A4 landscape
    parsing   an uploaded list → typed rows and their own errors
    template  the import template with its instructions and the user's stations
"""

from checklists.excel.export import export_filename, export_title, problem_list_xlsx
from checklists.excel.layout import MAX_ROWS, STATUS_ORDER, status_word
from checklists.excel.parsing import Parsed, ProblemRow, TaskLine, parse_table
from checklists.excel.template import import_template_xlsx
from stations.responses import XLSX

__all__ = [
    "MAX_ROWS",
    "STATUS_ORDER",
    "XLSX",
    "Parsed",
    "ProblemRow",
    "TaskLine",
    "export_filename",
    "export_title",
    "import_template_xlsx",
    "parse_table",
    "problem_list_xlsx",
    "status_word",
]
