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
        ("Zhangsan1", "不能包含用户名"),
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


@pytest.mark.parametrize(
    "username, holder, password",
    [
        ("office", "", "Office#2026x"),  # the username inside, in another case
        ("office", "", "2026#ECIFFOx"),  # backwards
        ("wangjianguo", "", "Wangjianguo@1"),  # a pinyin username
        ("wjg01", "王建国", "WangJianGuo#2026"),  # the pinyin of the holder's name
        ("王建国", "", "x9#WangJianGuo"),  # the pinyin of a Chinese username
    ],
)
def test_passwords_containing_the_username_or_its_pinyin_are_refused(username, holder, password):
    with pytest.raises(ValidationError) as caught:
        validate_password(password, User(username=username, first_name=holder))
    assert "密码不能包含用户名或姓名的拼音" in caught.value.messages


def test_a_short_username_is_only_refused_as_the_whole_password():
    validate_password("Lixiang#2026", User(username="li"))
    with pytest.raises(ValidationError):
        validate_password("li", User(username="li"))


def test_a_published_initial_password_is_refused_even_dressed_up(settings):
    settings.ZHENWU_PUBLISHED_PASSWORDS = ["Chushi#2025"]
    for password in ("Chushi#2025", "chushi#2025!x"):
        with pytest.raises(ValidationError) as caught:
            validate_password(password, User(username="clerk"))
        assert "不能使用公开过的初始密码（如演示密码）" in caught.value.messages


def test_an_office_clerk_cannot_choose_a_password_holding_their_username(office):
    client = client_for(office)
    data = {"old_password": PASSWORD, "new_password": "Office#2026new", "new_password2": "Office#2026new"}
    response = client.post(reverse("password_change"), data)
    assert "新密码：密码不能包含用户名或姓名的拼音" in response.content.decode()
    office.refresh_from_db()
    assert office.check_password(PASSWORD)


def test_guessing_the_old_password_on_the_change_page_counts_like_failed_logins(office):
    client = client_for(office)
    data = {"old_password": "guess", "new_password": "Xiangzhen#2027", "new_password2": "Xiangzhen#2027"}
    for _ in range(5):
        assert "原密码：不正确" in client.post(reverse("password_change"), data).content.decode()
    data["old_password"] = PASSWORD
    held = client.post(reverse("password_change"), data).content.decode()
    assert "原密码：该用户名从当前地址连续登录失败5次" in held
    office.refresh_from_db()
    assert office.check_password(PASSWORD)


def test_login_page_is_chinese_and_refuses_a_wrong_password_with_a_count(office):
    client = Client()
    page = client.get(reverse("login"))
    assert "登录" in page.content.decode()
    response = _login(client, "office", "wrong-password")
    assert "用户名或密码不正确（再错4次将暂停登录1分钟）" in response.content.decode()
    assert AuditEvent.objects.filter(action="account.login_failed").count() == 1


def test_a_successful_login_is_audited(office):
    client = Client()
    _login(client, "office", "wrong")
    assert _login(client, "office", PASSWORD).status_code == 302
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
