"""The daily anchor (`tick` writes the head to a file kept elsewhere) and `audit verify --anchors`.

Each tampering is done as an intruder with database rights would: with the triggers dropped
where needed, and with the key where the chain alone would otherwise catch it.
"""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from zhenwu.core.actors import DEMO
from zhenwu.core.anchors import anchor_file, anchors_read, audit_anchor
from zhenwu.core.audit import _digest, _hashed_fields, _plain_digest, audit_record, audit_verify
from zhenwu.core.models import AuditEvent, TickRun
from zhenwu.core.tests.tampering import drop_update_guard
from zhenwu.core.tick import TASKS, run_tick

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY1 = datetime(2026, 11, 5, 2, 15, tzinfo=SHANGHAI)
DAY2 = datetime(2026, 11, 6, 2, 15, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def anchors_here(settings, tmp_path):
    settings.ZHENWU_AUDIT_ANCHOR_FILE = str(tmp_path / "elsewhere" / "anchors.txt")
    return tmp_path / "elsewhere" / "anchors.txt"


def _record(n: int) -> None:
    with transaction.atomic():
        for i in range(n):
            audit_record(actor=DEMO, action="test.event", object_type="x", object_id=i, after={"i": i})


def _two_anchors() -> None:
    """Anchors at row 3 (day 1) and row 6 (day 2), then two more rows."""
    _record(3)
    assert audit_anchor(DAY1) == 1
    _record(3)
    assert audit_anchor(DAY2) == 1
    _record(2)


def test_tick_runs_the_anchor_and_the_address_sweep():
    assert {"core.audit_anchor", "core.address_sweep"} <= set(TASKS)


def test_the_anchor_is_one_line_a_day_appended_to_the_file_the_setting_names(anchors_here):
    _record(3)
    assert audit_anchor(DAY1) == 1
    assert audit_anchor(DAY1.replace(hour=23)) == 0  # idempotent within the day
    head = AuditEvent.objects.get(seq=3).hash
    assert anchor_file() == anchors_here
    assert anchors_here.read_text() == f"2026-11-05 3:{head} 2026-11-05T02:15:00+08:00\n"
    _record(1)
    assert audit_anchor(DAY2) == 1
    assert [str(a.head) for a in anchors_read(anchors_here)] == [
        f"3:{head}",
        f"4:{AuditEvent.objects.get(seq=4).hash}",
    ]


def test_an_empty_log_is_anchored_at_seq_zero(anchors_here):
    assert audit_anchor(DAY1) == 1
    assert anchors_here.read_text().startswith("2026-11-05 0:" + "0" * 64)


def test_verify_with_anchors_accepts_an_intact_log_with_rows_after_the_last_anchor(capsys):
    _two_anchors()
    call_command("audit", "verify", "--anchors", str(anchor_file()))
    out = capsys.readouterr().out
    assert "共校验 8 条" in out and "2个锚点（2026-11-05至2026-11-06）都在链中" in out
    call_command("audit", "verify", "--anchors")  # this machine's file by default


def _delete_tail() -> None:
    drop_update_guard()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE seq > 4")


def _delete_all() -> None:
    drop_update_guard()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent")


def _truncate() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    with connection.cursor() as cursor:  # the owner switches the statement trigger off first
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own inserts are still pending
        cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_no_truncate")
        cursor.execute("TRUNCATE core_auditevent")


def _rechain_with_key() -> None:
    """Edit row 2 and recompute every hash after it, with the key (an intruder on the server)."""
    drop_update_guard()
    prev = AuditEvent.objects.get(seq=1).hash
    with connection.cursor() as cursor:
        for event in AuditEvent.objects.filter(seq__gte=2).order_by("seq"):
            event.after = {"i": "edited"} if event.seq == 2 else event.after
            event.prev_hash = prev
            event.hash = prev = _digest(_hashed_fields(event))
            cursor.execute(
                "UPDATE core_auditevent SET after = %s, prev_hash = %s, hash = %s WHERE seq = %s",
                [json.dumps(event.after), event.prev_hash, event.hash, event.seq],
            )


def _append_plain() -> None:
    from django.utils import timezone

    last = AuditEvent.objects.order_by("-seq").first()
    assert last is not None
    forged = AuditEvent(
        seq=last.seq + 1, created_at=timezone.now(), actor_label="office", action="test.forged",
        object_type="x", object_id="1", object_label="", after={"i": 0}, prev_hash=last.hash,
    )  # fmt: skip
    forged.hash = _plain_digest(_hashed_fields(forged))
    forged.save(force_insert=True)


@pytest.mark.parametrize(
    ("tamper", "row", "reason"),
    [
        (_delete_tail, 5, "第5条至第6条不见了：日志只到第4条，2026-11-06的锚点为第6条（尾部被删除或截断）"),
        (_delete_all, 1, "第1条至第3条不见了"),
        (_truncate, 1, "第1条至第3条不见了"),
        (_rechain_with_key, 3, "本条的哈希与2026-11-05的锚点（"),
        (_append_plain, 9, "内容与哈希不符（本条被改动或伪造）"),
    ],
    ids=["tail-deleted", "emptied", "truncated", "rechained", "forged-append"],
)
def test_verify_with_anchors_names_the_row_of_each_tampering(tamper, row, reason):
    _two_anchors()
    tamper()
    expectations = [a.expectation() for a in anchors_read(anchor_file())]
    result = audit_verify(anchors=expectations)
    assert result.first_break is not None and result.first_break.seq == row
    assert reason in result.first_break.reason
    with pytest.raises(CommandError, match=f"审计日志第 {row} 条处断链"):
        call_command("audit", "verify", "--anchors", str(anchor_file()))


def test_the_next_anchor_refuses_a_log_rechained_since_the_last_one():
    _two_anchors()
    _rechain_with_key()
    with pytest.raises(
        RuntimeError, match="审计日志第6条有问题，今天不写锚点.*若数据库是有意重建或恢复的.*改名留存"
    ):
        audit_anchor(datetime(2026, 11, 7, 2, 15, tzinfo=SHANGHAI))
    assert len(anchors_read(anchor_file())) == 2


def test_a_broken_log_is_not_anchored_and_the_tick_says_so():
    _record(3)
    drop_update_guard()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET after = %s WHERE seq = 2", ['{"i": 99}'])
    run_tick(DAY1)
    run = TickRun.objects.get(task="core.audit_anchor")
    assert not run.ok and "审计日志第2条有问题" in run.error
    assert not anchor_file().exists()


def test_a_malformed_anchor_file_is_refused_naming_the_line(anchors_here):
    anchors_here.parent.mkdir(parents=True)
    anchors_here.write_text("# copied from the town server\n\n2026-11-05 3:abc 2026-11-05T02:15:00+08:00\n")
    with pytest.raises(CommandError, match="第3行不是“日期 序号:哈希 时间”"):
        call_command("audit", "verify", "--anchors", str(anchors_here))
    with pytest.raises(CommandError, match="读不了锚点文件"):
        call_command("audit", "verify", "--anchors", str(anchors_here.with_name("missing.txt")))
