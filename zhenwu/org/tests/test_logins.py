"""Failed logins slow down the (username, address) that failed and the address, never the
account: knowing the office's username no longer lets anyone lock it out from elsewhere."""

import re
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.contrib.auth.hashers import get_hasher
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from zhenwu.conftest import PASSWORD
from zhenwu.core.models import AuditEvent, ThrottleHit

pytestmark = pytest.mark.django_db

ATTACKER = "10.0.0.66"
OFFICE_DESK = "10.0.0.1"


def _login(username: str, password: str, ip: str = OFFICE_DESK, client: Client | None = None):
    client = client or Client()
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def _text(response) -> str:
    return response.content.decode()


def test_failures_from_elsewhere_do_not_lock_the_office_out(office):
    for _ in range(8):
        _login("office", "wrong-password", ATTACKER)
    assert "请于" in _text(_login("office", PASSWORD, ATTACKER))  # the attacker's address waits
    response = _login("office", PASSWORD, OFFICE_DESK)
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_an_open_session_survives_failures_elsewhere(office):
    client = Client()
    assert _login("office", PASSWORD, OFFICE_DESK, client).status_code == 302
    for _ in range(8):
        _login("office", "wrong-password", ATTACKER)
    assert client.get(reverse("home")).status_code == 200


def test_after_five_failures_the_username_waits_longer_after_each_further_failure(office):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for left in (4, 3, 2, 1):
            assert f"再错{left}次将暂停登录1分钟" in _text(_login("office", "wrong", ATTACKER))
        assert "连续5次登录失败，请1分钟后再试" in _text(_login("office", "wrong", ATTACKER))
        # Even the right password waits, so waiting cannot be skipped by guessing well.
        assert "请于" in _text(_login("office", PASSWORD, ATTACKER))
        for waited in (1, 2, 4, 8):
            clock.shift(timedelta(minutes=waited, seconds=1))
            assert f"请{waited * 2}分钟后再试" in _text(_login("office", "wrong", ATTACKER))
            clock.shift(timedelta(minutes=waited * 2 - 1))
            assert "请于" in _text(_login("office", "wrong", ATTACKER))  # still waiting: not counted
        clock.shift(timedelta(minutes=2))
        assert "请30分钟后再试" in _text(_login("office", "wrong", ATTACKER))  # capped
        clock.shift(timedelta(minutes=31))
        assert _login("office", PASSWORD, ATTACKER).status_code == 302
        # A success clears the count for that address.
        assert "再错4次" in _text(_login("office", "wrong", ATTACKER))
    assert AuditEvent.objects.filter(action="account.locked", actor=office).count() == 6


@override_settings(ZHENWU_LOGIN_FAILURES_PER_IP_HOUR=10)
def test_an_address_spraying_usernames_waits_whatever_username_it_tries_next(office):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for n in range(10):
            _login(f"guess{n}", "Secret#2026", ATTACKER)
        refused = _login("office", PASSWORD, ATTACKER)
        assert refused.status_code == 200
        assert "当前地址登录失败次数过多（1小时内10次），请60分钟后再试" in _text(refused)
        assert _login("office", PASSWORD, OFFICE_DESK).status_code == 302  # elsewhere: unaffected
        clock.shift(timedelta(minutes=61))
        assert _login("office", PASSWORD, ATTACKER).status_code == 302


def test_a_hundred_random_usernames_leave_two_audit_rows_not_a_hundred(db):
    before = AuditEvent.objects.count()
    for n in range(100):
        _login(f"random-{n}-Secret#2026", "whatever", ATTACKER)
    events = list(AuditEvent.objects.filter(seq__gt=before).order_by("seq"))
    assert [e.action for e in events] == ["account.login_failed", "account.address_limited"]
    assert events[1].object_label == f"30次失败登录，来自{ATTACKER}"
    assert all(e.ip == ATTACKER for e in events)
    # What was typed as a username is not kept (it is sometimes a password).
    assert not any("random-" in f"{e.actor_label}{e.object_label}{e.after}" for e in events)
    # Counted, but only up to the limit: refused attempts write nothing.
    assert ThrottleHit.objects.filter(scope="login.address").count() == 30


def test_refused_attempts_write_nothing(office):
    for _ in range(5):
        _login("office", "wrong", ATTACKER)
    rows, events = ThrottleHit.objects.count(), AuditEvent.objects.count()
    for _ in range(20):
        assert "请于" in _text(_login("office", "wrong", ATTACKER))
    assert (ThrottleHit.objects.count(), AuditEvent.objects.count()) == (rows, events)


def test_failures_on_a_known_account_are_audited_on_it(office):
    _login("office", "wrong", ATTACKER)
    event = AuditEvent.objects.get(action="account.login_failed")
    assert event.actor == office and event.ip == ATTACKER and event.after == {"failures": 1}


# -- The same answer, and the same work, whether the username exists -----------------------


def _answer_and_hasher_runs(username: str, password: str, ip: str) -> tuple[str, int]:
    """The refusal shown, and how often the password was hashed: `encode` is the hashing itself
    (checking a stored hash encodes the typed password with its salt; Django's hashers and the
    test settings' one all do), so it counts a real check and a dummy one alike."""
    hasher = type(get_hasher())
    with mock.patch.object(hasher, "encode", autospec=True, side_effect=hasher.encode) as encoded:
        response = _login(username, password, ip)
    answer = re.search(r'role="alert"><div>(.*?)</div>', _text(response))
    assert answer is not None, _text(response)
    return answer.group(1), encoded.call_count


def test_known_unknown_and_inactive_usernames_get_the_same_answer_from_one_hasher_run(office, leader):
    leader.is_active = False
    leader.save()
    known = _answer_and_hasher_runs("office", "wrong-password", "10.0.0.2")
    unknown = _answer_and_hasher_runs("nobody", "wrong-password", "10.0.0.3")
    inactive_right_password = _answer_and_hasher_runs("leader", PASSWORD, "10.0.0.4")
    assert known == unknown == inactive_right_password == ("用户名或密码不正确（再错4次将暂停登录1分钟）", 1)


def test_a_username_held_back_is_refused_alike_without_running_the_hasher(office):
    with time_machine.travel(timezone.now(), tick=False):
        for username, ip in (("office", "10.0.0.2"), ("nobody", "10.0.0.3")):
            for _ in range(5):
                _login(username, "wrong", ip)
        known = _answer_and_hasher_runs("office", PASSWORD, "10.0.0.2")
        unknown = _answer_and_hasher_runs("nobody", PASSWORD, "10.0.0.3")
    assert known[1] == unknown[1] == 0
    assert known[0] == unknown[0] and "连续登录失败5次" in known[0]
