"""Cast ballots wait here, sealed, and are written out in shuffled batches (ADR 0005).

Why not write the ballot when it is cast: whatever the cast's transaction writes carries that
transaction's id (PostgreSQL's `xmin`), lands at the end of the heap (`ctid`, SQLite's
`rowid`) and gets the next number of a sequence, all of them shared with or ordered like the
claim of the voter's code. So the cast claims the code and puts its ballot into the pool,
encrypted (the pool row shares the code's transaction id; nothing readable may be in it), and
`tick` and the close write pool rows as ballots, in transactions of their own, in shuffled
batches of at least k per category and channel, with random ids and the batch's minute.

`tick` writes a group only once it holds 2k ballots, and then all but a random k of them: every
batch it writes has at least k, and so does what is left for the close. A category with fewer
than k ballots in all is written at the close, all together: its anonymity set is then all of
its ballots, which is what its published count tells anyway.
"""

from __future__ import annotations

import json
import os
import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from zhenwu.core.tick import register
from zhenwu.evaluation.constants import Channel, SurveyStatus
from zhenwu.evaluation.models import Answer, Ballot, CastMinute, PendingBallot, Survey, random_id

if TYPE_CHECKING:
    from zhenwu.evaluation.services import Row

_shuffle = random.SystemRandom()  # which ballots wait and in what order they are written: unpredictable
_SALT = "zhenwu.evaluation.pool"
_NONCE = 12
COMMENT_MAX = 500  # characters of a comment, as the cast keeps them
REASON_MAX = 100  # characters of a void paper ballot's reason
# JSON writes a character in at most 6 bytes (a control character as \\u00XX); padding every
# sealed ballot of a survey to the longest it could be leaves its length saying nothing.
_BYTES_PER_CHAR = 6


def batch_size() -> int:
    """k: the fewest ballots of one category and channel written together (the anonymity set)."""
    return max(1, int(settings.ZHENWU_BALLOT_BATCH))


def _keys() -> list[bytes]:
    """The pool's key, derived from the secret key (which lives outside the database, in var/ or
    the environment), then from any former secret keys, so a rotation loses no waiting ballot."""
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [salted_hmac(_SALT, "ballot-pool", secret=s, algorithm="sha256").digest() for s in secrets]


def _context(survey_id: int, category_id: int, channel: str) -> bytes:
    # Bound into the seal: a row moved to another survey, category or channel no longer opens.
    return f"{survey_id}:{category_id}:{channel}".encode()


def sealed_length(rows: Sequence[Row]) -> int:
    """The one length every sealed ballot of this survey is padded to: the longest payload its
    rows allow (every level blank, every comment and the void reason at their longest)."""
    skeleton = payload(
        rows=[(row.question.pk, row.subject.pk if row.subject else None, None, "") for row in rows],
        minute="0" * 32, uniform=False, void=False, void_reason="",
    )  # fmt: skip
    commented = sum(1 for row in rows if carries_comment(row))
    text_max = (commented * COMMENT_MAX + REASON_MAX) * _BYTES_PER_CHAR
    return len(_encode(skeleton)) + text_max


def carries_comment(row: Row) -> bool:
    """A question's comment rides on its first row, and only where the question asks for one."""
    return row.question.allow_comment and (row.subject is None or row.subject.order == 0)


def payload(
    *, rows: Sequence[tuple[int, int | None, int | None, str]], minute: str | None, uniform: bool, void: bool,
    void_reason: str,
) -> dict[str, Any]:  # fmt: skip
    """What a pending ballot holds: its answers (question, subject, level, comment), the minute it
    was cast (phone ballots only, for the busiest-minute figure) and its flags."""
    return {"a": [list(r) for r in rows], "m": minute, "u": uniform, "v": void, "r": void_reason}


def _encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def seal(body: dict[str, Any], *, length: int, survey_id: int, category_id: int, channel: str) -> bytes:
    """AES-256-GCM of the payload padded to `length`, behind a random nonce."""
    plain = _encode(body)
    if len(plain) > length:  # the bound above is wrong: refuse rather than leak a length
        raise ValueError(f"pending ballot of {len(plain)} bytes exceeds the survey's {length}")
    nonce = os.urandom(_NONCE)
    context = _context(survey_id, category_id, channel)
    return nonce + AESGCM(_keys()[0]).encrypt(nonce, plain.ljust(length), context)


def unseal(sealed: bytes, *, survey_id: int, category_id: int, channel: str) -> dict[str, Any]:
    sealed = bytes(sealed)
    nonce, body = sealed[:_NONCE], sealed[_NONCE:]
    context = _context(survey_id, category_id, channel)
    for key in _keys():
        try:
            return json.loads(AESGCM(key).decrypt(nonce, body, context))  # type: ignore[no-any-return]
        except InvalidTag:
            continue
    raise ValidationError(
        {
            "survey": _(
                "待入账选票：有选票无法解开，服务器密钥可能已更换；请恢复原密钥（可放入旧密钥列表）后再试"
            )
        }
    )


def put(
    *, survey_id: int, category_id: int, channel: str, rows: Sequence[Row],
    answers: Sequence[tuple[int, int | None, int | None, str]], minute: str | None, uniform: bool,
    void: bool = False, void_reason: str = "",
) -> None:  # fmt: skip
    """One ballot into the pool, inside the caller's transaction (the one that claims its code
    or counts its paper sheet)."""
    body = payload(rows=answers, minute=minute, uniform=uniform, void=void, void_reason=void_reason)
    PendingBallot.objects.create(
        survey_id=survey_id, category_id=category_id, channel=channel,
        sealed=seal(body, length=sealed_length(rows), survey_id=survey_id, category_id=category_id, channel=channel),
    )  # fmt: skip


def pending_count(survey: Survey) -> int:
    return PendingBallot.objects.filter(survey=survey).count()


def flush(survey: Survey, *, everything: bool, now: datetime | None = None) -> int:
    """Write this survey's waiting ballots as ballots: all of them (`everything`, at the close and
    before publishing), or, from `tick`, each category and channel that holds 2k, all but a
    random k. Returns how many were written. Runs in the caller's transaction, which must not
    be a cast's."""
    with transaction.atomic():
        return _flush(survey, everything=everything, now=now)


def _flush(survey: Survey, *, everything: bool, now: datetime | None) -> int:
    k = batch_size()
    # tick skips rows the close has locked (and the other way round waits for them): no pending
    # ballot is written twice.
    waiting = PendingBallot.objects.filter(survey=survey).select_for_update(skip_locked=not everything)
    groups: dict[tuple[int, str], list[PendingBallot]] = defaultdict(list)
    for row in waiting:
        groups[(row.category_id, row.channel)].append(row)
    chosen: list[PendingBallot] = []
    for rows in groups.values():
        if everything:
            chosen += rows
        elif len(rows) >= 2 * k:
            chosen += _shuffle.sample(rows, len(rows) - k)
    if not chosen:
        return 0
    _shuffle.shuffle(chosen)
    _write(survey, chosen, (now or timezone.now()).replace(second=0, microsecond=0))
    PendingBallot.objects.filter(pk__in=[row.pk for row in chosen]).delete()
    return len(chosen)


def _write(survey: Survey, chosen: list[PendingBallot], minute: datetime) -> None:
    ballots: list[Ballot] = []
    answers: list[Answer] = []
    minutes: Counter[str] = Counter()
    for row in chosen:
        body = unseal(row.sealed, survey_id=survey.pk, category_id=row.category_id, channel=row.channel)
        ballot = Ballot(
            id=random_id(), survey=survey, category_id=row.category_id, channel=row.channel, at=minute,
            void=body["v"], void_reason=body["r"], uniform=body["u"],
        )  # fmt: skip
        ballots.append(ballot)
        if not body["v"]:
            answers += [
                Answer(ballot=ballot, survey=survey, category_id=row.category_id, question_id=q, subject_id=s,
                       level=level, comment=comment)
                for q, s, level, comment in body["a"]
            ]  # fmt: skip
        if row.channel == Channel.ONLINE and body["m"]:
            minutes[body["m"]] += 1
    Ballot.objects.bulk_create(ballots)  # in the shuffled order: the heap keeps no casting order
    Answer.objects.bulk_create(answers)
    _count_minutes(survey, minutes)


def _count_minutes(survey: Survey, minutes: Counter[str]) -> None:
    """Add the batch's phone ballots to the per-minute counts (one upsert, both databases)."""
    if not minutes:
        return
    table = CastMinute._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (survey_id, minute, ballots) VALUES (%s, %s, %s) "
            f"ON CONFLICT (survey_id, minute) DO UPDATE SET ballots = {table}.ballots + excluded.ballots",
            [
                (survey.pk, connection.ops.adapt_datetimefield_value(datetime.fromisoformat(m)), n)
                for m, n in sorted(minutes.items())
            ],
        )


@register("evaluation.ballot_batches")
def write_batches(now: datetime) -> int:
    """Each survey's full batches; a survey no longer open (a cast that raced its close) all."""
    written = 0
    for survey in Survey.objects.filter(pk__in=PendingBallot.objects.values("survey_id")):
        written += flush(survey, everything=survey.status != SurveyStatus.OPEN, now=now)
    return written
