"""The audit chain is keyed from here on: one row marks the switch from SHA-256 to HMAC-SHA256.

Rows written before keep their plain hashes (they cannot be updated, and rewriting them would
be rewriting history). The marker row is itself keyed and carries the last plain row's hash,
so none of those rows can be changed without breaking it; `audit verify` accepts plain hashes
only below it. A log that is still empty needs no marker: it is keyed from its first row.
See docs/adr/0001-audit-log.md.
"""

from django.db import migrations
from django.utils import timezone

LOCK_KEY = 7_468_301  # core.audit._AUDIT_LOCK_KEY: no event is written meanwhile


def forwards(apps, schema_editor):
    from zhenwu.core.audit import KEYED_ACTION, _digest, _hashed_fields

    connection = schema_editor.connection
    AuditEvent = apps.get_model("core", "AuditEvent")
    events = AuditEvent.objects.using(connection.alias)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
    last = events.order_by("-seq").first()
    if last is None or events.filter(action=KEYED_ACTION).exists():
        return
    marker = AuditEvent(
        seq=last.seq + 1, created_at=timezone.now(), actor=None, actor_label="migrate", action=KEYED_ACTION,
        object_type="core.auditevent", object_id="", object_label="",
        before=None, after={"scheme": "hmac-sha256", "plain_until": last.seq}, ip=None, prev_hash=last.hash,
    )  # fmt: skip
    marker.hash = _digest(_hashed_fields(marker))
    marker.save(using=connection.alias, force_insert=True)


class Migration(migrations.Migration):
    dependencies = [("core", "0009_audit_no_truncate")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
