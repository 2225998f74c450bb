"""Writing and verifying the append-only, hash-chained audit log.

audit_record() is the only writer. It must run inside the caller's transaction, so the
event and the change it describes commit or roll back together. On PostgreSQL a
transaction-level advisory lock serialises writers: without it two READ COMMITTED
transactions read the same last hash and fork the chain. SQLite serialises writers
already (IMMEDIATE transactions). The unique `seq` makes any fork fail loudly anyway.

Each row's hash is an HMAC-SHA256 under a key kept outside the database (core.audit_key),
so whoever can only write to the database cannot forge a row that verifies. Rows written
before the key existed keep their plain SHA-256: the row marking the switch (KEYED_ACTION,
written by migration core 0010) is itself keyed and chained to them, so none of them can be
rewritten without breaking it. See docs/adr/0001-audit-log.md.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhenwu.core.actors import Actor, SystemActor, account_of, actor_label
from zhenwu.core.audit_key import audit_key
from zhenwu.core.bulk import insert_values
from zhenwu.core.context import request_ip
from zhenwu.core.models import AuditAddress, AuditEvent

GENESIS = "0" * 64
KEYED_ACTION = "system.audit_keyed"  # CoreAudit.AUDIT_KEYED; a stored string, never renamed
TOWNS_ACTION = "system.towns_introduced"  # CoreAudit.TOWNS_INTRODUCED; likewise
_AUDIT_LOCK_KEY = 7_468_301  # arbitrary, fixed: the advisory lock that orders audit writers
_MAX_BREAKS = 100  # a verify lists this many problems; the count goes on


def _plain(value: Any) -> Any:
    """JSON-safe copy, so the hash is computed over exactly what the database stores."""
    if value is None:
        return None
    fast = _plain_simple(value)
    if fast is not _NOT_SIMPLE:
        return fast
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


_NOT_SIMPLE = object()
_SCALARS = (str, int, float, bool, type(None))


def _plain_simple(value: Any) -> Any:
    """What the JSON round trip gives, for the shapes services record (text keys; text, numbers,
    dates, lists): an import records 30,000 of them. Anything else takes the round trip."""
    kind = type(value)
    if kind in _SCALARS:
        return value if kind is not float or abs(value) < _INF else _NOT_SIMPLE  # NaN, ±inf: no
    if kind is dict:
        copied = {}
        for key, item in value.items():
            if type(key) is not str:
                return _NOT_SIMPLE  # json turns 1 into "1" and True into "true"
            item_kind = type(item)
            if item_kind is str or item_kind is int or item is None or item_kind is bool:
                copied[key] = item
            elif (item := _plain_simple(item)) is _NOT_SIMPLE:
                return _NOT_SIMPLE
            else:
                copied[key] = item
        return copied
    if kind is list or kind is tuple:
        items = [_plain_simple(item) for item in value]
        return _NOT_SIMPLE if any(item is _NOT_SIMPLE for item in items) else items
    if isinstance(value, date):  # and datetime: json's default=str
        return str(value)
    if isinstance(value, str):  # a TextChoices member: json writes its value
        return str.__add__("", value)
    if isinstance(value, int) and not isinstance(value, bool):  # an IntEnum member
        return int(value)
    return _NOT_SIMPLE


_INF = float("inf")


def _canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


_DUMPS = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode


def _canonical_with(fields: dict[str, Any], texts: dict[str, str]) -> bytes:
    """_canonical(fields), given some values already in canonical JSON (`texts`): the encoder
    writes a nested value exactly as it writes it alone, so the row's text can be assembled
    from its parts — a batch encodes each before/after once, for the hash and for storage."""
    parts = [f"{_DUMPS(key)}:{texts[key] if key in texts else _DUMPS(fields[key])}" for key in sorted(fields)]
    return ("{" + ",".join(parts) + "}").encode("utf-8")


def _plain_digest(fields: dict[str, Any]) -> str:
    """The unkeyed SHA-256 of rows written before the chain was keyed."""
    return hashlib.sha256(_canonical(fields)).hexdigest()


def _digest(fields: dict[str, Any], key: bytes | None = None) -> str:
    """The HMAC-SHA256 every row carries from the switch-over on (the current key by default)."""
    return hmac.new(key if key is not None else audit_key(), _canonical(fields), hashlib.sha256).hexdigest()


def _hashed_fields(event: Any) -> dict[str, Any]:
    fields = {
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
    # Rows without a town hash as they did before the column (and a migration's historical
    # model from before core 0011 has no such attribute).
    town_id = getattr(event, "town_id", None)
    if town_id is not None:
        fields["town_id"] = town_id
    return fields


# How an event finds its town: org registers org.towns.town_of (core may not import org).
_town_of: Callable[[models.Model], int | None] = lambda obj: None  # noqa: E731


def register_town_of(find: Callable[[models.Model], int | None]) -> None:
    global _town_of
    _town_of = find


def _keeps_address_in_log(actor: Actor | None, label: str) -> bool:
    """Staff's addresses stay in the log (等保 asks for the source of administrative operations,
    and of attempts to sign in to an account); everyone else's go to AuditAddress, which the
    tick empties after ZHENWU_IP_RETENTION_DAYS."""
    return account_of(actor) is not None or (actor is None and bool(label))


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
    town_id: int | None = None,
) -> AuditEvent:
    """Append one event. Call inside the transaction that makes the change.

    `actor` is an account or a SystemActor, never a bare string (a string used to pass for
    anyone). `label` names who tried when nobody is logged in (a failed login's username).
    """
    _check_actor(actor)
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change it records")
    key = audit_key()  # before the lock: a missing key file is generated outside it
    seq, prev_hash = _chain_head_locked()
    address = ip or request_ip.get()
    entry = AuditEntry(str(action), obj, object_type, object_id, object_label, before, after, town_id)
    event = _event(
        seq=seq,
        prev_hash=prev_hash,
        key=key,
        actor=actor,
        label=label,
        address=address,
        at=timezone.now(),
        entry=entry,
    )
    event.save(force_insert=True)
    if address and event.ip is None:
        AuditAddress.objects.create(seq=seq, ip=address, created_at=event.created_at)
    return event


@dataclass(frozen=True)
class AuditEntry:
    """One event of a batch written by audit_record_many (the arguments audit_record takes)."""

    action: str
    obj: models.Model | None = None
    object_type: str = ""
    object_id: str | int = ""
    object_label: str = ""
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    town_id: int | None = None  # when the object does not say (an event about a whole town)


def audit_record_many(
    *, actor: Actor | None, entries: Sequence[AuditEntry], ip: str | None = None, label: str = ""
) -> ChainHead:
    """Append many events of one actor at once — an import of 10,000 rows writes 30,000.

    The rows are exactly those audit_record would write one after another (same fields, same
    keyed chain, each row's prev_hash the row before's hash), but the advisory lock is taken
    and the chain's head read once, and the rows go in as one multi-row insert, without a
    model instance each. Call inside the transaction of the changes they record. Returns the
    chain's new head."""
    _check_actor(actor)
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record_many must run inside the transaction of the changes it records")
    if not entries:
        return chain_head()
    key = audit_key()
    seq, prev_hash = _chain_head_locked()
    address = ip or request_ip.get()
    at = timezone.now()
    meta = AuditEvent._meta
    at_db = meta.get_field("created_at").get_db_prep_save(at, connection)
    at_text = at.astimezone(UTC).isoformat()
    json_value = _stored_json()
    rows = []
    for entry in entries:
        fields = _fields(
            seq=seq, prev_hash=prev_hash, actor=actor, label=label, address=address, at=at, entry=entry
        )
        before, after = fields["before"], fields["after"]
        texts = {"before": _DUMPS(before), "after": _DUMPS(after), "created_at": _DUMPS(at_text)}
        digest = hmac.new(key, _canonical_with(fields, texts), hashlib.sha256).hexdigest()
        rows.append(
            (
                fields["seq"], at_db, fields["actor_id"], fields["actor_label"], fields["action"],
                fields["object_type"], fields["object_id"], fields["object_label"],
                None if before is None else json_value(texts["before"]),
                None if after is None else json_value(texts["after"]),
                fields["ip"], fields["prev_hash"], digest, fields.get("town_id"),
            )
        )  # fmt: skip
        seq, prev_hash = seq + 1, digest
    columns = ["seq", "created_at", "actor_id", "actor_label", "action", "object_type", "object_id",
               "object_label", "before", "after", "ip", "prev_hash", "hash", "town"]  # fmt: skip
    insert_values(meta.db_table, [_column(c) for c in columns], rows)
    if address and rows[0][10] is None:
        AuditAddress.objects.bulk_create(
            [AuditAddress(seq=row[0], ip=address, created_at=at) for row in rows], batch_size=_BULK_BATCH
        )
    return ChainHead(seq - 1, prev_hash)


_BULK_BATCH = 500


def _column(name: str) -> str:
    field = AuditEvent._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column
    return field.column


def _stored_json() -> Any:
    """How a JSON text already encoded goes into a JSON column: as it is on SQLite (which stores
    text), marked as jsonb for PostgreSQL (which parses it)."""
    if connection.vendor == "postgresql":
        from psycopg.types.json import Jsonb

        return lambda text: Jsonb(text, dumps=_already_encoded)
    return lambda text: text


def _already_encoded(text: str) -> str:
    return text


def _check_actor(actor: Actor | None) -> None:
    if actor is not None and not isinstance(actor, SystemActor) and not hasattr(actor, "get_username"):
        raise TypeError(f"audit_record: actor must be a User or a SystemActor, not {type(actor).__name__}")


def _chain_head_locked() -> tuple[int, str]:
    """The next seq and the hash it chains to, read under the writers' lock on PostgreSQL
    (held to the end of the transaction); SQLite's IMMEDIATE transactions serialise writers."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_AUDIT_LOCK_KEY])
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    return (last[0] + 1, last[1]) if last else (1, GENESIS)


def _fields(
    *,
    seq: int,
    prev_hash: str,
    actor: Actor | None,
    label: str,
    address: str | None,
    at: datetime,
    entry: AuditEntry,
) -> dict[str, Any]:
    """The stored fields of the row for `entry` at `seq` (all but its hash)."""
    object_type, object_id, object_label = entry.object_type, entry.object_id, entry.object_label
    if entry.obj is not None:
        object_type = object_type or entry.obj._meta.label_lower
        object_id = object_id or str(entry.obj.pk)
        object_label = object_label or str(entry.obj)[:200]
    who = label if actor is None and label else actor_label(actor)
    account = account_of(actor)
    fields = {
        "seq": seq,
        "created_at": at,
        "actor_id": account.pk if account is not None else None,
        "actor_label": who[:100],
        "action": str(entry.action),
        "object_type": object_type,
        "object_id": str(object_id),
        "object_label": object_label[:200],
        "before": _plain(entry.before),
        "after": _plain(entry.after),
        "ip": address if _keeps_address_in_log(actor, label) else None,
        "prev_hash": prev_hash,
    }
    town_id = entry.town_id if entry.town_id is not None else _town_of(entry.obj) if entry.obj else None
    if town_id is not None:  # as _hashed_fields: the key is there only when the row has a town
        fields["town_id"] = town_id
    return fields


def _hashed(fields: dict[str, Any]) -> dict[str, Any]:
    """What the hash covers, from a row's fields: the same as _hashed_fields of the saved row."""
    return {**fields, "created_at": fields["created_at"].astimezone(UTC).isoformat()}


def _event(
    *,
    seq: int,
    prev_hash: str,
    key: bytes,
    actor: Actor | None,
    label: str,
    address: str | None,
    at: datetime,
    entry: AuditEntry,
) -> AuditEvent:
    """The row for `entry` at `seq`, its keyed hash computed (not saved)."""
    fields = _fields(
        seq=seq, prev_hash=prev_hash, actor=actor, label=label, address=address, at=at, entry=entry
    )
    event = AuditEvent(**fields)
    event.hash = _digest(_hashed_fields(event), key)
    return event


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


@dataclass(frozen=True)
class ChainHead:
    """The newest row of the chain as (seq, hash); seq 0 with GENESIS is the empty chain.

    Written down outside the database (a backup's manifest, a daily anchor, a 通报's last
    line), it is what `audit verify --expect-head` holds the chain to: a chain that verifies
    on its own may still have lost its tail or been re-chained from an edited row onwards.
    `hash` may be a prefix of at least 12 digits, as printed on a 通报.
    """

    seq: int
    hash: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"

    def matches(self, digest: str | None) -> bool:
        return digest is not None and digest.startswith(self.hash)

    @classmethod
    def parse(cls, text: str) -> ChainHead:
        seq, sep, digest = text.strip().partition(":")
        digest = digest.lower()
        if (
            not sep
            or not seq.isdigit()
            or not 12 <= len(digest) <= 64
            or any(c not in "0123456789abcdef" for c in digest)
        ):
            raise ValueError(
                _("预期末条应写作“序号:哈希”（哈希为64位十六进制，或其前至少12位），收到“%(text)s”")
                % {"text": text}
            )
        return cls(int(seq), digest)


EMPTY_HEAD = ChainHead(0, GENESIS)


def chain_head() -> ChainHead:
    """The chain's newest row now (EMPTY_HEAD when nothing was ever recorded)."""
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    return ChainHead(*last) if last else EMPTY_HEAD


@dataclass(frozen=True)
class Expectation:
    """A head written down elsewhere that the chain must still contain, and who wrote it down."""

    head: ChainHead
    source: str  # "预期末条", "2026-11-05的锚点"
    is_end: bool = False  # the chain must end here (a backup's head without --allow-later)


@dataclass(frozen=True)
class VerifyResult:
    checked: int  # rows found intact before the first problem (all rows when there is none)
    first_break: ChainBreak | None
    head: ChainHead = EMPTY_HEAD  # the newest row that was walked
    breaks: tuple[ChainBreak, ...] = field(default=())  # every problem found, oldest first
    more: int = 0  # problems beyond those listed in `breaks`

    @property
    def ok(self) -> bool:
        return self.first_break is None


def _events(after_seq: int) -> Iterator[AuditEvent]:
    return AuditEvent.objects.filter(seq__gt=after_seq).order_by("seq").iterator(chunk_size=2000)


def keyed_from(key: bytes) -> int:
    """The first seq that must carry an HMAC: the first genuine switch-over row, else 1.

    A marker only counts when its own HMAC is right, so a forged marker cannot move the
    boundary and let plain-hashed rows pass.
    """
    for event in AuditEvent.objects.filter(action=KEYED_ACTION).order_by("seq"):
        if hmac.compare_digest(_digest(_hashed_fields(event), key), event.hash):
            return event.seq
    return 1


def audit_verify(
    *,
    expect_head: ChainHead | None = None,
    allow_later: bool = False,
    anchors: Iterable[Expectation] = (),
    start: ChainHead | None = None,
) -> VerifyResult:
    """Walk the chain; report each row that was altered, forged, removed or re-hashed.

    Each row is checked on its own first (its HMAC, or the plain hash of a row from before
    the key), so a forged row blames itself; then its link to the row before, and a row that
    verifies but does not match what its successor recorded was rewritten with a fresh hash.
    The walk goes on past a problem (a forged row can never be removed, and the rows after
    it still deserve checking).

    `expect_head` and `anchors` are heads written down outside the database: the chain must
    still contain each (this catches a deleted tail, a truncation, a re-chained edit), and
    end at `expect_head` unless `allow_later`. `start` walks only the rows after a head
    already checked (the daily anchor does).
    """
    expected = sorted(
        [
            *anchors,
            *([Expectation(expect_head, _("预期末条"), is_end=not allow_later)] if expect_head else []),
        ],
        key=lambda e: e.head.seq,
    )
    wanted = {e.head.seq for e in expected}
    key = audit_key()
    walk = _Walk(start or EMPTY_HEAD)
    with transaction.atomic():
        boundary = keyed_from(key)
        if start is not None and start.seq > 0:
            stored = AuditEvent.objects.filter(seq=start.seq).values_list("hash", flat=True).first()
            if not start.matches(stored):
                reason = _("本条已不同于上次校验时（%(hash)s…）或不在了") % {"hash": start.hash[:12]}
                walk.problem(ChainBreak(start.seq, reason))
        for event in _events(start.seq if start else 0):
            walk.step(event, key, keyed=event.seq >= boundary)
            if event.seq in wanted:
                walk.seen[event.seq] = event.hash
    for problem in _expectation_breaks(walk, expected):
        walk.problem(problem)
    return walk.result()


class _Walk:
    def __init__(self, start: ChainHead) -> None:
        self.expected_seq, self.expected_prev = start.seq + 1, start.hash
        self.checked = 0
        self.breaks: list[ChainBreak] = []
        self.more = 0
        self.seen: dict[int, str] = {0: GENESIS}
        self.keyed = self.keyed_bad = 0
        self._last_bad = -1

    def problem(self, found: ChainBreak) -> None:
        if len(self.breaks) < _MAX_BREAKS:
            self.breaks.append(found)
        else:
            self.more += 1

    def step(self, event: AuditEvent, key: bytes, *, keyed: bool) -> None:
        gap = event.seq != self.expected_seq
        if gap:
            self.problem(_missing(self.expected_seq, event.seq - 1))
        fields = _hashed_fields(event)
        if keyed:
            self.keyed += 1
            intact = hmac.compare_digest(_digest(fields, key), event.hash)
            self.keyed_bad += not intact
        else:
            intact = event.hash in (_plain_digest(fields), _digest(fields, key))
        if not intact:
            self.problem(ChainBreak(event.seq, _("内容与哈希不符（本条被改动或伪造）")))
            self._last_bad = event.seq
        elif not gap and event.prev_hash != self.expected_prev and self._last_bad != event.seq - 1:
            # This row is intact, so it is the row before that changed since this one was written.
            if not self.breaks:
                self.checked -= 1
            self.problem(
                ChainBreak(
                    event.seq - 1,
                    _("本条与第%(next)s条记下的哈希不符（本条被改动后重新计算了哈希）") % {"next": event.seq},
                )
            )
        if not self.breaks:
            self.checked += 1
        self.expected_seq, self.expected_prev = event.seq + 1, event.hash

    @property
    def head(self) -> ChainHead:
        return ChainHead(self.expected_seq - 1, self.expected_prev)

    def result(self) -> VerifyResult:
        breaks = sorted(self.breaks, key=lambda b: b.seq)
        if breaks and self.keyed > 1 and self.keyed_bad == self.keyed:
            hint = _(
                "；所有加密钥的记录都不符，多半是审计日志密钥不是写入时的那一把（ZHENWU_AUDIT_KEY 或 var/audit_key）"
            )
            breaks[0] = ChainBreak(breaks[0].seq, breaks[0].reason + hint)
        return VerifyResult(self.checked, breaks[0] if breaks else None, self.head, tuple(breaks), self.more)


def _missing(first: int, last: int) -> ChainBreak:
    if first == last:
        return ChainBreak(first, _("缺少第%(first)s条（被删除）") % {"first": first})
    return ChainBreak(first, _("缺少第%(first)s条至第%(last)s条（被删除）") % {"first": first, "last": last})


def _expectation_breaks(walk: _Walk, expected: list[Expectation]) -> Iterator[ChainBreak]:
    """How the walked chain differs from heads written down elsewhere, naming the row."""
    head, matched = walk.head, 0
    for item in expected:
        want = item.head
        if want.seq > head.seq:
            yield ChainBreak(
                head.seq + 1,
                _(
                    "第%(first)s条至第%(last)s条不见了：日志只到第%(seq)s条，%(source)s为第%(last)s条（尾部被删除或截断）"
                )
                % {"first": head.seq + 1, "last": want.seq, "seq": head.seq, "source": item.source},
            )
            return
        if not want.matches(walk.seen.get(want.seq)):
            yield ChainBreak(
                want.seq,
                _(
                    "本条的哈希与%(source)s（%(hash)s…）不符：第%(from)s条至本条之间的记录被改动后重新计算了哈希"
                )
                % {"source": item.source, "hash": want.hash[:12], "from": matched + 1},
            )
        else:
            matched = want.seq
        if item.is_end and head.seq > want.seq:
            yield ChainBreak(
                want.seq + 1,
                _("%(source)s为第%(seq)s条，其后却还有%(n)s条（追加的记录）")
                % {"source": item.source, "seq": want.seq, "n": head.seq - want.seq},
            )


def model_snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The named fields of obj as plain values, for an event's before/after."""
    return {name: _plain(getattr(obj, name + "_id" if _is_fk(obj, name) else name)) for name in fields}


def _is_fk(obj: models.Model, name: str) -> bool:
    found = obj._meta.get_field(name)
    return bool(getattr(found, "many_to_one", False))
