"""PostgreSQL: TRUNCATE of the audit log is refused too, and no role but its owner may change it.

Row triggers (0003) do not fire on TRUNCATE, which empties the table at once; a statement
trigger does. The app role's rights are taken back here as well: default privileges (set by
`zhenwu db-roles`) give every new table's UPDATE and DELETE to the app role, this one included.
SQLite has no TRUNCATE (DELETE is caught by the hash chain, see 0003).
"""

from django.db import migrations

from zhenwu.core.dbroles import audit_table_tighten

PG_UP = """
CREATE TRIGGER core_auditevent_no_truncate BEFORE TRUNCATE ON core_auditevent
FOR EACH STATEMENT EXECUTE FUNCTION core_auditevent_refuse();
"""
PG_DOWN = "DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_UP)
        with schema_editor.connection.cursor() as cursor:
            audit_table_tighten(cursor)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DOWN)


class Migration(migrations.Migration):
    dependencies = [("core", "0008_audit_address")]
    operations = [migrations.RunPython(forwards, backwards)]
