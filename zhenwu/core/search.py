"""Chinese text search: `LIKE '%…%'` everywhere, with trigram indexes on PostgreSQL.

Neither database's full-text search splits Chinese words, so searches are plain containment.
On PostgreSQL a pg_trgm GIN index answers a containment of three characters or more from the
index (red-lined village names, problem numbers, phrases: 0.07 ms instead of a 17 ms scan of
100,000 problems); one or two characters still read the table. SQLite scans, which a town's
ledger affords.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def trigram_indexes(table: str, columns: list[str]) -> migrations.RunPython:
    """A migration step adding a pg_trgm GIN index per column on PostgreSQL (nothing on SQLite)."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column in columns:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {table}_{column}_trgm ON {table} USING gin ({column} gin_trgm_ops)"
            )

    def backwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for column in columns:
                schema_editor.execute(f"DROP INDEX IF EXISTS {table}_{column}_trgm")

    return migrations.RunPython(forwards, backwards)
