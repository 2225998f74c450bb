"""API tokens: writes need no CSRF (only a session cookie does), tokens expire, and a token
obeys what a password obeys (deactivation, a password still to change, the login limits)."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhenwu.conftest import PASSWORD, client_for
from zhenwu.core.models import AuditEvent
from zhenwu.org.models import ApiToken
from zhenwu.org.services import api_token_create

pytestmark = pytest.mark.django_db


def _reveal(client: Client, town, **headers):
    return client.post(f"/api/people/{town.member.pk}/reveal?field=phone", **headers)


def test_a_token_writes_without_a_cookie_or_a_csrf_token(office, town):
    _, key = api_token_create(actor=office, user=office, name="县平台")
    response = _reveal(Client(enforce_csrf_checks=True), town, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200 and response.json()["value"] == "13812345678"
    header = _reveal(Client(enforce_csrf_checks=True), town, HTTP_X_API_KEY=key)
    assert header.status_code == 200


def test_a_session_cookie_without_a_csrf_token_is_still_refused(office, town):
    client = Client(enforce_csrf_checks=True)
    client.force_login(office)
    refused = _reveal(client, town)
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    # A wrong token does not open the way around it.
    assert _reveal(client, town, HTTP_AUTHORIZATION="Bearer zw_wrong").status_code == 403
    assert not AuditEvent.objects.filter(action="person.unmasked").exists()


def test_a_token_expires_after_its_lifetime(office, settings):
    token, key = api_token_create(actor=office, user=office, name="县平台")
    lifetime = token.expires_at - token.created_at
    assert abs(lifetime - timedelta(days=settings.ZHENWU_API_TOKEN_DAYS)) < timedelta(seconds=1)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/units").status_code == 200
    with time_machine.travel(token.expires_at + timedelta(seconds=1)):
        expired = client.get("/api/units")
    assert expired.status_code == 401 and "已过期" in expired.json()["detail"]


def test_a_deactivated_users_token_is_refused(department_staff):
    _, key = api_token_create(actor=department_staff, user=department_staff, name="部门")
    department_staff.is_active = False
    department_staff.save()
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/units").status_code == 401


def test_a_token_waits_while_its_user_must_change_password(department_staff):
    _, key = api_token_create(actor=department_staff, user=department_staff, name="部门")
    department_staff.must_change_password = True
    department_staff.save()
    refused = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/units")
    assert refused.status_code == 403 and "修改密码" in refused.json()["detail"]


def test_a_token_is_refused_where_its_username_is_held_back_after_failed_logins(office):
    _, key = api_token_create(actor=office, user=office, name="县平台")
    for _ in range(5):
        Client().post(reverse("login"), {"username": "office", "password": "wrong"}, REMOTE_ADDR="10.0.0.66")
    held = Client(HTTP_AUTHORIZATION=f"Bearer {key}", REMOTE_ADDR="10.0.0.66").get("/api/units")
    assert held.status_code == 429 and int(held["Retry-After"]) > 0
    assert "连续登录失败5次" in held.json()["detail"]
    assert (
        Client(HTTP_AUTHORIZATION=f"Bearer {key}", REMOTE_ADDR="10.0.0.1").get("/api/units").status_code
        == 200
    )


# -- The page where a user lists and revokes their own tokens ------------------------------


def test_the_token_page_lists_only_ones_own_tokens(office, leader):
    mine, key = api_token_create(actor=office, user=office, name="县平台")
    api_token_create(actor=leader, user=leader, name="领导的令牌")
    Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/units")
    page = client_for(office).get(reverse("org:token_list")).content.decode()
    assert "县平台" in page and f"zw_{mine.prefix}" in page and "领导的令牌" not in page
    mine.refresh_from_db()
    for moment in (mine.created_at, mine.last_used_at, mine.expires_at):
        assert timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") in page
    assert key not in page


def test_a_token_is_made_on_the_page_after_retyping_the_password_and_shown_once(office):
    client = client_for(office)
    wrong = client.post(reverse("org:token_list"), {"name": "对接", "password": "wrong"})
    assert "当前密码：不正确" in wrong.content.decode() and not ApiToken.objects.exists()
    made = client.post(reverse("org:token_list"), {"name": "对接", "password": PASSWORD})
    key = made.content.decode().split('id="new-token">')[1].split("<")[0]
    assert key.startswith("zw_") and made["Cache-Control"] == "no-store"
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/units").status_code == 200
    assert key not in client.get(reverse("org:token_list")).content.decode()
    # The wrong password counted like a failed login.
    assert AuditEvent.objects.filter(action="account.login_failed", actor=office).count() == 1


def test_revoking_a_token_stops_it_and_is_audited(office):
    token, key = api_token_create(actor=office, user=office, name="县平台")
    response = client_for(office).post(reverse("org:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/units").status_code == 401
    event = AuditEvent.objects.get(action="account.token_revoked")
    assert event.actor == office and event.after == {"token": token.prefix, "name": "县平台"}


def test_nobody_revokes_anothers_token(office, leader, admin_user):
    token, key = api_token_create(actor=office, user=office, name="县平台")
    for someone in (leader, admin_user):
        assert client_for(someone).post(reverse("org:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert not token.revoked


def test_existing_tokens_get_an_expiry_from_their_creation_date(transactional_db, settings):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    try:
        executor.migrate([("org", "0001_initial")])
        old_apps = executor.loader.project_state([("org", "0001_initial")]).apps
        User = old_apps.get_model("org", "User")
        Token = old_apps.get_model("org", "ApiToken")
        user = User.objects.create(username="old-integration")
        token = Token.objects.create(user=user, name="旧令牌", prefix="abcdefgh", key_hash="0" * 64)
        created = timezone.now() - timedelta(days=30)
        Token.objects.filter(pk=token.pk).update(created_at=created)
        executor = MigrationExecutor(connection)
        executor.migrate([("org", "0002_login_throttle_token_expiry")])
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    migrated = ApiToken.objects.get(name="旧令牌")
    assert migrated.expires_at == created + timedelta(days=settings.ZHENWU_API_TOKEN_DAYS)
