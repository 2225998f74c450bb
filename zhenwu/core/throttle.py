"""Limits for callers without an account: residents submitting, voters guessing codes.

Counts live in the database, not in a per-process cache, so every worker and node sees
the same count. Values are keyed by an HMAC (of an address or a phone), never stored raw.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from zhenwu.core.models import ThrottleHit
from zhenwu.core.tick import register
from zhenwu.lib.codes import normalize_code

T = TypeVar("T")


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


def throttle_check(scope: str, key: str, *, limit: int, window: timedelta, what: str) -> None:
    """Refuse when this key already used up its attempts in the window (counts, records nothing)."""
    if not key or not limit:
        return
    since = timezone.now() - window
    count = ThrottleHit.objects.filter(scope=scope, key=key, at__gte=since).count()
    refuse_when_over(count, limit, window, what)


def throttle_hit(scope: str, key: str) -> None:
    if key:
        ThrottleHit.objects.create(scope=scope, key=key, at=timezone.now())


@register("core.throttle_sweep")
def throttle_sweep(now: datetime) -> int:
    deleted, _unused = ThrottleHit.objects.filter(at__lt=now - timedelta(days=1)).delete()
    return deleted


def guarded_lookup(
    scope: str, typed: str, *, ip: str | None, what: str, find: Callable[[str], T | None]
) -> T | None:
    """Look up a typed code (receipt, voting code) for a caller without an account.

    Unknown codes count against the caller's address, and an address with too many misses
    in an hour is refused outright, so codes cannot be harvested by guessing.
    """
    key = throttle_key(ip)
    window = timedelta(hours=1)
    throttle_check(scope, key, limit=settings.ZHENWU_PUBLIC_MISSES_PER_HOUR, window=window, what=what)
    normal = normalize_code(typed)
    found = find(normal) if normal else None
    if found is None:
        throttle_hit(scope, key)
    return found
