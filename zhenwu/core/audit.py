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
class VerifyResult:
    checked: int
    first_break: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.first_break is None


def _events() -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("seq").iterator(chunk_size=2000)


def audit_verify() -> VerifyResult:
    """Walk the chain from the start; report the first row that was altered, removed or inserted."""
    expected_prev, expected_seq, checked = GENESIS, 1, 0
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
            expected_prev, expected_seq, checked = event.hash, event.seq + 1, checked + 1
    return VerifyResult(checked, None)


def model_snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The named fields of obj as plain values, for an event's before/after."""
    return {name: _plain(getattr(obj, name + "_id" if _is_fk(obj, name) else name)) for name in fields}


def _is_fk(obj: models.Model, name: str) -> bool:
    field = obj._meta.get_field(name)
    return bool(getattr(field, "many_to_one", False))
