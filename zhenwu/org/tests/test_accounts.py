"""The office (for the town's accounts) and the administrator unlock logins and reset passwords;
both are audited, and nobody else may."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhenwu.conftest import PASSWORD, SYSTEM, client_for
from zhenwu.core.models import AuditEvent
from zhenwu.org.constants import AccountRole
from zhenwu.org.services import account_create, account_reset_password, account_unlock, api_token_create

pytestmark = pytest.mark.django_db

ATTACKER = "10.0.0.66"


def _login(username: str, password: str, ip: str = "10.0.0.1", client: Client | None = None):
    client = client or Client()
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_the_office_sees_who_is_held_back_and_unlocks_them(office, department_staff):
    for _ in range(5):
        _login("dept", "wrong", ATTACKER)
    client = client_for(office)
    page = client.get(reverse("org:account_list")).content.decode()
    assert "受限至" in page
    response = client.post(reverse("org:account_unlock", args=[department_staff.pk]))
    assert response.status_code == 302
    assert "已解除dept的登录限制" in client.get(response["Location"]).content.decode()
    assert _login("dept", PASSWORD, ATTACKER).status_code == 302
    event = AuditEvent.objects.get(action="account.unlocked")
    assert event.actor == office and event.object_id == str(department_staff.pk)
    assert event.after == {"cleared": 5}


def test_a_reset_gives_a_one_time_password_shown_once_that_must_be_changed(office, department_staff):
    _, key = api_token_create(actor=department_staff, user=department_staff, name="部门")
    session = client_for(department_staff)
    client = client_for(office)
    confirm = client.get(reverse("org:account_reset", args=[department_staff.pk]))
    assert "确认重置" in confirm.content.decode()
    done = client.post(reverse("org:account_reset", args=[department_staff.pk]))
    assert done.status_code == 200 and done["Cache-Control"] == "no-store"
    found = re.search(r'id="one-time-password">([^<]+)<', done.content.decode())
    assert found is not None
    password = found.group(1)
    # The old password and the open session stop working; the token waits for the change.
    assert _login("dept", PASSWORD).status_code == 200
    assert session.get(reverse("home")).status_code == 302
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/units").status_code == 403
    fresh = Client()
    assert _login("dept", password, client=fresh).status_code == 302
    assert fresh.get(reverse("home"))["Location"] == reverse("password_change")
    event = AuditEvent.objects.get(action="account.password_reset")
    assert event.actor == office and password not in f"{event.before}{event.after}{event.object_label}"
    # Shown once: the list page does not carry it.
    assert password not in client.get(reverse("org:account_list")).content.decode()


@pytest.mark.parametrize(
    "persona",
    ["leader", "department_staff", "branch_secretary", "inspector", "service_staff", "resettlement_staff"],
)
def test_other_roles_find_no_accounts_page(request, persona, office):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("org:account_list")).status_code == 404
    assert client.post(reverse("org:account_unlock", args=[office.pk])).status_code == 404
    assert client.get(reverse("org:account_reset", args=[office.pk])).status_code == 404
    assert client.post(reverse("org:account_reset", args=[office.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action__in=["account.unlocked", "account.password_reset"]).exists()


def test_the_office_may_not_reset_the_administrators_password(office, admin_user):
    client = client_for(office)
    assert "sysadmin" not in client.get(reverse("org:account_list")).content.decode()
    assert client.post(reverse("org:account_reset", args=[admin_user.pk])).status_code == 404
    assert client.post(reverse("org:account_unlock", args=[admin_user.pk])).status_code == 404
    with pytest.raises(PermissionError):
        account_reset_password(actor=office, user=admin_user)
    assert _login("sysadmin", PASSWORD).status_code == 302


def test_the_administrator_resets_the_offices_password_but_nobody_their_own(office, admin_user):
    assert account_reset_password(actor=admin_user, user=office)
    refused = client_for(admin_user).post(reverse("org:account_reset", args=[admin_user.pk]), follow=True)
    assert "不能重置自己的密码" in refused.content.decode()
    assert AuditEvent.objects.filter(action="account.password_reset").count() == 1


def test_the_services_refuse_other_roles(leader, department_staff):
    for act in (account_unlock, account_reset_password):
        with pytest.raises(PermissionError):
            act(actor=leader, user=department_staff)


def test_the_one_time_password_passes_the_password_rules(office, department_staff):
    from django.contrib.auth.password_validation import validate_password

    for _ in range(20):
        validate_password(account_reset_password(actor=office, user=department_staff), department_staff)


def test_the_accounts_page_runs_a_fixed_number_of_queries(office):
    client = client_for(office)
    client.get(reverse("org:account_list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("org:account_list"))
    for n in range(15):
        account_create(
            actor=SYSTEM,
            username=f"clerk{n}",
            password=PASSWORD,
            role=AccountRole.DEPARTMENT,
            unit=office.unit,
        )
        _login(f"clerk{n}", "wrong", ATTACKER)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("org:account_list")).content.decode()
    assert "clerk14" in page
    assert len(many.captured_queries) == len(few.captured_queries)
