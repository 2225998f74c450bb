"""Writing and verifying the append-only, hash-chained audit log.

audit_record() is the only writer. It must run inside the caller's transaction, so the
event and the change it describes commit or roll back together. On PostgreSQL a
transaction-level advisory lock serialises writers: without it two READ COMMITTED
transactions read the same last hash and fork the chain. SQLite serialises writers
already (IMMEDIATE transactions). The unique `seq` makes any fork fail loudly anyway.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhenwu.core.actors import Actor, SystemActor, account_of, actor_label
from zhenwu.core.context import request_ip
from zhenwu.core.models import AuditEvent

GENESIS = "0" * 64
_AUDIT_LOCK_KEY = 7_468_301  # arbitrary, fixed: the advisory lock that orders audit writers


def _plain(value: Any) -> Any:
    """JSON-safe copy, so the hash is computed over exactly what the database stores."""
    if value is None:
        return None
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def _digest(fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _hashed_fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "created_at": event.created_at.astimezone(UTC).isoformat(),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_label": event.object_label,
        "before": event.before,
        "after": event.after,
        "ip": event.ip,
        "prev_hash": event.prev_hash,
    }


def audit_record(
    *,
    actor: Actor | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_label: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    ip: str | None = None,
    label: str = "",
) -> AuditEvent:
    """Append one event. Call inside the transaction that makes the change.

    `actor` is an account or a SystemActor, never a bare string (a string used to pass for
    anyone). `label` names who tried when nobody is logged in (a failed login's username).
    """
    if actor is not None and not isinstance(actor, SystemActor) and not hasattr(actor, "get_username"):
        raise TypeError(f"audit_record: actor must be a User or a SystemActor, not {type(actor).__name__}")
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change it records")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_label = object_label or str(obj)[:200]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_AUDIT_LOCK_KEY])
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
    who = label if actor is None and label else actor_label(actor)
    event = AuditEvent(
        seq=seq,
        created_at=timezone.now(),
        actor=account_of(actor),
        actor_label=who[:100],
        action=str(action),
        object_type=object_type,
        object_id=str(object_id),
        object_label=object_label[:200],
        before=_plain(before),
        after=_plain(after),
        ip=ip or request_ip.get(),
        prev_hash=prev_hash,
    )
    event.hash = _digest(_hashed_fields(event))
    event.save(force_insert=True)
    return event


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


@dataclass(frozen=True)
class ChainHead:
    """The newest row of the chain as (seq, hash); seq 0 with GENESIS is the empty chain.

    Written down outside the database (a backup's manifest, a daily anchor), it is what
    `audit verify --expect-head` holds the chain to: a chain that verifies on its own may
    still have lost its tail or been re-chained from an edited row onwards.
    """

    seq: int
    hash: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"

    @classmethod
    def parse(cls, text: str) -> ChainHead:
        seq, sep, digest = text.strip().partition(":")
        digest = digest.lower()
        if (
            not sep
            or not seq.isdigit()
            or len(digest) != 64
            or any(c not in "0123456789abcdef" for c in digest)
        ):
            raise ValueError(
                _("预期末条应写作“序号:哈希”（哈希为64位十六进制），收到“%(text)s”") % {"text": text}
            )
        return cls(int(seq), digest)


EMPTY_HEAD = ChainHead(0, GENESIS)


def chain_head() -> ChainHead:
    """The chain's newest row now (EMPTY_HEAD when nothing was ever recorded)."""
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    return ChainHead(*last) if last else EMPTY_HEAD


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    first_break: ChainBreak | None
    head: ChainHead = EMPTY_HEAD  # the newest row that was checked

    @property
    def ok(self) -> bool:
        return self.first_break is None


def _events() -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("seq").iterator(chunk_size=2000)


def audit_verify(*, expect_head: ChainHead | None = None, allow_later: bool = False) -> VerifyResult:
    """Walk the chain from the start; report the first row that was altered, removed or inserted.

    With `expect_head`, the chain must also reach that row with that hash, and (unless
    `allow_later`, for an anchor taken earlier on a live log) end there: this is what
    catches what the chain alone cannot — its tail deleted or truncated, every row after
    an edit re-hashed, or a row appended with a recomputed hash.
    """
    expected_prev, expected_seq, checked = GENESIS, 1, 0
    hash_at_expected = GENESIS if expect_head is not None and expect_head.seq == 0 else None
    with transaction.atomic():
        for event in _events():
            if event.seq != expected_seq:
                return VerifyResult(checked, ChainBreak(expected_seq, f"缺少第{expected_seq}条（被删除）"))
            if event.prev_hash != expected_prev:
                return VerifyResult(
                    checked, ChainBreak(event.seq, "与上一条记录的哈希不衔接（上一条被改动或删除）")
                )
            if _digest(_hashed_fields(event)) != event.hash:
                return VerifyResult(checked, ChainBreak(event.seq, "内容与哈希不符（本条被改动）"))
            if expect_head is not None and event.seq == expect_head.seq:
                hash_at_expected = event.hash
            expected_prev, expected_seq, checked = event.hash, event.seq + 1, checked + 1
    head = ChainHead(expected_seq - 1, expected_prev)
    found = _head_break(head, hash_at_expected, expect_head, allow_later) if expect_head else None
    return VerifyResult(checked, found, head)


def _head_break(
    head: ChainHead, hash_at_expected: str | None, expected: ChainHead, allow_later: bool
) -> ChainBreak | None:
    """How an intact chain differs from the head written down elsewhere, naming the row."""
    if head.seq < expected.seq:
        return ChainBreak(
            head.seq + 1,
            _(
                "第%(first)s条至第%(last)s条不见了：日志只到第%(seq)s条，预期末条为第%(last)s条（尾部被删除或截断）"
            )
            % {"first": head.seq + 1, "last": expected.seq, "seq": head.seq},
        )
    if hash_at_expected != expected.hash:
        return ChainBreak(
            expected.seq,
            _("本条的哈希与预期（%(hash)s…）不符：此条或之前的记录被改动后重新计算了哈希")
            % {"hash": expected.hash[:12]},
        )
    if head.seq > expected.seq and not allow_later:
        return ChainBreak(
            expected.seq + 1,
            _("预期末条为第%(seq)s条，其后却还有%(n)s条（追加的记录）")
            % {"seq": expected.seq, "n": head.seq - expected.seq},
        )
    return None


def model_snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The named fields of obj as plain values, for an event's before/after."""
    return {name: _plain(getattr(obj, name + "_id" if _is_fk(obj, name) else name)) for name in fields}


def _is_fk(obj: models.Model, name: str) -> bool:
    field = obj._meta.get_field(name)
    return bool(getattr(field, "many_to_one", False))
