"""The database itself refuses edits to the audit log.

UPDATE is refused on both databases. DELETE is refused on PostgreSQL; on SQLite a DELETE
trigger would also stop the test runner's table flush, so there deletion is caught by
the hash chain instead (`zhenwu audit verify`), see docs/adr/0002-audit-log.md.
"""

from django.db import migrations

SQLITE_UP = """
CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS core_auditevent_no_update;"

PG_UP = """
CREATE OR REPLACE FUNCTION core_auditevent_refuse() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'audit log is append-only'; END; $$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE OR DELETE ON core_auditevent
FOR EACH ROW EXECUTE FUNCTION core_auditevent_refuse();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS core_auditevent_no_update ON core_auditevent;
DROP FUNCTION IF EXISTS core_auditevent_refuse();
"""


def forwards(apps, schema_editor):
    schema_editor.execute(PG_UP if schema_editor.connection.vendor == "postgresql" else SQLITE_UP)


def backwards(apps, schema_editor):
    schema_editor.execute(PG_DOWN if schema_editor.connection.vendor == "postgresql" else SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_actor")]
    operations = [migrations.RunPython(forwards, backwards)]
