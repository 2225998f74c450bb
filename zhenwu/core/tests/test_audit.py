import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from zhenwu.core.actors import DEMO
from zhenwu.core.audit import GENESIS, audit_record, audit_verify
from zhenwu.core.models import AppendOnlyError, AuditEvent

pytestmark = pytest.mark.django_db


def _record(n: int) -> list[AuditEvent]:
    with transaction.atomic():
        return [
            audit_record(actor=DEMO, action="test.event", object_type="x", object_id=i, after={"i": i})
            for i in range(n)
        ]


def test_events_form_a_chain_from_genesis():
    events = _record(3)
    assert events[0].prev_hash == GENESIS
    assert events[1].prev_hash == events[0].hash
    assert [e.seq for e in events] == [1, 2, 3]
    assert audit_verify().ok


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_record(actor=DEMO, action="test.event")


def test_an_event_rolls_back_with_the_change_it_describes():
    with pytest.raises(ValueError), transaction.atomic():
        audit_record(actor=DEMO, action="test.event")
        raise ValueError("the change failed")
    assert not AuditEvent.objects.exists()


def test_the_model_refuses_updates_and_deletes():
    event = _record(1)[0]
    event.action = "edited"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_the_database_refuses_an_update_that_bypasses_the_model():
    _record(1)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET action = 'forged'")


def _drop_guard() -> None:
    # What an intruder with database rights would do first.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER core_auditevent_no_update ON core_auditevent")
        else:
            cursor.execute("DROP TRIGGER core_auditevent_no_update")


def test_verify_names_the_first_altered_row(capsys):
    _record(5)
    _drop_guard()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET after = %s WHERE seq = 3", ['{"i": 99}'])
    result = audit_verify()
    assert result.first_break is not None
    assert result.first_break.seq == 3
    assert result.checked == 2
    with pytest.raises(CommandError, match="第 3 条"):
        call_command("audit", "verify")


def test_verify_names_a_deleted_row():
    _record(5)
    _drop_guard()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE seq = 2")
    result = audit_verify()
    assert result.first_break is not None and result.first_break.seq == 2
    assert "删除" in result.first_break.reason


def test_verify_detects_a_row_rewritten_with_a_fresh_hash_by_the_broken_link_after_it():
    events = _record(4)
    _drop_guard()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET hash = %s WHERE seq = 2", ["f" * 64])
    result = audit_verify()
    assert result.first_break is not None and result.first_break.seq == 2
    assert events


def test_verify_command_reports_an_intact_log(capsys):
    _record(3)
    call_command("audit", "verify")
    assert "共校验 3 条" in capsys.readouterr().out


def test_personal_data_never_enters_the_log(town):
    texts = "".join(str(e.after) for e in AuditEvent.objects.all())
    assert "13812345678" not in texts
    assert "11010519491231002X" not in texts
    assert "138****5678" in texts
