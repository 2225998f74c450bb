"""What an intruder with the database's rights would do first: drop the audit log's guard.

One helper for every test that edits the log behind the application's back to show that
`audit verify` (or a page) notices.
"""

from __future__ import annotations

from django.db import connection


def drop_update_guard() -> None:
    """Drop the trigger that refuses UPDATE on core_auditevent (core 0003), for this test only."""
    on_table = " ON core_auditevent" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER core_auditevent_no_update{on_table}")
