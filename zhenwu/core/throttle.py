"""Limits for callers without an account: residents submitting, voters guessing codes.

Counts live in the database, not in a per-process cache, so every worker and node sees
the same count. Values are keyed by an HMAC (of an address or a phone), never stored raw.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.db import connection
from django.db.models import Model, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from zhenwu.core.models import ThrottleHit
from zhenwu.core.tick import register
from zhenwu.lib.codes import normalize_code

M = TypeVar("M", bound=Model)


class Throttled(Exception):
    """Too many attempts; the message says so in Chinese and when to come back."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def throttle_key(value: str | None) -> str:
    if not value:
        return ""
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()[:32]


def refuse_when_over(count: int, limit: int, window: timedelta, what: str) -> None:
    """Raise Throttled when `count` earlier attempts already reach `limit` (0 means no limit)."""
    if limit and count >= limit:
        minutes = max(1, int(window.total_seconds() // 60))
        raise Throttled(
            _("%(what)s过于频繁：%(minutes)s分钟内最多%(limit)s次，请稍后再试")
            % {"what": what, "minutes": minutes, "limit": limit},
            retry_after=int(window.total_seconds()),
        )


def throttle_hit(scope: str, key: str) -> None:
    if key:
        ThrottleHit.objects.create(scope=scope, key=key, at=timezone.now())


@register("core.throttle_sweep")
def throttle_sweep(now: datetime) -> int:
    deleted, _unused = ThrottleHit.objects.filter(at__lt=now - timedelta(days=1)).delete()
    return deleted


_MISSES_SQL = "SELECT COUNT(*) FROM core_throttlehit WHERE scope = %s AND key = %s AND at >= %s"


def guarded_lookup(
    scope: str, typed: str, *, ip: str | None, what: str, rows: QuerySet[M], field: str
) -> M | None:
    """The row of `rows` whose `field` is a code typed by a caller without an account.

    Unknown codes count against the caller's address, and an address with too many misses
    in an hour is refused outright, whether or not this code exists, so codes cannot be
    harvested by guessing. The misses so far are counted in the lookup's own query: one
    round trip when the code is found, which is every honest caller.
    """
    key = throttle_key(ip)
    window = timedelta(hours=1)
    since = timezone.now() - window
    limit = settings.ZHENWU_PUBLIC_MISSES_PER_HOUR if key else 0
    normal = normalize_code(typed)
    found = None
    if normal:
        if limit:  # written out: the ORM's subquery costs more to compile than a second query
            at = connection.ops.adapt_datetimefield_value(since)  # SQLite keeps naive UTC text
            rows = rows.annotate(throttle_misses=RawSQL(_MISSES_SQL, (scope, key, at)))
        found = rows.filter(**{field: normal}).first()
    if limit:
        if found is not None:
            misses: int = found.throttle_misses  # type: ignore[attr-defined]
        else:
            misses = ThrottleHit.objects.filter(scope=scope, key=key, at__gte=since).count()
        refuse_when_over(misses, limit, window, what)
    if found is None:
        throttle_hit(scope, key)
    return found
