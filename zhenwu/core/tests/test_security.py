from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhenwu.conftest import PASSWORD, client_for
from zhenwu.core.actors import DEMO
from zhenwu.core.models import AuditEvent
from zhenwu.org.constants import AccountRole
from zhenwu.org.models import User
from zhenwu.org.services import account_create

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


@pytest.mark.parametrize(
    "password, reason",
    [
        ("Ab1!", "太短"),
        ("abcdefgh", "至少3类"),
        ("abcdefg1", "至少3类"),
        ("Zhangsan1", "不能与用户名相同"),
    ],
)
def test_weak_passwords_are_refused(password, reason):
    user = User(username="zhangsan1")
    with pytest.raises(ValidationError) as caught:
        validate_password(password, user)
    text = " ".join(caught.value.messages)
    assert reason in text or "至少" in text


def test_a_strong_password_is_accepted():
    validate_password("Xiangzhen#2009", User(username="clerk"))


def test_login_page_is_chinese_and_refuses_a_wrong_password_with_a_count(office):
    client = Client()
    page = client.get(reverse("login"))
    assert "登录" in page.content.decode()
    response = _login(client, "office", "wrong-password")
    assert "用户名或密码不正确（再错4次将锁定账号）" in response.content.decode()
    assert AuditEvent.objects.filter(action="account.login_failed").count() == 1


def test_an_unknown_user_gets_the_same_message_and_the_attempt_is_logged(db):
    response = _login(Client(), "nobody", "whatever")
    assert "用户名或密码不正确" in response.content.decode()
    assert AuditEvent.objects.filter(action="account.login_failed", actor_label="nobody").exists()


def test_five_failures_lock_the_account_for_thirty_minutes(office):
    client = Client()
    for _ in range(4):
        _login(client, "office", "wrong")
    response = _login(client, "office", "wrong")
    assert "连续5次密码错误，账号已锁定30分钟" in response.content.decode()
    response = _login(client, "office", PASSWORD)
    assert "已被锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        response = _login(client, "office", PASSWORD)
        assert response.status_code == 302
    assert AuditEvent.objects.filter(action="account.locked").count() == 1


def test_a_successful_login_resets_the_failure_count(office):
    client = Client()
    _login(client, "office", "wrong")
    assert _login(client, "office", PASSWORD).status_code == 302
    office.refresh_from_db()
    assert office.failed_logins == 0
    assert AuditEvent.objects.filter(action="account.login", actor=office).exists()


def test_login_does_not_redirect_to_another_site(office):
    response = Client().post(
        reverse("login") + "?next=https://evil.example/", {"username": "office", "password": PASSWORD}
    )
    assert response["Location"] == reverse("home")


def test_an_idle_session_expires_after_thirty_minutes(office):
    client = client_for(office)
    assert client.get(reverse("home")).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        response = client.get(reverse("home"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        follow = client.get(response["Location"])
        assert "30分钟未操作" in follow.content.decode()
    assert AuditEvent.objects.filter(action="account.session_expired").exists()


def test_an_active_session_stays_alive(office):
    client = client_for(office)
    client.get(reverse("home"))
    for minutes in (20, 40, 60):
        with time_machine.travel(timezone.now() + timedelta(minutes=minutes)):
            assert client.get(reverse("home")).status_code == 200


def test_a_seeded_account_must_change_its_password_first(town):
    user = account_create(
        actor=DEMO,
        username="newclerk",
        password="Xiangzhen#2009",
        role=AccountRole.OFFICE,
        unit=town.office_dept,
    )
    assert user.must_change_password
    client = client_for(user)
    response = client.get(reverse("org:person_list"))
    assert response.status_code == 302 and response["Location"] == reverse("password_change")
    api = client.get("/api/people")
    assert api.status_code in (401, 403)

    def change(new: str, again: str):
        data = {"old_password": "Xiangzhen#2009", "new_password": new, "new_password2": again}
        return client.post(reverse("password_change"), data)

    bad = change("short", "short")
    assert "新密码：" in bad.content.decode()
    mismatch = change("Zhenwu#2026new", "Zhenwu#2026neW")
    assert "两次输入的新密码不一致" in mismatch.content.decode()
    ok = change("Zhenwu#2026new", "Zhenwu#2026new")
    assert ok.status_code == 302
    assert client.get(reverse("org:person_list")).status_code == 200
    assert AuditEvent.objects.filter(action="account.password_changed", actor=user).exists()


def test_pages_carry_security_headers(office):
    response = client_for(office).get(reverse("home"))
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_posts_without_a_csrf_token_are_refused(office):
    client = Client(enforce_csrf_checks=True)
    client.force_login(office)
    assert client.post(reverse("logout")).status_code == 403
    assert (
        Client(enforce_csrf_checks=True)
        .post(reverse("login"), {"username": "x", "password": "y"})
        .status_code
        == 403
    )


def test_logout_is_a_post_and_is_audited(office):
    client = client_for(office)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert AuditEvent.objects.filter(action="account.logout").exists()


def test_the_admin_login_goes_through_our_login_page(db):
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
