"""`zhenwu backup` and `zhenwu restore`: one private archive, checked whole before anything is touched.

Each test runs on installations of its own (see installations.py): a file database on SQLite,
the test database and a second, empty one on PostgreSQL. The round trip under write load,
with residents' suggestions and photos, is in zhenwu/tests/test_backup_roundtrip.py.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import sqlite3
import stat
import tarfile
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from zhenwu.core.actors import BACKUP, DEMO
from zhenwu.core.audit import _digest, _hashed_fields, audit_record, audit_verify, chain_head
from zhenwu.core.backup import MANIFEST, BackupError, archive_verify, backup_create, backup_restore
from zhenwu.core.constants import CoreAudit
from zhenwu.core.models import AuditEvent
from zhenwu.core.tests.installations import empty_target, source, use

pytestmark = pytest.mark.django_db(transaction=True)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _record(n: int) -> None:
    with transaction.atomic():
        for i in range(n):
            audit_record(actor=DEMO, action="test.event", object_type="x", object_id=i, after={"i": i})


def _populate(inst) -> None:
    _record(5)
    (inst.media / "evidence").mkdir(parents=True)
    (inst.media / "evidence" / "验收.pdf").write_bytes(b"%PDF-1.4 closure")
    (inst.var / "secret_key").write_text("source-secret-key")
    (inst.var / "secret_key").chmod(0o600)
    (inst.var / "routing").mkdir()
    (inst.var / "routing" / "routing-20261001-000000-000000.joblib").write_bytes(b"old model")
    (inst.var / "routing" / "routing-20261101-000000-000000.joblib").write_bytes(b"new model")
    (inst.var / "static").mkdir()
    (inst.var / "static" / "app.css").write_text("body{}")
    (inst.var / "tick.lock").write_text("")


@pytest.fixture
def src(tmp_path):
    inst = source(tmp_path / "src")
    with use(inst):
        _populate(inst)
        yield inst


def _members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar}  # type: ignore[union-attr]


def _rewrite(archive: Path, change: Callable[[dict[str, bytes]], None], *, fix_manifest: bool = True) -> None:
    """Rewrite an archive's members; with fix_manifest, as a forger would, with matching checksums."""
    members = _members(archive)
    change(members)
    if fix_manifest and MANIFEST in members:
        manifest = json.loads(members[MANIFEST])
        manifest["files"] = [
            {"path": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in members.items()
            if name != MANIFEST
        ]
        members[MANIFEST] = json.dumps(manifest).encode()
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    archive.write_bytes(out.getvalue())


# --- making a backup -----------------------------------------------------------------------


def test_backup_writes_one_private_archive_with_a_manifest_and_audits_it(src, tmp_path):
    head = chain_head()
    made = backup_create(directory=tmp_path / "backups", now=datetime(2026, 12, 1, 3, 0, tzinfo=SHANGHAI))
    assert made.path.name == "zhenwu-backup-20261201T030000.tar.gz"
    assert stat.S_IMODE(made.path.stat().st_mode) == 0o600
    assert [p.name for p in (tmp_path / "backups").iterdir()] == [made.path.name]  # no temp files left
    manifest = json.loads(_members(made.path)[MANIFEST])
    assert manifest["format"] == "zhenwu-backup" and manifest["version"] == 1
    assert manifest["db_vendor"] == connection.vendor and manifest["app_version"]
    assert manifest["created_at"].startswith("2026-12-01T03:00:00+08:00")
    assert manifest["head"] == {"seq": head.seq, "hash": head.hash} and head.seq == 5
    paths = [f["path"] for f in manifest["files"]]
    db = "db/zhenwu.sqlite3" if connection.vendor == "sqlite" else "db/zhenwu.pgdump"
    assert paths == [
        db,
        "media/evidence/验收.pdf",
        "var/audit_key",  # a restore verifies the log with the key that wrote it
        "var/secret_key",
        "var/routing/routing-20261101-000000-000000.joblib",  # the newest model only
    ]  # static files, the lock and the database's own files in var/ are not copied
    assert archive_verify(made.path).head == head
    # The event comes after the snapshot and names it: the archive's log ends just before it.
    event = AuditEvent.objects.get(action=CoreAudit.BACKUP_MADE)
    assert event.seq == head.seq + 1 and event.actor_label == BACKUP.key
    assert event.after == {
        "archive": made.path.name, "seq": head.seq, "hash": head.hash, "bytes": made.bytes,
        "sha256": hashlib.sha256(made.path.read_bytes()).hexdigest(), "removed": [],
    }  # fmt: skip


def test_keep_deletes_only_the_oldest_archives_named_like_ours(src, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    (folder / "zhenwu-backup-old.tar.gz").write_text("not ours by name")
    made = [
        backup_create(directory=folder, keep=2, now=datetime(2026, 11, day, 2, 15, tzinfo=SHANGHAI))
        for day in (28, 29, 30)
    ]
    assert made[2].removed == (made[0].path,)
    assert sorted(p.name for p in folder.iterdir()) == [
        "notes.txt", made[1].path.name, made[2].path.name, "zhenwu-backup-old.tar.gz",
    ]  # fmt: skip
    assert AuditEvent.objects.filter(action=CoreAudit.BACKUP_MADE).first().after["removed"] == [  # type: ignore[union-attr]
        made[0].path.name
    ]
    with pytest.raises(BackupError, match="至少为1"):
        backup_create(directory=folder, keep=0)


def test_backup_refuses_to_run_inside_a_transaction(src, tmp_path):
    with pytest.raises(RuntimeError, match="inside a transaction"), transaction.atomic():
        backup_create(directory=tmp_path / "b")


def test_the_backup_command_prints_the_archive_and_its_head(src, tmp_path, capsys):
    call_command("backup", str(tmp_path / "b"), "--keep", "3")
    out = capsys.readouterr().out
    assert "已备份：" in out and "审计日志末条为第5条" in out and "sha256 " in out


# --- restoring -----------------------------------------------------------------------------


@pytest.fixture
def archive(src, tmp_path) -> Path:
    return backup_create(directory=tmp_path / "backups").path


def test_restore_into_an_empty_installation_brings_everything_back(archive, tmp_path, capsys):
    head = archive_verify(archive).head
    with empty_target(tmp_path / "dst") as dst, use(dst):
        call_command("restore", str(archive))
        out = capsys.readouterr().out
        assert "与备份记录一致" in out and f"末条为第{head.seq}条" in out
        assert (dst.media / "evidence" / "验收.pdf").read_bytes() == b"%PDF-1.4 closure"
        key = dst.var / "secret_key"
        assert key.read_text() == "source-secret-key" and stat.S_IMODE(key.stat().st_mode) == 0o600
        assert (dst.var / "routing" / "routing-20261101-000000-000000.joblib").read_bytes() == b"new model"
        assert not (dst.var / "static").exists()
        restored = AuditEvent.objects.order_by("seq").last()
        assert restored is not None and restored.action == CoreAudit.BACKUP_RESTORED
        assert restored.seq == head.seq + 1 and restored.after["hash"] == head.hash  # type: ignore[index]
        assert audit_verify(expect_head=head, allow_later=True).ok
        assert [e.seq for e in AuditEvent.objects.order_by("seq")] == list(range(1, head.seq + 2))


def test_a_flipped_byte_is_refused_before_anything_is_touched(archive, tmp_path):
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0x40
    archive.write_bytes(bytes(data))
    with empty_target(tmp_path / "dst") as dst, use(dst):
        with pytest.raises(CommandError, match=archive.name):
            call_command("restore", str(archive))
        assert list(dst.var.iterdir()) == []


def test_a_member_that_differs_from_its_checksum_is_named(archive, tmp_path):
    def edit(members: dict[str, bytes]) -> None:
        members["media/evidence/验收.pdf"] = b"%PDF-1.4 altered"

    _rewrite(archive, edit, fix_manifest=False)
    with pytest.raises(BackupError, match="media/evidence/验收.pdf 与清单的校验和不符"):
        archive_verify(archive)


def test_a_missing_file_is_named(archive):
    _rewrite(archive, lambda members: members.pop("var/secret_key"), fix_manifest=False)
    with pytest.raises(BackupError, match="不完整：缺少 var/secret_key"):
        archive_verify(archive)


def test_a_truncated_archive_lacks_its_manifest_and_is_refused(archive):
    raw = gzip.decompress(archive.read_bytes())
    archive.write_bytes(gzip.compress(raw[: len(raw) // 2]))
    with pytest.raises(BackupError, match=f"{archive.name} (不完整|已损坏)"):
        archive_verify(archive)


def test_a_file_the_manifest_does_not_list_is_refused(archive):
    def add(members: dict[str, bytes]) -> None:
        members["var/extra_key"] = b"smuggled"

    _rewrite(archive, add, fix_manifest=False)
    with pytest.raises(BackupError, match="清单未列出的文件 var/extra_key"):
        archive_verify(archive)


def test_a_path_outside_the_installation_is_refused(archive):
    def add(members: dict[str, bytes]) -> None:
        members["media/../../etc/cron.d/x"] = b"* * * * * root sh"

    _rewrite(archive, add)
    with pytest.raises(BackupError, match="不是本程序会写的文件"):
        archive_verify(archive)


def test_a_non_empty_installation_is_refused_and_left_alone(archive, src):
    before = chain_head()
    with pytest.raises(CommandError, match="只能恢复到空的安装.*审计记录.*媒体目录.*--force"):
        call_command("restore", str(archive))
    assert chain_head() == before
    assert (src.media / "evidence" / "验收.pdf").exists()


def test_force_replaces_an_installation_that_holds_data(archive, tmp_path):
    with empty_target(tmp_path / "dst") as dst, use(dst):
        backup_restore(archive=archive)
        _record(3)  # the restored installation goes on living: 5, the restore, 3 more
        (dst.media / "later.jpg").write_bytes(b"taken after the backup")
        with pytest.raises(BackupError, match="9条审计记录"):
            backup_restore(archive=archive)
        done = backup_restore(archive=archive, force=True)
        assert chain_head().seq == 6  # the archive's 5, then this restore's own event
        assert AuditEvent.objects.get(seq=6).after["forced"] is True  # type: ignore[index]
        assert audit_verify(expect_head=done.manifest.head, allow_later=True).ok
        assert not (dst.media / "later.jpg").exists()
        aside = {p.name.split(".before-restore-")[0]: p for p in done.set_aside}
        assert (aside["media"] / "later.jpg").exists()
        if connection.vendor == "sqlite":  # PostgreSQL's restored tables replace the current ones
            old = sqlite3.connect(aside["zhenwu.sqlite3"])
            assert old.execute("SELECT max(seq) FROM core_auditevent").fetchone()[0] == 9
            old.close()


def test_an_archive_from_the_other_database_is_refused(archive):
    def other(members: dict[str, bytes]) -> None:
        manifest = json.loads(members[MANIFEST])
        manifest["db_vendor"] = "postgresql" if connection.vendor == "sqlite" else "sqlite"
        members[MANIFEST] = json.dumps(manifest).encode()

    _rewrite(archive, other, fix_manifest=False)
    with pytest.raises(BackupError, match="(不完整：缺少数据库|不能直接恢复)"):
        backup_restore(archive=archive)


# --- a tampered archive whose checksums were fixed: the recorded head catches it -------------


def _tamper_db(how: str) -> Callable[[dict[str, bytes]], None]:
    def change(members: dict[str, bytes]) -> None:
        with tempfile.TemporaryDirectory() as work:
            db = Path(work) / "db.sqlite3"
            db.write_bytes(members["db/zhenwu.sqlite3"])
            con = sqlite3.connect(db)
            con.execute("DROP TRIGGER core_auditevent_no_update")
            rows = con.execute(
                "SELECT seq, created_at, actor_id, actor_label, action, object_type, object_id, "
                "object_label, before, after, ip, prev_hash, hash FROM core_auditevent ORDER BY seq"
            ).fetchall()
            if how == "truncate":
                con.execute("DELETE FROM core_auditevent WHERE seq > 3")
            elif how == "rechain":
                _rechain(con, rows, from_seq=2)
            elif how == "append":
                _append_forged(con, rows[-1])
            con.commit()
            con.close()
            members["db/zhenwu.sqlite3"] = db.read_bytes()

    return change


def _event(row: tuple) -> AuditEvent:
    fields = ["seq", "created_at", "actor_id", "actor_label", "action", "object_type", "object_id",
              "object_label", "before", "after", "ip", "prev_hash", "hash"]  # fmt: skip
    values = dict(zip(fields, row, strict=True))
    values["created_at"] = datetime.fromisoformat(values["created_at"]).replace(tzinfo=UTC)  # stored as UTC
    values["before"] = json.loads(values["before"]) if values["before"] else None
    values["after"] = json.loads(values["after"]) if values["after"] else None
    return AuditEvent(**values)


def _rechain(con: sqlite3.Connection, rows: list[tuple], *, from_seq: int) -> None:
    prev = rows[from_seq - 2][-1]
    for row in rows[from_seq - 1 :]:
        event = _event(row)
        if event.seq == from_seq:
            event.after = {"i": "edited"}
        event.prev_hash = prev
        event.hash = _digest(_hashed_fields(event))
        con.execute(
            "UPDATE core_auditevent SET after = ?, prev_hash = ?, hash = ? WHERE seq = ?",
            [json.dumps(event.after), event.prev_hash, event.hash, event.seq],
        )
        prev = event.hash


def _append_forged(con: sqlite3.Connection, last: tuple) -> None:
    event = _event(last)
    event.seq, event.prev_hash, event.action, event.after = event.seq + 1, event.hash, "test.forged", {"i": 0}
    event.hash = _digest(_hashed_fields(event))
    con.execute(
        "INSERT INTO core_auditevent (seq, created_at, actor_label, action, object_type, object_id, "
        "object_label, after, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [event.seq, last[1], event.actor_label, event.action, event.object_type, event.object_id,
         event.object_label, json.dumps(event.after), event.prev_hash, event.hash],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("how", "row", "reason"),
    [("truncate", 4, "截断"), ("rechain", 5, "重新计算"), ("append", 6, "追加")],
)
def test_a_restored_log_that_does_not_end_at_the_recorded_head_is_refused(
    archive, tmp_path, how, row, reason
):
    if connection.vendor != "sqlite":
        pytest.skip("the tampering edits the SQLite file inside the archive")
    _rewrite(archive, _tamper_db(how))
    assert archive_verify(archive)  # the forger fixed the checksums
    with empty_target(tmp_path / "dst") as dst, use(dst):
        with pytest.raises(BackupError, match=f"审计日志第{row}条与备份不符：.*{reason}"):
            backup_restore(archive=archive)
        assert not AuditEvent.objects.filter(action=CoreAudit.BACKUP_RESTORED).exists()
        assert audit_verify().ok  # the chain alone would have passed
