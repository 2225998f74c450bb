"""One row marks where the audit log starts to carry each event's town (issue 15, step 2).

The rows below it have no town and are the first town's: an installation upgraded to the
county's schema was one town (org 0004). The marker names that town and the last row before
it; it is keyed and chained like every row, so the boundary cannot be moved. A log that is
still empty needs no marker. See docs/adr/0001-audit-log.md and ADR 0008 §6.
"""

from django.db import migrations
from django.utils import timezone

LOCK_KEY = 7_468_301  # core.audit._AUDIT_LOCK_KEY: no event is written meanwhile


def forwards(apps, schema_editor):
    from zhenwu.core.audit import TOWNS_ACTION, _digest, _hashed_fields

    connection = schema_editor.connection
    AuditEvent = apps.get_model("core", "AuditEvent")
    Town = apps.get_model("org", "Town")
    events = AuditEvent.objects.using(connection.alias)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
    last = events.order_by("-seq").first()
    if last is None or events.filter(action=TOWNS_ACTION).exists():
        return
    first_town = Town.objects.using(connection.alias).order_by("id").values_list("id", flat=True).first()
    marker = AuditEvent(
        seq=last.seq + 1, created_at=timezone.now(), actor=None, actor_label="migrate", action=TOWNS_ACTION,
        object_type="core.auditevent", object_id="", object_label="",
        before=None, after={"untowned_until": last.seq, "first_town": first_town}, ip=None,
        prev_hash=last.hash,
    )  # fmt: skip
    marker.hash = _digest(_hashed_fields(marker))
    marker.save(using=connection.alias, force_insert=True)


class Migration(migrations.Migration):
    dependencies = [("core", "0011_audit_town")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
