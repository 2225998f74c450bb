"""The accounts page's steps (issue 14): an account for a person with a one-time password,
deactivation, role and scope — each audited, each refusal in Chinese naming its field, and the
rules of who manages whom (the office not the administrators; nobody themself; one admin stays)."""

import re
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhenwu.conftest import PASSWORD, SYSTEM, client_for
from zhenwu.core.audit_display import describe
from zhenwu.core.models import AuditEvent
from zhenwu.org.constants import AccountRole, OrgAudit
from zhenwu.org.models import User
from zhenwu.org.selectors import username_suggestion
from zhenwu.org.services import (
    account_change_role,
    account_create,
    account_create_for_person,
    account_set_active,
    api_token_create,
    person_create,
)

pytestmark = pytest.mark.django_db


def _login(username: str, password: str, client: Client | None = None, ip: str = "10.0.0.1"):
    client = client or Client()
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def _refusal(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


# ---------------------------------------------------------------------------------------
# Creating an account for a person


def test_username_is_suggested_from_pinyin_with_a_number_when_taken(town):
    assert username_suggestion(town.staff) == "zhangming"
    account_create(actor=SYSTEM, username="ZhangMing", password=PASSWORD, role=AccountRole.LEADER)
    assert username_suggestion(town.staff) == "zhangming2"


def test_the_office_creates_an_account_with_a_one_time_password_that_must_be_changed(town, office):
    user, password = account_create_for_person(
        actor=office,
        person=town.staff,
        username=" zhangming ",
        role=AccountRole.DEPARTMENT,
        unit=town.economy_dept,
    )
    assert user.username == "zhangming" and user.person == town.staff and user.must_change_password
    assert user.check_password(password) and not user.is_staff
    event = AuditEvent.objects.get(action=OrgAudit.ACCOUNT_CREATED, object_id=str(user.pk))
    assert event.actor == office
    assert event.after == {
        "username": "zhangming", "role": "department", "unit_id": town.economy_dept.pk,
        "person_id": town.staff.pk, "is_active": True, "must_change_password": True,
    }  # fmt: skip
    assert password not in str(AuditEvent.objects.values_list("before", "after", "object_label").all()[:])
    (changes,) = describe([event]).values()
    shown = {c.label: c.after for c in changes}
    assert shown["系统角色"] == "部门工作人员" and shown["所属单位"] == "经济发展办"
    assert shown["对应人员"] == "张明" and shown["首次登录须修改密码"] == "是"


@pytest.mark.parametrize(
    "change, field, words",
    [
        ({"username": "OFFICE"}, "username", "“OFFICE”已被使用"),
        ({"username": ""}, "username", "用户名：不能为空"),
        ({"username": "张 明!"}, "username", "用户名：只能包含"),
        ({"unit": None}, "unit", "所属单位：部门工作人员账号必须指定所属单位"),
        ({"role": AccountRole.BRANCH}, "unit", "支部书记账号须属于一个党组织"),
        ({"role": AccountRole.ADMIN, "unit": None}, "role", "只有系统管理员才能设立系统管理员账号"),
        ({"role": "king"}, "role", "系统角色：请选择列表中的角色"),
    ],
)
def test_creation_refusals_name_the_field(town, office, change, field, words):
    args = {"username": "zhangming", "role": AccountRole.DEPARTMENT, "unit": town.economy_dept, **change}
    with pytest.raises(ValidationError) as refused:
        account_create_for_person(actor=office, person=town.staff, **args)
    assert words in " ".join(_refusal(refused)[field])
    assert not User.objects.filter(person=town.staff).exists()


def test_a_department_account_may_not_belong_to_a_party_organisation(town, office):
    with pytest.raises(ValidationError) as refused:
        account_create_for_person(
            actor=office, person=town.staff, username="zm", role=AccountRole.DEPARTMENT, unit=town.branch
        )
    assert "不能属于党组织" in _refusal(refused)["unit"][0]


def test_a_person_has_one_account(town, office, department_staff):
    with pytest.raises(ValidationError) as refused:
        account_create_for_person(
            actor=office, person=town.staff, username="zm2", role=AccountRole.LEADER, unit=None
        )
    assert _refusal(refused)["person"] == ["人员：张明已有账号“dept”"]


def test_only_the_office_and_the_administrator_create_accounts(town, leader, admin_user):
    with pytest.raises(PermissionError):
        account_create_for_person(
            actor=leader, person=town.staff, username="x", role=AccountRole.LEADER, unit=None
        )
    made, _pw = account_create_for_person(
        actor=admin_user, person=town.staff, username="admin2", role=AccountRole.ADMIN, unit=None
    )
    assert made.is_staff and made.is_superuser and made.must_change_password


def test_the_create_page_finds_people_without_accounts_and_shows_the_password_once(
    town, office, department_staff
):
    client = client_for(office)
    found = client.get(reverse("org:account_create"), {"q": "zh"}).content.decode()
    assert "<strong>赵丽</strong>" not in found  # the office's own person has an account
    assert "<strong>张明</strong>" not in found  # so has 经济发展办's clerk
    newcomer = person_create(actor=SYSTEM, name="周八", unit=town.economy_dept, title="干事")
    found = client.get(reverse("org:account_create"), {"q": "zb"}).content.decode()
    assert f"?person={newcomer.pk}" in found and "干事" in found
    form = client.get(reverse("org:account_create"), {"person": newcomer.pk}).content.decode()
    assert 'value="zhouba"' in form
    assert 'value="admin"' not in form  # the office is not offered the administrator's role
    done = client.post(
        reverse("org:account_create"),
        {"person": newcomer.pk, "username": "zhouba", "role": "department", "unit": town.economy_dept.pk},
    )
    assert done.status_code == 200 and done["Cache-Control"] == "no-store"
    password = re.search(r'id="one-time-password">([^<]+)<', done.content.decode()).group(1)  # type: ignore[union-attr]
    assert User.objects.get(username="zhouba").check_password(password)
    # Posting again (a refresh) does not make another account or show a password again.
    again = client.post(
        reverse("org:account_create"),
        {"person": newcomer.pk, "username": "zhouba", "role": "department", "unit": town.economy_dept.pk},
    ).content.decode()
    assert "已有账号" in again and password not in again
    assert password not in client.get(reverse("org:account_list")).content.decode()
    # The new account signs in with it and must change it first: the rules are on that page.
    fresh = Client()
    assert _login("zhouba", password, fresh).status_code == 302
    page = fresh.get(reverse("home"), follow=True).content.decode()
    assert "新密码的要求" in page and "密码至少8个字符" in page and "不能包含用户名或姓名的拼音" in page
    assert reverse("org:person_list") not in page and reverse("org:token_list") not in page


def test_the_create_form_says_which_field_is_wrong(town, office):
    newcomer = person_create(actor=SYSTEM, name="周八", unit=town.economy_dept)
    page = (
        client_for(office)
        .post(
            reverse("org:account_create"), {"person": newcomer.pk, "username": "office", "role": "department"}
        )
        .content.decode()
    )
    assert "用户名：“office”已被使用" in page


# ---------------------------------------------------------------------------------------
# Deactivating and reactivating


def test_deactivation_ends_sessions_and_tokens_at_once_and_is_audited(office, department_staff):
    _, key = api_token_create(actor=department_staff, user=department_staff, name="接口")
    session = client_for(department_staff)
    assert session.get(reverse("home")).status_code == 200
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/units").status_code == 200
    response = client_for(office).post(
        reverse("org:account_active", args=[department_staff.pk]), {"active": "0"}
    )
    assert response.status_code == 302
    assert session.get(reverse("home")).status_code == 302  # sent to the login page
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/units").status_code == 401
    assert _login("dept", PASSWORD).status_code == 200
    event = AuditEvent.objects.get(action=OrgAudit.ACCOUNT_DEACTIVATED)
    assert (event.before, event.after) == ({"is_active": True}, {"is_active": False})
    account_set_active(actor=office, user=department_staff, is_active=True)
    assert _login("dept", PASSWORD).status_code == 302
    assert AuditEvent.objects.filter(action=OrgAudit.ACCOUNT_REACTIVATED).count() == 1


def test_nobody_deactivates_themself_and_the_last_administrator_stays(office, admin_user):
    with pytest.raises(ValidationError) as refused:
        account_set_active(actor=office, user=office, is_active=False)
    assert _refusal(refused)["user"] == ["账号：不能停用自己的账号"]
    with pytest.raises(ValidationError):
        account_set_active(actor=admin_user, user=admin_user, is_active=False)
    other = account_create(actor=SYSTEM, username="admin2", password=PASSWORD, role=AccountRole.ADMIN)
    account_set_active(actor=admin_user, user=other, is_active=False)
    # admin_user is now the last active administrator: not even another admin (here one whose
    # own account was just stopped, calling the service) may deactivate or demote it.
    with pytest.raises(ValidationError) as refused:
        account_set_active(actor=other, user=admin_user, is_active=False)
    assert _refusal(refused)["user"] == ["账号：这是最后一个有效的系统管理员账号，不能停用"]
    with pytest.raises(ValidationError) as refused:
        account_change_role(actor=other, user=admin_user, role=AccountRole.OFFICE, unit=None)
    assert "最后一个有效的系统管理员账号" in _refusal(refused)["user"][0]
    # A superuser made at the console counts as an administrator.
    User.objects.create_superuser("root", password=PASSWORD)
    account_set_active(actor=other, user=admin_user, is_active=False)
    assert not User.objects.get(pk=admin_user.pk).is_active


def test_the_office_does_not_manage_administrators(office, admin_user):
    with pytest.raises(PermissionError):
        account_set_active(actor=office, user=admin_user, is_active=False)
    client = client_for(office)
    assert (
        client.post(reverse("org:account_active", args=[admin_user.pk]), {"active": "0"}).status_code == 404
    )
    assert client.get(reverse("org:account_role", args=[admin_user.pk])).status_code == 404
    assert User.objects.get(pk=admin_user.pk).is_active


def test_deactivating_twice_is_refused_with_a_reason(office, department_staff):
    account_set_active(actor=office, user=department_staff, is_active=False)
    with pytest.raises(ValidationError) as refused:
        account_set_active(actor=office, user=department_staff, is_active=False)
    assert _refusal(refused)["user"] == ["账号：已经是停用状态"]


# ---------------------------------------------------------------------------------------
# Role and scope


def test_a_role_change_takes_effect_at_the_next_request_and_is_audited(town, office, department_staff):
    session = client_for(department_staff)
    assert session.get(reverse("org:unit_detail", args=[town.party.pk])).status_code == 404
    response = client_for(office).post(
        reverse("org:account_role", args=[department_staff.pk]), {"role": "leader", "unit": ""}
    )
    assert response.status_code == 302
    assert session.get(reverse("org:unit_detail", args=[town.party.pk])).status_code == 200
    event = AuditEvent.objects.get(action=OrgAudit.ACCOUNT_ROLE_CHANGED)
    assert event.before == {"role": "department", "unit_id": town.economy_dept.pk}
    assert event.after == {"role": "leader", "unit_id": None}
    (changes,) = describe([event]).values()
    assert [(c.label, c.before, c.after) for c in changes] == [
        ("系统角色", "部门工作人员", "镇领导"),
        ("所属单位", "经济发展办", "—"),
    ]


@pytest.mark.parametrize(
    "role, unit, field, words",
    [
        ("admin", None, "role", "只有系统管理员才能设立系统管理员账号"),
        ("department", None, "unit", "部门工作人员账号必须指定所属单位"),
        ("department", "economy_dept", "role", "角色和所属单位都没有变化"),
    ],
)
def test_role_change_refusals_name_the_field(town, office, department_staff, role, unit, field, words):
    with pytest.raises(ValidationError) as refused:
        account_change_role(
            actor=office, user=department_staff, role=role, unit=getattr(town, unit) if unit else None
        )
    assert words in _refusal(refused)[field][0]
    assert not AuditEvent.objects.filter(action=OrgAudit.ACCOUNT_ROLE_CHANGED).exists()


def test_nobody_changes_their_own_role_and_the_admin_flags_follow_the_role(office, admin_user):
    with pytest.raises(ValidationError) as refused:
        account_change_role(actor=admin_user, user=admin_user, role=AccountRole.OFFICE, unit=None)
    assert _refusal(refused)["role"] == ["系统角色：不能更改自己的角色"]
    promoted = account_change_role(actor=admin_user, user=office, role=AccountRole.ADMIN, unit=None)
    assert promoted.is_staff and promoted.is_superuser
    demoted = account_change_role(actor=admin_user, user=office, role=AccountRole.OFFICE, unit=None)
    assert not demoted.is_staff and not demoted.is_superuser


def test_the_role_page_shows_a_refusal_on_its_field(office, department_staff):
    page = (
        client_for(office)
        .post(reverse("org:account_role", args=[department_staff.pk]), {"role": "branch", "unit": ""})
        .content.decode()
    )
    assert "所属单位：支部书记账号必须指定所属单位" in page


# ---------------------------------------------------------------------------------------
# The list


def test_the_list_filters_by_role_and_state_and_shows_beijing_time(town, office, department_staff, leader):
    User.objects.filter(pk=leader.pk).update(last_login=datetime(2026, 11, 3, 0, 8, tzinfo=UTC))
    account_set_active(actor=office, user=department_staff, is_active=False)
    client = client_for(office)
    page = client.get(reverse("org:account_list")).content.decode()
    assert "2026-11-03 08:08" in page and "已停用" in page
    inactive = client.get(reverse("org:account_list"), {"state": "inactive"}).content.decode()
    assert ">dept<" in inactive and ">leader<" not in inactive
    leaders = client.get(reverse("org:account_list"), {"role": "leader"}).content.decode()
    assert ">leader<" in leaders and ">dept<" not in leaders
    for _ in range(6):
        _login("leader", "wrong", ip="10.9.9.9")
    held = client.get(reverse("org:account_list"), {"state": "held_back"}).content.decode()
    assert ">leader<" in held and ">office<" not in held and "登录受限" in held
    _login("dept", "wrong", ip="10.9.9.9")  # one failure: counted, not held back
    failed = client.get(reverse("org:account_list"), {"state": "failed"}).content.decode()
    assert ">leader<" in failed and ">dept<" in failed and ">office<" not in failed
    assert ">dept<" not in client.get(reverse("org:account_list"), {"state": "held_back"}).content.decode()


def test_the_filtered_list_runs_a_fixed_number_of_queries(town, office):
    client = client_for(office)
    client.get(reverse("org:account_list"), {"state": "active"})
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("org:account_list"), {"state": "active"})
    for n in range(12):
        person = person_create(actor=SYSTEM, name=f"职员{n}", unit=town.economy_dept)
        account_create(
            actor=SYSTEM, username=f"clerk{n}", password=PASSWORD, role=AccountRole.DEPARTMENT,
            unit=town.economy_dept, person=person, must_change_password=False,
        )  # fmt: skip
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("org:account_list"), {"state": "active"}).content.decode()
    assert "clerk11" in page and "职员11" in page
    assert len(many.captured_queries) == len(few.captured_queries)


# ---------------------------------------------------------------------------------------
# /admin/


def test_admin_is_linked_for_the_administrator_and_explained_to_everyone_else(office, admin_user):
    assert reverse("admin:index") in client_for(admin_user).get(reverse("org:account_list")).content.decode()
    assert reverse("admin:index") not in client_for(office).get(reverse("org:account_list")).content.decode()
    refused = client_for(office).get("/admin/", follow=True)
    assert refused.status_code == 403
    text = refused.content.decode()
    assert "只供系统管理员使用" in text and reverse("org:account_list") in text and reverse("home") in text
    anonymous = Client().get("/admin/", follow=False)
    assert anonymous.status_code == 302
    assert Client().get(anonymous["Location"])["Location"].startswith(reverse("login") + "?next=")
    assert client_for(admin_user).get("/admin/").status_code == 200


def test_the_django_admin_sends_adding_an_account_to_the_accounts_page(admin_user, office):
    client = client_for(admin_user)
    response = client.get(reverse("admin:org_user_add"))
    assert response.status_code == 302 and response["Location"] == reverse("org:account_create")
    change = client.get(reverse("admin:org_user_change", args=[office.pk])).content.decode()
    assert "请在“账号”页面管理" in change
    assert 'name="role"' not in change and 'name="is_superuser"' not in change
