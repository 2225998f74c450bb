"""The audit chain's daily anchor: its head written to a file the office keeps elsewhere.

A database owner can delete the log's newest rows, or rewrite every row after an edit with
fresh hashes (with the key, or on rows from before the key); nothing inside the database can
show that. A head written down outside it can: `zhenwu tick` appends one line a day

    2026-11-05 1234:<64 hex digits> 2026-11-05T02:15:00+08:00

to ZHENWU_AUDIT_ANCHOR_FILE (var/audit-anchors.txt by default), after checking the rows
since the previous line, and `zhenwu audit verify --anchors FILE` proves that every anchored
head is still in the chain. The file is only ever appended to; copy it off the machine (with
the backups, by mail, on paper: the 通报 print the head too).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from zhenwu.core.audit import ChainHead, Expectation, audit_verify
from zhenwu.core.tick import register


@dataclass(frozen=True)
class Anchor:
    day: date
    head: ChainHead
    at: str  # when it was written, as written

    def line(self) -> str:
        return f"{self.day.isoformat()} {self.head} {self.at}\n"

    def expectation(self) -> Expectation:
        return Expectation(self.head, _("%(day)s的锚点") % {"day": self.day.isoformat()})


class AnchorFileError(ValueError):
    """A line of an anchor file that is not an anchor, named by its number."""


def anchor_file() -> Path:
    named = getattr(settings, "ZHENWU_AUDIT_ANCHOR_FILE", "")
    return Path(named) if named else Path(settings.VAR_DIR) / "audit-anchors.txt"


def anchors_read(path: Path) -> list[Anchor]:
    """Every anchor in the file, in order; blank lines and #-comments are skipped."""
    return list(_parse(path.read_text(encoding="utf-8"), path))


def _parse(text: str, path: Path) -> Iterator[Anchor]:
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        try:
            if len(parts) != 3:
                raise ValueError(line)
            yield Anchor(date.fromisoformat(parts[0]), ChainHead.parse(parts[1]), parts[2])
        except ValueError as exc:
            raise AnchorFileError(
                _("锚点文件 %(path)s 第%(n)s行不是“日期 序号:哈希 时间”：%(line)s")
                % {"path": path, "n": number, "line": line[:120]}
            ) from exc


@register("core.audit_anchor")
def audit_anchor(now: datetime) -> int:
    """Append today's head (once a day); first check the rows written since the last anchor.

    A log that fails the check is not anchored: the task fails, and 系统检查 shows it until
    the office has looked (`zhenwu audit verify`). Returns 1 when a line was written.
    """
    path = anchor_file()
    today = timezone.localdate(now)
    anchors = anchors_read(path) if path.exists() else []
    if anchors and anchors[-1].day >= today:
        return 0
    last = anchors[-1] if anchors else None
    result = audit_verify(start=last.head if last else None)
    if not result.ok:
        brk = result.first_break
        assert brk is not None
        message = _("审计日志第%(seq)s条有问题，今天不写锚点：%(reason)s") % {
            "seq": brk.seq,
            "reason": brk.reason,
        }
        if last is not None and brk.seq == last.head.seq:
            # The anchored row itself is gone or different: the log was cut off or rewritten,
            # or the database was rebuilt on purpose (a fresh demo, a restore of an older backup).
            message += _("。若数据库是有意重建或恢复的，请将 %(path)s 改名留存，tick 会重新开始锚定") % {
                "path": path
            }
        raise RuntimeError(message)
    anchor = Anchor(today, result.head, timezone.localtime(now).isoformat(timespec="seconds"))
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_APPEND: the line goes at the end even if the file was copied or rotated meanwhile.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
        handle.write(anchor.line())
        handle.flush()
        os.fsync(handle.fileno())
    return 1
