"""Backups of one installation into a single archive, and restoring one into an empty installation.

An installation is its database, MEDIA_ROOT (photos, evidence, pending imports) and what else
lives in var/ (the secret key that keys sessions and throttle HMACs, the routing model, and
any key file added later). A plain copy of the live SQLite file loses what sits in its -wal,
so the database is copied by the database: SQLite's online backup API (one step, so one
consistent read snapshot while writers carry on in WAL mode), or `pg_dump` on an exported
REPEATABLE READ snapshot. The audit chain's head is read from that same snapshot, so the
archive's manifest says exactly where its log ends and `audit verify --expect-head` can prove
after a restore that nothing was cut off, re-chained or appended.

Archive layout (`zhenwu-backup-YYYYMMDDTHHMMSS.tar.gz`, mode 0600, renamed into place only
when complete): `db/zhenwu.sqlite3` or `db/zhenwu.pgdump`, `media/…`, `var/…`, and last
`manifest.json` with every other member's size and sha256. The manifest comes last because
each member is hashed while it is written (a photo removed or replaced meanwhile cannot
disagree with its checksum), and a truncated archive then lacks it and is refused whole.
The checksums catch corruption, not a forger: whoever can rewrite the archive can rewrite
its manifest, which is why the archive must be kept as secret and safe as the server.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import IO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhenwu.core.actors import BACKUP, SystemActor
from zhenwu.core.audit import EMPTY_HEAD, ChainHead, audit_record, audit_verify
from zhenwu.core.constants import CoreAudit
from zhenwu.core.dbroles import audit_table_tighten
from zhenwu.core.models import AuditEvent

FORMAT = "zhenwu-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
ARCHIVE_NAME = re.compile(r"^zhenwu-backup-\d{8}T\d{6}\.tar\.gz$")
DB_MEMBER = {"sqlite": "db/zhenwu.sqlite3", "postgresql": "db/zhenwu.pgdump"}
# var/ is copied whole, so a key file added later is never silently left out, except what a
# restore does not need: the database (copied above), media (its own folder), collected static
# files (rebuilt by collectstatic), caches (previews, remade on demand), locks, and backups themselves.
VAR_SKIP_NAMES = {"static", "cache", "backups", "tick.lock"}
# The app only ever loads the newest routing model; the older ones are history that grows by
# one file per retraining, so only the newest goes into a nightly archive.
NEWEST_ONLY = {"routing": "routing-*.joblib"}
_CHUNK = 1024 * 1024
_MANIFEST_MAX_BYTES = 64 * 1024 * 1024


class BackupError(Exception):
    """A refusal with its reason in Chinese, naming the file or thing that is wrong."""


@dataclass(frozen=True)
class FileEntry:
    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    created_at: str
    db_vendor: str
    head: ChainHead
    files: tuple[FileEntry, ...]
    app_version: str = ""
    git_commit: str = ""
    secret_key_in_archive: bool = True

    def as_json(self) -> bytes:
        data = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "created_at": self.created_at,
            "db_vendor": self.db_vendor,
            "app_version": self.app_version,
            "git_commit": self.git_commit,
            "head": {"seq": self.head.seq, "hash": self.head.hash},
            "secret_key_in_archive": self.secret_key_in_archive,
            "files": [{"path": f.path, "size": f.size, "sha256": f.sha256} for f in self.files],
        }
        return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes, archive: str) -> Manifest:
        try:
            data = json.loads(raw.decode("utf-8"))
            if data.get("format") != FORMAT:
                raise ValueError("format")
            if data.get("version") != FORMAT_VERSION:
                raise BackupError(
                    _("备份文件 %(archive)s 的格式版本为 %(v)s，本程序只认 %(mine)s")
                    % {"archive": archive, "v": data.get("version"), "mine": FORMAT_VERSION}
                )
            files = tuple(FileEntry(str(f["path"]), int(f["size"]), str(f["sha256"])) for f in data["files"])
            return cls(
                created_at=str(data["created_at"]),
                db_vendor=str(data["db_vendor"]),
                head=ChainHead.parse(f"{int(data['head']['seq'])}:{data['head']['hash']}"),
                files=files,
                app_version=str(data.get("app_version", "")),
                git_commit=str(data.get("git_commit", "")),
                secret_key_in_archive=bool(data.get("secret_key_in_archive", True)),
            )
        except BackupError:
            raise
        except (ValueError, KeyError, TypeError) as exc:
            raise BackupError(
                _("备份文件 %(archive)s 的清单 %(manifest)s 无法读取（不是本程序写的，或已损坏）")
                % {"archive": archive, "manifest": MANIFEST}
            ) from exc


@dataclass(frozen=True)
class BackupMade:
    path: Path
    manifest: Manifest
    bytes: int
    sha256: str
    removed: tuple[Path, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RestoreDone:
    manifest: Manifest
    checked: int
    set_aside: tuple[Path, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)


# ---------------------------------------------------------------------------------------
# Making a backup


def backup_create(
    *, directory: Path, keep: int | None = None, actor: SystemActor = BACKUP, now: datetime | None = None
) -> BackupMade:
    """Snapshot the running installation into one archive in `directory`; keep the newest `keep`."""
    if keep is not None and keep < 1:
        raise BackupError(_("--keep 至少为1（刚做好的这份也算在内）"))
    if connection.in_atomic_block:
        # The snapshot must see only committed data; inside a transaction SQLite's backup
        # would also wait forever on this connection's own write lock.
        raise RuntimeError("backup_create must not run inside a transaction")
    now = now or timezone.now()
    directory = Path(directory)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = f"zhenwu-backup-{timezone.localtime(now):%Y%m%dT%H%M%S}.tar.gz"
    final = directory / name
    if final.exists():
        raise BackupError(_("备份文件 %(path)s 已存在，请稍后再试") % {"path": final})
    manifest, digest, notes = _write_snapshot(directory, name, now)
    size, head = final.stat().st_size, manifest.head
    removed = backups_rotate(directory=directory, keep=keep) if keep else []
    # The event is written after the snapshot, never inside it: the archive's head is then the
    # last event the archive holds, and a restored log must end exactly there (the
    # --expect-head check). Written first, the event would be in the snapshot but could not
    # name the archive's size or checksum, and a backup that then failed would still read as
    # made (the 系统检查 page trusts the newest BACKUP_MADE).
    with transaction.atomic():
        audit_record(
            actor=actor, action=CoreAudit.BACKUP_MADE, object_type="backup", object_id=name, object_label=name,
            after={"archive": name, "seq": head.seq, "hash": head.hash, "bytes": size, "sha256": digest,
                   "removed": [p.name for p in removed]},
        )  # fmt: skip
    return BackupMade(final, manifest, size, digest, tuple(removed), tuple(notes))


def _write_snapshot(directory: Path, name: str, now: datetime) -> tuple[Manifest, str, list[str]]:
    """The database snapshot, media and var/ into `directory/name`, or nothing at all."""
    notes: list[str] = []
    # The newest routing model is chosen before the snapshot: every model a row in the
    # snapshot can name was written before its row committed.
    var_files = _var_files(directory)
    partial = directory / f".{name}.partial"  # not the pattern: never taken for a finished backup
    try:
        with tempfile.TemporaryDirectory(dir=directory, prefix=".zhenwu-backup-") as work:
            dump = Path(work) / "db"
            vendor = connection.vendor
            if vendor == "sqlite":
                head = _snapshot_sqlite(dump)
            elif vendor == "postgresql":
                head = _snapshot_postgresql(dump)
            else:
                raise BackupError(_("不支持备份 %(vendor)s 数据库") % {"vendor": vendor})
            # Media is listed after the snapshot: a row's file is saved before the row
            # commits, so every file the snapshot refers to is already there.
            members = [(DB_MEMBER[vendor], dump), *_media_files(), *var_files]
            key_in_archive = any(arc == "var/secret_key" for arc, _path in var_files)
            if not key_in_archive:
                notes.append(
                    _("密钥不在 var/secret_key（来自环境变量 ZHENWU_SECRET_KEY），未放入备份，请另行保管")
                )
            manifest, digest = _write_archive(
                partial,
                members,
                lambda entries: Manifest(
                    created_at=timezone.localtime(now).isoformat(),
                    db_vendor=vendor,
                    head=head,
                    files=entries,
                    app_version=_app_version(),
                    git_commit=_git_commit(),
                    secret_key_in_archive=key_in_archive,
                ),
            )
        os.replace(partial, directory / name)  # only a complete archive carries the pattern's name
        _fsync_dir(directory)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return manifest, digest, notes


def backups_rotate(*, directory: Path, keep: int) -> list[Path]:
    """Delete the oldest archives beyond `keep`; only files named like our archives are touched."""
    archives = sorted(p for p in Path(directory).iterdir() if p.is_file() and ARCHIVE_NAME.match(p.name))
    doomed = archives[:-keep] if keep > 0 else archives
    for path in doomed:
        path.unlink()
    return doomed


def _snapshot_sqlite(dest: Path) -> ChainHead:
    """Copy the database with SQLite's online backup API, then read the head from the copy."""
    name = str(connection.settings_dict["NAME"])
    source = sqlite3.connect(name, uri=name.startswith("file:"), timeout=60)
    target = sqlite3.connect(dest)
    try:
        # pages=-1 copies in one step under one read transaction: a consistent snapshot that
        # WAL writers do not block, and that a write in the middle cannot restart.
        source.backup(target, pages=-1)
        row = target.execute(f"SELECT seq, hash FROM {AuditEvent._meta.db_table} ORDER BY seq DESC LIMIT 1")
        found = row.fetchone()
    except sqlite3.OperationalError as exc:
        raise BackupError(
            _("无法复制 SQLite 数据库 %(name)s：%(error)s") % {"name": name, "error": exc}
        ) from exc
    finally:
        target.close()
        source.close()
    return ChainHead(int(found[0]), str(found[1])) if found else EMPTY_HEAD


def _snapshot_postgresql(dest: Path) -> ChainHead:
    """pg_dump (custom format) of an exported snapshot, and the head read in that snapshot."""
    params = connection.get_connection_params()
    raw = connection.get_new_connection(params)
    try:
        raw.autocommit = True
        with raw.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            cursor.execute(f"SELECT seq, hash FROM {AuditEvent._meta.db_table} ORDER BY seq DESC LIMIT 1")
            found = cursor.fetchone()
            # The exporting transaction stays open until pg_dump has finished with its snapshot.
            _run_pg(
                "pg_dump", ["--format=custom", f"--file={dest}", f"--snapshot={snapshot}", "--no-sync"],
                what=_("数据库导出"),
            )  # fmt: skip
            cursor.execute("COMMIT")
    finally:
        raw.close()
    return ChainHead(int(found[0]), str(found[1])) if found else EMPTY_HEAD


def _pg_env() -> dict[str, str]:
    """libpq's environment for the configured database: the password never goes on a command line."""
    db = connection.settings_dict
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("NAME", "PGDATABASE")):
        if db.get(key):
            env[var] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    options = db.get("OPTIONS") or {}
    for key, var in (("sslmode", "PGSSLMODE"), ("passfile", "PGPASSFILE"), ("service", "PGSERVICE")):
        if options.get(key):
            env[var] = str(options[key])
    return env


def _pg_tool(name: str) -> str:
    folder = settings.ZHENWU_PG_BINDIR
    found = str(Path(folder) / name) if folder else shutil.which(name)
    if not found or not Path(found).exists():
        raise BackupError(
            _("找不到 %(tool)s（请安装 PostgreSQL 客户端，或设置 ZHENWU_PG_BINDIR）") % {"tool": name}
        )
    return found


def _run_pg(tool: str, args: list[str], *, what: str) -> None:
    done = subprocess.run([_pg_tool(tool), *args], env=_pg_env(), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(
            _("%(what)s失败（%(tool)s 退出码 %(code)s）：%(error)s")
            % {"what": what, "tool": tool, "code": done.returncode, "error": done.stderr.strip()[-2000:]}
        )


def _walk(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            yield Path(folder) / name


def _media_files() -> list[tuple[str, Path]]:
    root = Path(settings.MEDIA_ROOT)
    return [(f"media/{p.relative_to(root).as_posix()}", p) for p in _walk(root) if not p.is_symlink()]


def _var_files(backup_dir: Path) -> list[tuple[str, Path]]:
    """var/ minus what a restore does not need (see VAR_SKIP_NAMES), the newest routing model only."""
    var = Path(settings.VAR_DIR)
    skip = {Path(p).resolve() for p in (settings.MEDIA_ROOT, settings.STATIC_ROOT, backup_dir)}
    if connection.vendor == "sqlite":
        db = Path(str(connection.settings_dict["NAME"]))
        skip |= {db.resolve(), *(db.with_name(db.name + s).resolve() for s in ("-wal", "-shm", "-journal"))}
    found: list[tuple[str, Path]] = []
    for path in _walk(var):
        rel = path.relative_to(var)
        if (
            rel.parts[0] in VAR_SKIP_NAMES
            or path.is_symlink()
            or path.suffix == ".lock"
            or ARCHIVE_NAME.match(path.name)
            or path.name.endswith(".partial")
            or any(path.resolve() == s or s in path.resolve().parents for s in skip)
        ):
            continue
        pattern = NEWEST_ONLY.get(rel.parts[0]) if len(rel.parts) == 2 else None
        if pattern and path != _newest(path.parent, pattern):
            continue
        found.append((f"var/{rel.as_posix()}", path))
    return found


def _newest(folder: Path, pattern: str) -> Path | None:
    names = sorted(folder.glob(pattern))
    return names[-1] if names else None


class _HashingReader:
    """Hands tarfile a file's bytes and hashes exactly the bytes it hands over."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw, self.sha, self.size = raw, hashlib.sha256(), 0

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        self.sha.update(data)
        self.size += len(data)
        return data


class _HashingWriter:
    """The archive's own checksum, computed as it is written rather than by reading it back."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw, self.sha = raw, hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.sha.update(data)
        return self.raw.write(data)

    def flush(self) -> None:
        self.raw.flush()


def _tarinfo(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o600, int(timezone.now().timestamp())
    return info


def _write_archive(
    partial: Path, members: list[tuple[str, Path]], manifest_for: Callable[[tuple[FileEntry, ...]], Manifest]
) -> tuple[Manifest, str]:
    """Every member into a new private .tar.gz, hashed as written, then the manifest last.

    Returns the manifest and the archive's sha256.
    """
    entries: list[FileEntry] = []
    # 0600 from the first byte: the archive holds the secret key.
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        hashed = _HashingWriter(out)
        # Level 6: most of the gain of 9 at a fraction of the time (photos do not shrink anyway).
        with tarfile.open(fileobj=hashed, mode="w:gz", compresslevel=6) as tar:  # type: ignore[call-overload]
            for arcname, path in members:
                try:
                    handle = path.open("rb")
                except FileNotFoundError:
                    continue  # removed since it was listed (a pending import cleaned up): nothing to keep
                with handle:
                    reader = _HashingReader(handle)
                    try:
                        tar.addfile(_tarinfo(arcname, os.fstat(handle.fileno()).st_size), reader)  # type: ignore[arg-type]
                    except OSError as exc:
                        raise BackupError(
                            _("备份时文件 %(path)s 在读取中途被改动：%(error)s")
                            % {"path": path, "error": exc}
                        ) from exc
                entries.append(FileEntry(arcname, reader.size, reader.sha.hexdigest()))
            manifest = manifest_for(tuple(entries))
            raw = manifest.as_json()
            tar.addfile(_tarinfo(MANIFEST, len(raw)), io.BytesIO(raw))
        out.flush()
        os.fsync(out.fileno())
    return manifest, hashed.sha.hexdigest()


def _fsync_dir(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _app_version() -> str:
    try:
        return metadata.version("zhenwu")
    except metadata.PackageNotFoundError:
        return ""


def _git_commit() -> str:
    git = shutil.which("git")
    if not git or not (Path(settings.BASE_DIR) / ".git").exists():
        return ""
    try:
        done = subprocess.run(
            [git, "-C", str(settings.BASE_DIR), "rev-parse", "HEAD"],
            capture_output=True, text=True, timeout=5, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


# ---------------------------------------------------------------------------------------
# Checking an archive and restoring it


def archive_verify(archive: Path) -> Manifest:
    """Read the whole archive and refuse it, naming the file, unless every member matches the manifest."""
    archive = Path(archive)
    label = archive.name
    if not archive.is_file():
        raise BackupError(_("找不到备份文件 %(path)s") % {"path": archive})
    seen: dict[str, tuple[int, str]] = {}
    raw_manifest: bytes | None = None
    current = _("文件开头")
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            for member in tar:
                current = member.name
                _check_member_name(member, label)
                if member.name in seen or (member.name == MANIFEST and raw_manifest is not None):
                    raise BackupError(
                        _("备份文件 %(archive)s 中 %(path)s 出现了两次")
                        % {"archive": label, "path": member.name}
                    )
                handle = tar.extractfile(member)
                assert handle is not None  # a regular file, checked above
                if member.name == MANIFEST:
                    if member.size > _MANIFEST_MAX_BYTES:
                        raise BackupError(_("备份文件 %(archive)s 的清单大得不合理") % {"archive": label})
                    raw_manifest = handle.read()
                else:
                    seen[member.name] = _hash_stream(handle)
                current = _("%(path)s 之后") % {"path": member.name}
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise BackupError(
            _("备份文件 %(archive)s 已损坏，读到 %(member)s 时无法解压（%(error)s）")
            % {"archive": label, "member": current, "error": exc}
        ) from exc
    if raw_manifest is None:
        raise BackupError(
            _("备份文件 %(archive)s 不完整：读不到清单 %(manifest)s（没有写完、被截断或已损坏）")
            % {"archive": label, "manifest": MANIFEST}
        )
    manifest = Manifest.from_json(raw_manifest, label)
    listed = {entry.path: entry for entry in manifest.files}
    for entry in manifest.files:
        found = seen.get(entry.path)
        if found is None:
            raise BackupError(
                _("备份文件 %(archive)s 不完整：缺少 %(path)s") % {"archive": label, "path": entry.path}
            )
        if found != (entry.size, entry.sha256):
            raise BackupError(
                _("备份文件 %(archive)s 中的 %(path)s 与清单的校验和不符（已损坏或被改动）")
                % {"archive": label, "path": entry.path}
            )
    if extra := sorted(set(seen) - set(listed)):
        raise BackupError(
            _("备份文件 %(archive)s 中有清单未列出的文件 %(path)s") % {"archive": label, "path": extra[0]}
        )
    db_member = DB_MEMBER.get(manifest.db_vendor)
    if db_member is None or db_member not in listed:
        raise BackupError(
            _("备份文件 %(archive)s 不完整：缺少数据库 %(path)s")
            % {"archive": label, "path": db_member or manifest.db_vendor}
        )
    return manifest


def _check_member_name(member: tarfile.TarInfo, label: str) -> None:
    path = PurePosixPath(member.name)
    top = path.parts[0] if path.parts else ""
    if (
        not member.isreg()
        or path.is_absolute()
        or ".." in path.parts
        or "\\" in member.name
        or (member.name != MANIFEST and (top not in {"db", "media", "var"} or len(path.parts) < 2))
    ):
        raise BackupError(
            _("备份文件 %(archive)s 中的 %(path)s 不是本程序会写的文件，拒绝恢复")
            % {"archive": label, "path": member.name}
        )


def _hash_stream(handle: IO[bytes]) -> tuple[int, str]:
    sha, size = hashlib.sha256(), 0
    while chunk := handle.read(_CHUNK):
        sha.update(chunk)
        size += len(chunk)
    return size, sha.hexdigest()


def installation_contents() -> list[str]:
    """What this installation already holds that a restore would replace (empty: nothing).

    The database counts as empty with no audit events and no accounts: every change the app
    makes is audited in its own transaction, and accounts can also come from Django's
    createsuperuser. What is left is what `migrate` writes itself (the holiday calendar,
    the built-in scales), which the archive carries too.
    """
    held: list[str] = []
    tables = set(connection.introspection.table_names())
    if AuditEvent._meta.db_table in tables and (events := AuditEvent.objects.count()):
        held.append(_("数据库已有%(n)s条审计记录") % {"n": events})
    user_model = get_user_model()
    if user_model._meta.db_table in tables and (users := user_model.objects.count()):
        held.append(_("数据库已有%(n)s个账号") % {"n": users})
    media = Path(settings.MEDIA_ROOT)
    if next(_walk(media), None) is not None:
        held.append(_("媒体目录 %(path)s 已有文件") % {"path": media})
    return held


def backup_restore(*, archive: Path, force: bool = False, actor: SystemActor = BACKUP) -> RestoreDone:
    """Restore an archive into this (empty) installation, then prove its audit log ends where it did.

    Nothing is touched before the whole archive has been checked. With `force`, an installation
    that holds data is replaced: on SQLite its database and its media folder are set aside
    (renamed with `.before-restore-<time>`), on PostgreSQL the restored tables replace the
    current ones. The server must be stopped meanwhile.
    """
    if connection.in_atomic_block:
        raise RuntimeError("backup_restore must not run inside a transaction")
    archive = Path(archive)
    manifest = archive_verify(archive)
    vendor = connection.vendor
    if manifest.db_vendor != vendor:
        raise BackupError(
            _("备份来自 %(theirs)s 数据库，本安装使用 %(ours)s，不能直接恢复")
            % {"theirs": manifest.db_vendor, "ours": vendor}
        )
    try:
        held = installation_contents()
    except DatabaseError as exc:
        raise BackupError(_("无法读取要恢复到的数据库：%(error)s") % {"error": exc}) from exc
    if held and not force:
        raise BackupError(
            _(
                "只能恢复到空的安装，而这里%(held)s。如确要用备份替换现有数据，请加 --force（SQLite 的数据库文件和媒体目录会改名留存）"
            )
            % {"held": "；".join(held)}
        )
    stamp = f"{timezone.localtime():%Y%m%dT%H%M%S}"
    set_aside: list[Path] = []
    media = Path(settings.MEDIA_ROOT)
    var = Path(settings.VAR_DIR)
    var.mkdir(mode=0o700, parents=True, exist_ok=True)
    if held and next(_walk(media), None) is not None:
        set_aside.append(_set_aside(media, stamp))
    connection.close()
    with tempfile.TemporaryDirectory(dir=var, prefix=".zhenwu-restore-") as work:
        dump = Path(work) / "db"
        _extract(archive, manifest, dump)
        if vendor == "sqlite":
            set_aside += _restore_sqlite(dump, keep_old=bool(held), stamp=stamp)
        else:
            _restore_postgresql(dump)
    connection.close()
    result = audit_verify(expect_head=manifest.head)
    if not result.ok:
        brk = result.first_break
        assert brk is not None
        raise BackupError(
            _("已恢复，但审计日志第%(seq)s条与备份不符：%(reason)s。请勿启用这份副本，并查明备份的来源")
            % {"seq": brk.seq, "reason": brk.reason}
        )
    with transaction.atomic():
        audit_record(
            actor=actor, action=CoreAudit.BACKUP_RESTORED, object_type="backup", object_id=archive.name,
            object_label=archive.name,
            after={"archive": archive.name, "seq": manifest.head.seq, "hash": manifest.head.hash,
                   "created_at": manifest.created_at, "forced": bool(held)},
        )  # fmt: skip
    return RestoreDone(manifest, result.checked, tuple(set_aside), tuple(_restore_notes(manifest)))


def _set_aside(path: Path, stamp: str) -> Path:
    aside = path.with_name(f"{path.name}.before-restore-{stamp}")
    path.rename(aside)
    return aside


def _extract(archive: Path, manifest: Manifest, dump: Path) -> None:
    """Second pass: each member to its place, hashed again as written (the file may have changed)."""
    listed = {entry.path: entry for entry in manifest.files}
    db_member = DB_MEMBER[manifest.db_vendor]
    media, var = Path(settings.MEDIA_ROOT), Path(settings.VAR_DIR)
    with tarfile.open(archive, mode="r:gz") as tar:
        for member in tar:
            if member.name == MANIFEST:
                continue
            top, _sep, rel = member.name.partition("/")
            if member.name == db_member:
                dest, private = dump, True
            elif top == "media":
                dest, private = media / rel, False
            elif top == "var":
                dest, private = var / rel, True  # the secret key and its neighbours: 0600
            else:
                continue
            handle = tar.extractfile(member)
            assert handle is not None
            _write_member(handle, dest, listed[member.name], private=private)


def _write_member(handle: IO[bytes], dest: Path, entry: FileEntry, *, private: bool) -> None:
    dest.parent.mkdir(mode=0o700 if private else 0o755, parents=True, exist_ok=True)
    staged = dest.with_name(f".{dest.name}.restoring")
    descriptor = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    sha, size = hashlib.sha256(), 0
    with os.fdopen(descriptor, "wb") as out:
        while chunk := handle.read(_CHUNK):
            sha.update(chunk)
            size += len(chunk)
            out.write(chunk)
    if (size, sha.hexdigest()) != (entry.size, entry.sha256):
        staged.unlink()
        raise BackupError(_("备份文件在校验之后被改动：%(path)s") % {"path": entry.path})
    if private:
        staged.chmod(0o600)
    os.replace(staged, dest)


def _restore_sqlite(dump: Path, *, keep_old: bool, stamp: str) -> list[Path]:
    name = str(connection.settings_dict["NAME"])
    if name.startswith("file:") or name == ":memory:":
        raise BackupError(_("当前数据库在内存中，无法恢复为文件"))
    check = sqlite3.connect(dump)
    try:
        verdict = check.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        check.close()
    if verdict != "ok":
        raise BackupError(_("备份中的数据库未通过 SQLite 完整性检查：%(verdict)s") % {"verdict": verdict})
    target = Path(name)
    target.parent.mkdir(parents=True, exist_ok=True)
    aside: list[Path] = []
    if keep_old and target.exists():
        # Through the backup API, not a rename: what sits in the -wal belongs to the old data.
        old = target.with_name(f"{target.name}.before-restore-{stamp}")
        source, copy = sqlite3.connect(target), sqlite3.connect(old)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        aside.append(old)
    staged = target.with_name(f".{target.name}.restoring")
    shutil.move(dump, staged)
    staged.chmod(0o600)
    # A stale -wal next to the new file would be replayed into it.
    for suffix in ("-wal", "-shm", "-journal"):
        target.with_name(target.name + suffix).unlink(missing_ok=True)
    os.replace(staged, target)
    return aside


def _restore_postgresql(dump: Path) -> None:
    # --clean --if-exists replaces the tables a bare `migrate` may have made; the emptiness
    # check (or --force) stands before it. Owners and grants are the target's own business
    # (the app and owner roles of the target cluster), so they are not carried over.
    _run_pg(
        "pg_restore",
        ["--clean", "--if-exists", "--no-owner", "--no-acl", "--single-transaction", "--exit-on-error",
         f"--dbname={connection.settings_dict['NAME']}", str(dump)],
        what=_("数据库恢复"),
    )  # fmt: skip
    # Default privileges gave the restored audit log to the app role like any new table: take
    # back UPDATE, DELETE and TRUNCATE at once, before anything else can connect.
    with transaction.atomic(), connection.cursor() as cursor:
        audit_table_tighten(cursor)


def _restore_notes(manifest: Manifest) -> list[str]:
    """What the operator should do next: migrations to apply, a key that lives elsewhere."""
    from django.db.migrations.executor import MigrationExecutor

    notes: list[str] = []
    executor = MigrationExecutor(connection)
    unknown = set(executor.loader.applied_migrations) - set(executor.loader.disk_migrations)
    if unknown:
        notes.append(
            _("备份来自较新的程序版本（有%(n)s个本程序没有的迁移），请换用相同或更新的版本")
            % {"n": len(unknown)}
        )
    elif executor.migration_plan(executor.loader.graph.leaf_nodes()):
        notes.append(_("备份来自较早的程序版本，请运行 zhenwu migrate"))
    if connection.vendor == "postgresql":
        notes.append(
            _(
                "PostgreSQL：恢复不带账号权限（pg_restore --no-acl），请再运行 zhenwu db-roles，为应用账号重新授权并确认审计日志只能追加"
            )
        )
    if not manifest.secret_key_in_archive:
        notes.append(_("备份中没有密钥（原安装用环境变量 ZHENWU_SECRET_KEY），请把原密钥配置到本安装"))
    elif os.environ.get("ZHENWU_SECRET_KEY") or os.environ.get("ZHENWU_SECRET_KEY_FILE"):
        notes.append(_("已恢复 var/secret_key，但本安装用环境变量 ZHENWU_SECRET_KEY，恢复的密钥不会生效"))
    return notes
