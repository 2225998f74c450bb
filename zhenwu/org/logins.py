"""Signing in with a password or an API token, and the limits on failed attempts.

Failures are counted in core.ThrottleHit (keyed by HMACs, swept after a day), never on the
account, so knowing a username no longer lets anyone lock the office out from elsewhere:

- per (username, address): after ZHENWU_LOGIN_MAX_FAILURES failures within a day, each further
  failure makes that username wait 1, 2, 4 … minutes (at most ZHENWU_LOGIN_BACKOFF_MAX_MINUTES)
  before it may try again from that address. A success there clears it; so does the office's
  unlock (the key starts with the username's HMAC, so all its addresses are found).
- per address, across usernames: ZHENWU_LOGIN_FAILURES_PER_IP_HOUR failures within an hour, then
  the address waits until the oldest of them is an hour old (spraying many usernames).

Both are decided before the account is looked up, and both count a typed username whether or
not it exists, so no refusal and no "再错N次" hint says which usernames exist. An attempt that
gets past them does the same work either way: the password hasher runs exactly once (against
a throwaway hash when there is no such account, as Django's ModelBackend does).

Audit: a failure on an existing account is an event on that account (at most the per-address
limit per hour per address). A failure with an unknown username is only counted: a hundred
random names would otherwise be a hundred rows that can never be deleted, and what is typed
into the username box is sometimes a password. The first such failure from an address in an
hour is one event, and so is the moment an address reaches its limit ("N次失败登录，来自…").
Refusals by the limits write nothing, so hammering a refused address costs two reads.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhenwu.core.audit import audit_record
from zhenwu.core.context import request_ip
from zhenwu.core.models import ThrottleHit
from zhenwu.core.throttle import Throttled, throttle_hit, throttle_key
from zhenwu.core.timefmt import CLOCK, shown
from zhenwu.org.constants import OrgAudit
from zhenwu.org.models import AccountGrant, ApiToken, User
from zhenwu.org.scope import activate_grant

PAIR = "login.pair"  # key: HMAC(username) + HMAC(address)
ADDRESS = "login.address"  # key: HMAC(address)
UNKNOWN_AUDITED = "login.unknown_audited"  # an unknown-username failure was audited this hour
LIMIT_AUDITED = "login.limit_audited"  # the address reaching its limit was audited this hour
PAIR_WINDOW = timedelta(days=1)  # ThrottleHit rows live a day (core.throttle_sweep)
ADDRESS_WINDOW = timedelta(hours=1)


class LoginRefused(Exception):
    """Why a login was refused, in words fit to show on the login page."""


def _address(ip: str | None) -> str:
    # Without an address every caller shares one count: stricter, never unlimited.
    return ip or "unknown"


def _username_key(username: str) -> str:
    return throttle_key("user:" + username.strip().lower())


def _pair_key(username: str, ip: str | None) -> str:
    return _username_key(username) + throttle_key(_address(ip))


def backoff(failures: int) -> timedelta:
    """How long a (username, address) waits after its `failures`-th failure of the day."""
    over = failures - settings.ZHENWU_LOGIN_MAX_FAILURES
    if over < 0:
        return timedelta(0)
    return timedelta(minutes=min(settings.ZHENWU_LOGIN_BACKOFF_MAX_MINUTES, 2 ** min(over, 16)))


@dataclass(frozen=True)
class Standing:
    """The failures that count against one attempt: of its (username, address), of its address."""

    username: str
    ip: str | None
    pair_failures: int
    pair_last: datetime | None
    address_failures: int
    address_oldest: datetime | None

    def refusal(self, now: datetime) -> Throttled | None:
        limit = settings.ZHENWU_LOGIN_FAILURES_PER_IP_HOUR
        if limit and self.address_failures >= limit and self.address_oldest is not None:
            retry = max(60, int((self.address_oldest + ADDRESS_WINDOW - now).total_seconds()))
            return Throttled(
                _("当前地址登录失败次数过多（1小时内%(limit)s次），请%(minutes)s分钟后再试")
                % {"limit": limit, "minutes": -(-retry // 60)},
                retry_after=retry,
            )
        wait = backoff(self.pair_failures)
        if wait and self.pair_last is not None and self.pair_last + wait > now:
            until = self.pair_last + wait
            return Throttled(
                _("该用户名从当前地址连续登录失败%(n)s次，请于%(until)s后再试，或请党政办解锁")
                % {"n": self.pair_failures, "until": shown(until, CLOCK)},
                retry_after=max(1, int((until - now).total_seconds())),
            )
        return None


def standing(*, username: str, ip: str | None, now: datetime) -> Standing:
    """Both counts in one query."""
    pair, address = _pair_key(username, ip), throttle_key(_address(ip))
    in_pair, in_address = Q(scope=PAIR, key=pair), Q(scope=ADDRESS, key=address)
    counts = ThrottleHit.objects.filter(
        (in_pair & Q(at__gte=now - PAIR_WINDOW)) | (in_address & Q(at__gte=now - ADDRESS_WINDOW))
    ).aggregate(
        pair=Count("id", filter=in_pair),
        pair_last=Max("at", filter=in_pair),
        address=Count("id", filter=in_address),
        address_oldest=Min("at", filter=in_address),
    )
    return Standing(
        username, ip, counts["pair"], counts["pair_last"], counts["address"], counts["address_oldest"]
    )


def _once_an_hour(scope: str, ip: str | None, now: datetime) -> bool:
    """True the first time in an hour for this address (and remembers it)."""
    key = throttle_key(_address(ip))
    if ThrottleHit.objects.filter(scope=scope, key=key, at__gte=now - ADDRESS_WINDOW).exists():
        return False
    throttle_hit(scope, key)
    return True


def record_failure(before: Standing, *, user: User | None, now: datetime) -> int:
    """Count one failure against the (username, address) and the address, and audit it as the
    module docstring says. Returns the (username, address)'s failures of the day."""
    ip = before.ip
    ThrottleHit.objects.bulk_create(
        [
            ThrottleHit(scope=PAIR, key=_pair_key(before.username, ip), at=now),
            ThrottleHit(scope=ADDRESS, key=throttle_key(_address(ip)), at=now),
        ]
    )
    failures = before.pair_failures + 1
    if user is not None:
        after = {"failures": failures, **({} if user.is_active else {"inactive": True})}
        audit_record(actor=user, action=OrgAudit.LOGIN_FAILED, obj=user, after=after)
        if backoff(failures):
            wait = int(backoff(failures).total_seconds() // 60)
            audit_record(
                actor=user,
                action=OrgAudit.LOGIN_LOCKED,
                obj=user,
                after={"failures": failures, "wait_minutes": wait, "scope": "username+address"},
            )
    elif _once_an_hour(UNKNOWN_AUDITED, ip, now):
        audit_record(
            actor=None,
            label="（未知用户名）",
            action=OrgAudit.LOGIN_FAILED,
            object_type="org.user",
            after={"unknown_username": True, "note": "本小时内来自该地址的其他未知用户名失败只计数"},
        )
    limit = settings.ZHENWU_LOGIN_FAILURES_PER_IP_HOUR
    address_failures = before.address_failures + 1
    if limit and address_failures >= limit and _once_an_hour(LIMIT_AUDITED, ip, now):
        audit_record(
            actor=None,
            label="匿名",
            action=OrgAudit.LOGIN_ADDRESS_LIMITED,
            object_type="org.user",
            object_label=f"{address_failures}次失败登录，来自{_address(ip)}",
            after={"failures": address_failures, "minutes": 60},
        )
    return failures


def failure_message(failures: int) -> str:
    """The same words for every username, existing or not."""
    wait = backoff(failures)
    if wait:
        return _("连续%(n)s次登录失败，请%(minutes)s分钟后再试") % {
            "n": failures,
            "minutes": int(wait.total_seconds() // 60),
        }
    left = settings.ZHENWU_LOGIN_MAX_FAILURES - failures
    return _("用户名或密码不正确（再错%(left)s次将暂停登录%(minutes)s分钟）") % {
        "left": left,
        "minutes": int(backoff(settings.ZHENWU_LOGIN_MAX_FAILURES).total_seconds() // 60),
    }


def _password_matches(user: User | None, password: str) -> bool:
    """One run of the hasher whatever the account: its own hash, or a throwaway one."""
    if user is None:
        User().set_password(password)  # what ModelBackend does for an unknown username
        return False
    return user.check_password(password)


def account_login_check(*, username: str, password: str, ip: str | None = None) -> User:
    """The account for these credentials, or LoginRefused with the reason to show.

    Failure counts and audit events are committed before the refusal is raised: a refused
    login must still leave its trace.
    """
    user, refusal = _login_attempt(username=username, password=password, ip=ip or request_ip.get())
    if refusal is not None:
        raise LoginRefused(refusal)
    assert user is not None
    return user


@transaction.atomic
def _login_attempt(*, username: str, password: str, ip: str | None) -> tuple[User | None, str | None]:
    now = timezone.now()
    before = standing(username=username, ip=ip, now=now)
    refused = before.refusal(now)
    if refused is not None:
        return None, str(refused)
    user = User.objects.filter(username=username).first()
    if _password_matches(user, password) and user is not None and user.is_active:
        ThrottleHit.objects.filter(scope=PAIR, key=_pair_key(username, ip)).delete()
        user.last_login = now
        user.save(update_fields=["last_login"])
        audit_record(actor=user, action=OrgAudit.LOGIN, obj=user)
        return user, None
    failures = record_failure(before, user=user, now=now)
    return None, failure_message(failures)


def password_confirm(*, user: User, password: str, ip: str | None = None) -> bool:
    """A signed-in user retyping their password (to change it, to create a token): wrong
    answers count like failed logins, so a borrowed session cannot be used to guess it.
    Raises Throttled while the limits hold."""
    ip = ip or request_ip.get()
    now = timezone.now()
    before = standing(username=user.username, ip=ip, now=now)
    refused = before.refusal(now)
    if refused is not None:
        raise refused
    if user.check_password(password):
        return True
    with transaction.atomic():
        record_failure(before, user=user, now=now)
    return False


def login_counters_clear(*, username: str) -> int:
    """Forget a username's failures from every address (the unlock); returns how many."""
    deleted, _unused = ThrottleHit.objects.filter(
        scope=PAIR, key__startswith=_username_key(username)
    ).delete()
    return deleted


@dataclass(frozen=True)
class LoginTrouble:
    failures: int  # in the last day, from every address
    waiting_until: datetime | None  # the latest moment one of its addresses may try again


def login_trouble(usernames: list[str], now: datetime | None = None) -> dict[str, LoginTrouble]:
    """Recent failures of each username, for the accounts list (one query)."""
    now = now or timezone.now()
    by_prefix = {_username_key(name): name for name in usernames}
    if not by_prefix:
        return {}
    # Only the listed usernames' rows: an address spraying names must not make this page slow.
    listed = Q()
    for prefix in by_prefix:
        listed |= Q(key__startswith=prefix)
    rows = ThrottleHit.objects.filter(listed, scope=PAIR, at__gte=now - PAIR_WINDOW).values_list("key", "at")
    pairs: dict[str, list[datetime]] = {}
    for key, at in rows:
        pairs.setdefault(key, []).append(at)
    found: dict[str, LoginTrouble] = {}
    for key, times in pairs.items():
        name = by_prefix[key[:32]]
        until = max(times) + backoff(len(times)) if backoff(len(times)) else None
        waiting = until if until is not None and until > now else None
        known = found.get(name, LoginTrouble(0, None))
        latest = max((t for t in (known.waiting_until, waiting) if t is not None), default=None)
        found[name] = LoginTrouble(known.failures + len(times), latest)
    return found


# ---------------------------------------------------------------------------------------
# API tokens


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class TokenRefused(Exception):
    """A token that exists but may not be used now; `status` is the HTTP answer."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def token_user(*, key: str, ip: str | None = None) -> User | None:
    """The account behind a bearer token, or None for an unknown, revoked or deactivated one.

    A token obeys what a password login obeys: it expires; it is refused (TokenRefused, 403)
    while its account must still change a first or reset password; and it is refused
    (Throttled) from an address where that username, or the address itself, is held back
    after failed logins.
    """
    if not key:
        return None
    found = (
        ApiToken.objects.select_related("user", "user__unit")
        .filter(key_hash=hash_token(key), revoked=False, user__is_active=True)
        .first()
    )
    if found is None:
        return None
    now = timezone.now()
    if found.expires_at <= now:
        raise TokenRefused(_("接口令牌已过期，请在“我的接口令牌”页面新建一个"), 401)
    refused = standing(username=found.user.username, ip=ip or request_ip.get(), now=now).refusal(now)
    if refused is not None:
        raise refused
    if found.user.must_change_password:
        raise TokenRefused(_("须先登录网页修改密码，才能使用接口令牌"), 403)
    # A token works as the grant it was made under: its town's, or the home grant (NULL, or
    # the account's own town). A grant revoked since takes the token's access with it.
    user = found.user
    if found.town_id is not None and found.town_id != user.town_id:
        grants = AccountGrant.objects.filter(user_id=user.pk, town_id=found.town_id)
        grant = grants.select_related("town", "unit").first()
        if grant is None:
            raise TokenRefused(_("接口令牌所在镇的授权已撤销，该令牌不能再使用"), 401)
        activate_grant(user, grant)
    if found.last_used_at is None or now - found.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return user
