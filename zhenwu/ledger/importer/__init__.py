"""Importing the ledgers towns already keep in Excel (.xlsx or .xls): find the table, map the
columns by name, read every row, preview what would happen to each, then commit all or nothing.

No row is dropped silently: every row below the header is a new problem, an update to one
imported before, already imported, or listed with the reason it is skipped (blank, 合计,
footer, group title) or refused (the cell and what to write instead).

reading: the file within its bounds; layout: the header, the columns, the sheet's year;
directory: departments, places and people as the sheet names them; planning: the rows;
committing: the writes, through the ledger's services.
"""

from zhenwu.ledger.importer.committing import ImportOutcome, commit_import, refusal
from zhenwu.ledger.importer.layout import COLUMNS
from zhenwu.ledger.importer.planning import (
    IMMEDIATE_MAX_DAYS,
    Choices,
    DepartmentQuestion,
    ImportPlan,
    RowResult,
    choice_years,
    plan_import,
)
from zhenwu.ledger.importer.reading import (
    IMPORT_MAX_BYTES,
    IMPORT_MAX_COLUMNS,
    IMPORT_MAX_MEMBERS,
    IMPORT_MAX_ROWS,
    IMPORT_MAX_SECONDS,
    IMPORT_MAX_UNPACKED,
    SheetError,
    file_kind,
)

# Uploaded sheets wait here (under MEDIA_ROOT) between preview and confirmation; tick deletes
# those left behind (the clerk closed the page) after PENDING_IMPORT_HOURS.
IMPORTS_FOLDER = "imports"
PENDING_IMPORT_HOURS = 24

__all__ = [
    "COLUMNS",
    "IMMEDIATE_MAX_DAYS",
    "IMPORTS_FOLDER",
    "IMPORT_MAX_BYTES",
    "IMPORT_MAX_COLUMNS",
    "IMPORT_MAX_MEMBERS",
    "IMPORT_MAX_ROWS",
    "IMPORT_MAX_SECONDS",
    "IMPORT_MAX_UNPACKED",
    "PENDING_IMPORT_HOURS",
    "Choices",
    "DepartmentQuestion",
    "ImportOutcome",
    "ImportPlan",
    "RowResult",
    "SheetError",
    "choice_years",
    "commit_import",
    "file_kind",
    "plan_import",
    "refusal",
]
