import json
from datetime import UTC

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from hypothesis import given
from hypothesis import strategies as st

from zhenwu.core.actors import DEMO
from zhenwu.core.audit import EMPTY_HEAD, GENESIS, ChainHead, audit_record, audit_verify, chain_head
from zhenwu.core.constants import DayKind
from zhenwu.core.models import AppendOnlyError, AuditEvent
from zhenwu.core.tests.tampering import drop_update_guard

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


def test_verify_names_the_first_altered_row(capsys):
    _record(5)
    drop_update_guard()
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
    drop_update_guard()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE seq = 2")
    result = audit_verify()
    assert result.first_break is not None and result.first_break.seq == 2
    assert "删除" in result.first_break.reason


def test_verify_detects_a_row_rewritten_with_a_fresh_hash_by_the_broken_link_after_it():
    events = _record(4)
    drop_update_guard()
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


# --- verify --expect-head: what the chain alone cannot see -------------------------------


def _rechain_from(seq: int, after: dict) -> None:
    """An intruder's edit: change one row and recompute every hash after it (needs the guard dropped)."""
    from zhenwu.core.audit import _digest, _hashed_fields

    prev = AuditEvent.objects.get(seq=seq - 1).hash if seq > 1 else GENESIS
    with connection.cursor() as cursor:
        for event in AuditEvent.objects.filter(seq__gte=seq).order_by("seq"):
            if event.seq == seq:
                event.after = after
            event.prev_hash = prev
            event.hash = _digest(_hashed_fields(event))
            cursor.execute(
                "UPDATE core_auditevent SET after = %s, prev_hash = %s, hash = %s WHERE seq = %s",
                [json.dumps(event.after), event.prev_hash, event.hash, event.seq],
            )
            prev = event.hash


def _forge_append() -> AuditEvent:
    from django.utils import timezone

    from zhenwu.core.audit import _digest, _hashed_fields

    last = AuditEvent.objects.order_by("-seq").first()
    assert last is not None
    forged = AuditEvent(
        seq=last.seq + 1, created_at=timezone.now(), actor_label="office", action="test.forged",
        object_type="x", object_id="1", after={"i": "forged"}, prev_hash=last.hash,
    )  # fmt: skip
    forged.hash = _digest(_hashed_fields(forged))
    forged.save(force_insert=True)
    return forged


def test_chain_head_names_the_newest_row_and_the_empty_chain():
    assert chain_head() == EMPTY_HEAD == ChainHead(0, GENESIS)
    events = _record(3)
    assert chain_head() == ChainHead(3, events[-1].hash)


def test_expect_head_accepts_the_chain_that_ends_at_the_expected_row(capsys):
    events = _record(4)
    head = ChainHead(4, events[-1].hash)
    result = audit_verify(expect_head=head)
    assert result.ok and result.head == head and result.checked == 4
    call_command("audit", "verify", "--expect-head", str(head))
    assert "与预期一致" in capsys.readouterr().out


def test_expect_head_of_an_empty_chain_is_seq_zero():
    assert audit_verify(expect_head=EMPTY_HEAD).ok
    _record(1)
    result = audit_verify(expect_head=EMPTY_HEAD)
    assert result.first_break is not None and result.first_break.seq == 1


def test_expect_head_catches_a_deleted_tail_that_plain_verify_misses():
    events = _record(6)
    drop_update_guard()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE seq > 3")
    assert audit_verify().ok  # the shortened chain is intact on its own
    result = audit_verify(expect_head=ChainHead(6, events[-1].hash))
    assert result.first_break is not None and result.first_break.seq == 4
    assert "第4条至第6条" in result.first_break.reason and "截断" in result.first_break.reason
    with pytest.raises(CommandError, match="第 4 条"):
        call_command("audit", "verify", "--expect-head", f"6:{events[-1].hash}")


def test_expect_head_catches_a_rechained_edit_that_plain_verify_misses():
    events = _record(5)
    drop_update_guard()
    _rechain_from(3, {"i": 99})
    assert audit_verify().ok
    result = audit_verify(expect_head=ChainHead(5, events[-1].hash))
    assert result.first_break is not None and result.first_break.seq == 5
    assert "重新计算" in result.first_break.reason


def test_expect_head_catches_a_forged_append_unless_later_rows_are_allowed():
    events = _record(3)
    forged = _forge_append()
    assert audit_verify().ok
    head = ChainHead(3, events[-1].hash)
    result = audit_verify(expect_head=head)
    assert result.first_break is not None and result.first_break.seq == forged.seq == 4
    assert "追加" in result.first_break.reason
    # An anchor taken earlier on a live log: later rows are expected, the anchor's row must match.
    assert audit_verify(expect_head=head, allow_later=True).ok
    assert not audit_verify(expect_head=ChainHead(3, "e" * 64), allow_later=True).ok


def test_expect_head_reports_a_chain_break_before_the_head_check():
    events = _record(5)
    drop_update_guard()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET after = %s WHERE seq = 2", ['{"i": 99}'])
    result = audit_verify(expect_head=ChainHead(5, events[-1].hash))
    assert result.first_break is not None and result.first_break.seq == 2


@pytest.mark.parametrize("text", ["12", "x:" + "a" * 64, "3:abc", "3:" + "g" * 64, "-1:" + "a" * 64])
def test_a_malformed_expected_head_is_refused_with_its_form(text):
    with pytest.raises(ValueError, match="序号:哈希"):
        ChainHead.parse(text)
    with pytest.raises(CommandError, match="--expect-head"):
        call_command("audit", "verify", "--expect-head", text)


# --- the keyed chain: what a writer without the key cannot forge -----------------------------


def _insert(event: AuditEvent) -> None:
    """A row put in by SQL, as the app's database role can (INSERT is all it may do)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_auditevent (seq, created_at, actor_label, action, object_type, object_id, "
            "object_label, after, prev_hash, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [event.seq, event.created_at, event.actor_label, event.action, event.object_type, event.object_id,
             event.object_label, json.dumps(event.after), event.prev_hash, event.hash],
        )  # fmt: skip


def _forged_after(last: AuditEvent, **fields) -> AuditEvent:
    from django.utils import timezone

    forged = AuditEvent(
        seq=last.seq + 1, created_at=timezone.now(), actor_label="office", action="test.forged",
        object_type="x", object_id="1", object_label="", after={"i": "forged"}, prev_hash=last.hash,
    )  # fmt: skip
    for name, value in fields.items():
        setattr(forged, name, value)
    return forged


def test_each_row_carries_an_hmac_under_the_key_kept_outside_the_database(settings):
    from zhenwu.core.audit import _digest, _hashed_fields, _plain_digest
    from zhenwu.core.audit_key import audit_key

    event = _record(1)[0]
    assert event.hash == _digest(_hashed_fields(event), audit_key())
    assert event.hash != _plain_digest(_hashed_fields(event))
    key_file = settings.VAR_DIR / "audit_key"
    assert key_file.exists() and (key_file.stat().st_mode & 0o777) == 0o600


def test_a_plain_insert_with_a_recomputed_unkeyed_hash_is_caught_and_blames_itself():
    from zhenwu.core.audit import _hashed_fields, _plain_digest

    events = _record(3)
    forged = _forged_after(events[-1])
    forged.hash = _plain_digest(_hashed_fields(forged))
    _insert(forged)
    result = audit_verify()
    assert result.first_break is not None and result.first_break.seq == 4
    assert "本条被改动或伪造" in result.first_break.reason
    with pytest.raises(CommandError, match="第 4 条"):
        call_command("audit", "verify")


def test_a_forged_row_with_a_bad_hash_blames_itself_and_not_the_row_before():
    events = _record(3)
    _insert(_forged_after(events[-1], prev_hash="a" * 64, hash="b" * 64))
    result = audit_verify()
    assert [b.seq for b in result.breaks] == [4]
    assert "本条被改动或伪造" in result.breaks[0].reason and "上一条" not in result.breaks[0].reason
    assert result.checked == 3


def test_verify_goes_on_past_a_forged_row_and_checks_every_row_after_it():
    events = _record(2)
    _insert(_forged_after(events[-1], hash="b" * 64))
    _record(3)  # the app goes on writing; the forged row can never be removed
    result = audit_verify()
    assert [b.seq for b in result.breaks] == [3] and result.head.seq == 6
    drop_update_guard()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET after = %s WHERE seq = 5", ['{"i": 99}'])
    assert [b.seq for b in audit_verify().breaks] == [3, 5]
    with pytest.raises(CommandError, match="第 3 条.*另有1处问题，在第5条"):
        call_command("audit", "verify")


def test_a_row_edited_and_rechained_without_the_key_is_caught_by_the_chain_alone():
    from zhenwu.core.audit import _hashed_fields, _plain_digest

    _record(5)
    drop_update_guard()
    prev = AuditEvent.objects.get(seq=2).hash
    with connection.cursor() as cursor:
        for event in AuditEvent.objects.filter(seq__gte=3).order_by("seq"):
            event.after = {"i": 99} if event.seq == 3 else event.after
            event.prev_hash = prev
            event.hash = prev = _plain_digest(_hashed_fields(event))
            cursor.execute(
                "UPDATE core_auditevent SET after = %s, prev_hash = %s, hash = %s WHERE seq = %s",
                [json.dumps(event.after), event.prev_hash, event.hash, event.seq],
            )
    result = audit_verify()
    assert result.first_break is not None and result.first_break.seq == 3


def test_a_row_rehashed_in_place_is_named_by_the_row_after_it():
    from zhenwu.core.audit import _digest, _hashed_fields

    _record(4)
    drop_update_guard()
    event = AuditEvent.objects.get(seq=2)
    event.after = {"i": "edited"}
    with connection.cursor() as cursor:  # an intruder with the key, who did not re-chain the rest
        cursor.execute(
            "UPDATE core_auditevent SET after = %s, hash = %s WHERE seq = 2",
            [json.dumps(event.after), _digest(_hashed_fields(event))],
        )
    result = audit_verify()
    assert [b.seq for b in result.breaks] == [2] and "重新计算" in result.breaks[0].reason
    assert result.checked == 1


def test_verify_with_another_key_says_the_key_is_probably_wrong(settings):
    _record(3)
    settings.ZHENWU_AUDIT_KEY = "k" * 40
    result = audit_verify()
    assert result.first_break is not None and result.first_break.seq == 1
    assert "密钥" in result.first_break.reason and len(result.breaks) == 3


def _legacy_log(n: int) -> list[AuditEvent]:
    """Rows as the code before the key wrote them: plain SHA-256."""
    from django.utils import timezone

    from zhenwu.core.audit import _hashed_fields, _plain_digest

    rows, prev = [], GENESIS
    for seq in range(1, n + 1):
        event = AuditEvent(
            seq=seq, created_at=timezone.now(), actor_label="demo", action="test.event", object_type="x",
            object_id=str(seq), object_label="", after={"i": seq}, prev_hash=prev,
        )  # fmt: skip
        event.hash = prev = _plain_digest(_hashed_fields(event))
        _insert(event)
        rows.append(event)
    return rows


def _switch_to_key() -> None:
    from importlib import import_module
    from types import SimpleNamespace

    from django.db.migrations.loader import MigrationLoader

    migration = import_module("zhenwu.core.migrations.0010_audit_keyed")
    state = MigrationLoader(connection).project_state(("core", "0010_audit_keyed"))
    with transaction.atomic():
        migration.forwards(state.apps, SimpleNamespace(connection=connection))


def test_an_existing_chain_keeps_its_plain_rows_and_is_keyed_from_the_marker_on():
    from zhenwu.core.audit import KEYED_ACTION, _hashed_fields, _plain_digest

    legacy = _legacy_log(3)
    _switch_to_key()
    marker = AuditEvent.objects.get(seq=4)
    assert marker.action == KEYED_ACTION and marker.prev_hash == legacy[-1].hash
    assert marker.after == {"scheme": "hmac-sha256", "plain_until": 3}
    _switch_to_key()  # once only
    assert AuditEvent.objects.filter(action=KEYED_ACTION).count() == 1
    _record(2)
    assert audit_verify().ok and audit_verify().checked == 6
    # From the marker on, a plain hash is a forgery.
    last = AuditEvent.objects.get(seq=6)
    forged = _forged_after(last)
    forged.hash = _plain_digest(_hashed_fields(forged))
    _insert(forged)
    assert audit_verify().first_break == audit_verify().breaks[0]
    assert audit_verify().first_break.seq == 7


def test_a_plain_row_before_the_marker_cannot_be_rewritten_without_breaking_the_marker():
    from zhenwu.core.audit import _hashed_fields, _plain_digest

    _legacy_log(3)
    _switch_to_key()
    drop_update_guard()
    event = AuditEvent.objects.get(seq=3)
    event.after = {"i": "edited"}
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditevent SET after = %s, hash = %s WHERE seq = 3",
            [json.dumps(event.after), _plain_digest(_hashed_fields(event))],
        )
    result = audit_verify()
    assert [b.seq for b in result.breaks] == [3]  # the marker (4) no longer links to it


def test_a_forged_marker_does_not_move_the_boundary():
    from zhenwu.core.audit import KEYED_ACTION, _hashed_fields, _plain_digest

    events = _record(2)
    plain = _forged_after(events[-1])
    plain.hash = _plain_digest(_hashed_fields(plain))
    _insert(plain)
    marker = _forged_after(plain, action=KEYED_ACTION)
    marker.hash = _plain_digest(_hashed_fields(marker))
    _insert(marker)
    assert [b.seq for b in audit_verify().breaks] == [3, 4]


@pytest.mark.django_db(transaction=True)
def test_truncate_of_the_audit_log_is_refused_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE; deletion there is caught by the chain and the anchors")
    _record(2)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("TRUNCATE core_auditevent")
    assert AuditEvent.objects.count() == 2


def test_an_expected_head_may_be_the_twelve_digits_printed_on_a_bulletin(capsys):
    events = _record(3)
    call_command("audit", "verify", "--expect-head", f"3:{events[-1].hash[:12]}")
    assert "与预期一致" in capsys.readouterr().out
    with pytest.raises(CommandError, match="第 3 条"):
        call_command("audit", "verify", "--expect-head", f"3:{events[0].hash[:12]}")


def test_a_batch_is_chained_exactly_as_the_same_events_one_by_one():
    from zhenwu.core.audit import AuditEntry, _digest, _hashed_fields, audit_record_many

    _record(2)
    with transaction.atomic():
        head = audit_record_many(
            actor=DEMO,
            entries=[
                AuditEntry("test.batch", object_type="x", object_id=i, after={"i": i}) for i in range(5)
            ],
        )
    _record(1)
    stored = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in stored] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert head == ChainHead(7, stored[6].hash)
    for before, event in zip(stored, stored[1:], strict=False):
        assert event.prev_hash == before.hash
        assert event.hash == _digest(_hashed_fields(event))  # each row verifies on its own
    assert (
        stored[4].after == {"i": 2} and stored[4].action == "test.batch" and stored[4].actor_label == "demo"
    )
    assert audit_verify().ok


def test_an_empty_batch_writes_nothing():
    from zhenwu.core.audit import audit_record_many

    with transaction.atomic():
        assert audit_record_many(actor=DEMO, entries=[]) == EMPTY_HEAD
    assert not AuditEvent.objects.exists()


def test_a_batch_by_a_person_keeps_their_address_and_one_by_the_system_moves_it_aside(office):
    from zhenwu.core.audit import AuditEntry, audit_record_many
    from zhenwu.core.models import AuditAddress

    first = chain_head().seq + 1
    with transaction.atomic():
        audit_record_many(actor=office, entries=[AuditEntry("test.batch")] * 2, ip="10.0.0.7")
        audit_record_many(actor=DEMO, entries=[AuditEntry("test.batch")] * 2, ip="10.0.0.8")
    rows = list(AuditEvent.objects.filter(seq__gte=first).order_by("seq"))
    staff, system = rows[:2], rows[2:]
    assert [e.ip for e in staff] == ["10.0.0.7"] * 2 and [e.actor_id for e in staff] == [office.pk] * 2
    assert [e.ip for e in system] == [None, None]
    addresses = AuditAddress.objects.filter(seq__gte=first).order_by("seq").values_list("seq", "ip")
    assert list(addresses) == [(first + 2, "10.0.0.8"), (first + 3, "10.0.0.8")]
    assert audit_verify().ok


@pytest.mark.django_db(transaction=True)
def test_a_batch_outside_a_transaction_is_refused():
    from zhenwu.core.audit import AuditEntry, audit_record_many

    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_record_many(actor=DEMO, entries=[AuditEntry("test.batch")])
    with pytest.raises(TypeError, match="actor must be"):
        audit_record_many(actor="office", entries=[AuditEntry("test.batch")])  # type: ignore[arg-type]


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text() | st.dates() | st.datetimes(timezones=st.just(UTC))
    | st.sampled_from([DayKind.HOLIDAY, DayKind.WORKDAY]),
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(st.text(max_size=5) | st.integers(), inner, max_size=4),
    max_leaves=12,
)  # fmt: skip


@given(_json_values)
def test_the_quick_plain_copy_is_what_the_json_round_trip_gives(value):
    from zhenwu.core.audit import _plain

    expected = json.loads(json.dumps(value, ensure_ascii=False, default=str))
    copied = _plain(value)
    assert json.dumps(copied, sort_keys=True) == json.dumps(expected, sort_keys=True)
    assert type(copied) is type(expected)


@given(
    st.dictionaries(st.sampled_from(["seq", "after", "before", "ip", "action", "created_at"]), _json_values)
)
def test_a_rows_text_assembled_from_encoded_parts_is_its_canonical_text(fields):
    from zhenwu.core.audit import _DUMPS, _canonical, _canonical_with, _plain

    plain = {key: _plain(value) for key, value in fields.items()}
    texts = {key: _DUMPS(value) for key, value in plain.items() if key in ("before", "after")}
    assert _canonical_with(plain, texts) == _canonical(plain)
