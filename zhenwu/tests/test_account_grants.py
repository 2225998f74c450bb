"""A person and an account working in two towns (issue 15, county plan step 3, ADR 0008 §3).

测试镇 is the home town of the fixtures' personas; 邻镇 (`other_town`) is the second. An account
with a grant in 邻镇 chooses it in the header and then sees 邻镇 only, as 邻镇's own accounts
do; a revoked grant sends it home; its API token made in 邻镇 works there only. A person with
roles in both towns is picked in both. An ID number registered in 邻镇 is refused in 测试镇
without a word about its holder, and can be registered here as a role.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhenwu.conftest import SYSTEM, client_for
from zhenwu.core.constants import CoreAudit
from zhenwu.core.models import AuditEvent
from zhenwu.org.constants import AccountRole, OrgAudit, RoleKind
from zhenwu.org.models import AccountGrant, ApiToken, Person, PersonRole
from zhenwu.org.roles import is_office, role_of
from zhenwu.org.scope import TOWN_SESSION_KEY, activate_grant, scope_of
from zhenwu.org.selectors import people_to_pick, people_visible_to, units_visible_to
from zhenwu.org.services import (
    account_grant_add,
    account_grant_revoke,
    api_token_create,
    person_role_grant,
    person_update,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def lent(department_staff, other_town, admin_user):
    """经济发展办's clerk (测试镇) lent to 邻镇's 党政办 as its office, by the administrator."""
    grant = account_grant_add(
        actor=admin_user, user=department_staff, town=other_town.town, role=AccountRole.OFFICE,
        unit=other_town.office_dept,
    )  # fmt: skip
    return grant


def _switch(client: Client, town_pk: int) -> int:
    return client.post(reverse("org:town_switch"), {"town": town_pk}).status_code


def test_a_grant_is_audited_in_its_town_and_changes_nothing_at_home(lent, department_staff, other_town):
    event = AuditEvent.objects.get(action=OrgAudit.GRANT_ADDED)
    assert event.town_id == other_town.town.pk and event.after["role"] == AccountRole.OFFICE
    department_staff.refresh_from_db()
    assert (department_staff.role, department_staff.town_id) == (AccountRole.DEPARTMENT, lent.user.town_id)
    assert scope_of(department_staff).grant_id is None  # outside a request: the home grant


def test_the_switcher_shows_only_for_an_account_with_two_towns(lent, department_staff, office):
    page = client_for(department_staff).get(reverse("home")).content.decode()
    assert reverse("org:town_switch") in page and "邻镇" in page and "测试镇" in page
    assert reverse("org:town_switch") not in client_for(office).get(reverse("home")).content.decode()


def test_an_account_without_grants_costs_no_query_for_them(office):
    client = client_for(office)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("org:unit_tree"))
    grant_queries = [q["sql"] for q in queries if "org_accountgrant" in q["sql"]]
    # Only the account's own load asks, as a subquery (org.backends): no query of its own.
    assert len(grant_queries) == 1 and "EXISTS" in grant_queries[0].upper()


def test_after_switching_the_account_sees_only_the_other_town(lent, department_staff, town, other_town):
    client = client_for(department_staff)
    assert client.get(reverse("org:account_list")).status_code == 404  # at home: 经济发展办's clerk
    assert _switch(client, other_town.town.pk) == 302
    assert client.session[TOWN_SESSION_KEY] == other_town.town.pk
    event = AuditEvent.objects.get(action=OrgAudit.TOWN_SWITCHED)
    assert event.after["town_id"] == other_town.town.pk and event.town_id == other_town.town.pk

    home = client.get(reverse("home")).content.decode()
    assert "党政办" in home and "selected>邻镇" in home
    accounts = client.get(reverse("org:account_list")).content.decode()
    assert "other_office" in accounts and 'cell-username">office<' not in accounts
    people = client.get(reverse("org:person_list")).content.decode()
    assert "邻镇党员" in people and town.member.name not in people
    assert client.get(reverse("org:unit_detail", args=[other_town.branch.pk])).status_code == 200
    for url in (
        reverse("org:unit_detail", args=[town.branch.pk]),
        reverse("org:person_detail", args=[town.member.pk]),
        reverse("org:person_edit", args=[town.member.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("org:account_reset", args=[lent.user.pk])).status_code == 404

    # And back home: the clerk's own rights and town again.
    assert _switch(client, town.party.town_id) == 302
    assert TOWN_SESSION_KEY not in client.session
    assert client.get(reverse("org:account_list")).status_code == 404
    assert client.get(reverse("org:unit_detail", args=[town.economy_dept.pk])).status_code == 200
    assert client.get(reverse("org:unit_detail", args=[other_town.branch.pk])).status_code == 404


def test_a_revoked_grant_falls_back_home_on_the_next_request(lent, department_staff, admin_user, other_town):
    client = client_for(department_staff)
    _switch(client, other_town.town.pk)
    assert client.get(reverse("org:account_list")).status_code == 200
    account_grant_revoke(actor=admin_user, grant=lent)
    assert AuditEvent.objects.filter(action=OrgAudit.GRANT_REVOKED, town=other_town.town).exists()
    assert client.get(reverse("org:account_list")).status_code == 404
    assert TOWN_SESSION_KEY not in client.session
    assert client.get(reverse("org:unit_detail", args=[other_town.branch.pk])).status_code == 404
    assert reverse("org:town_switch") not in client.get(reverse("home")).content.decode()


def test_switching_to_a_town_without_a_grant_is_refused_and_audited(department_staff, other_town, lent):
    from zhenwu.org.services import town_create

    third = town_create(actor=SYSTEM, name="第三镇")
    client = client_for(department_staff)
    for town_pk in (third.pk, 999999):
        assert _switch(client, town_pk) == 404
    assert client.post(reverse("org:town_switch")).status_code == 404
    assert TOWN_SESSION_KEY not in client.session
    assert not AuditEvent.objects.filter(action=OrgAudit.TOWN_SWITCHED).exists()
    assert AuditEvent.objects.filter(action=CoreAudit.ACCESS_REFUSED, actor=department_staff).exists()
    # A session that names a town the account has no grant in is not believed either.
    session = client.session
    session[TOWN_SESSION_KEY] = third.pk
    session.save()
    assert client.get(reverse("org:unit_detail", args=[other_town.branch.pk])).status_code == 404
    assert TOWN_SESSION_KEY not in client.session


def test_a_token_made_in_a_grants_town_works_there_only(lent, department_staff, town, other_town, admin_user):
    activate_grant(department_staff, lent)  # as the request that made it would
    token, key = api_token_create(actor=department_staff, user=department_staff, name="邻镇接口")
    assert token.town_id == other_town.town.pk
    activate_grant(department_staff, None)
    home_token, home_key = api_token_create(actor=department_staff, user=department_staff, name="本镇接口")
    assert home_token.town_id == town.party.town_id

    there, home = Client(HTTP_AUTHORIZATION=f"Bearer {key}"), Client(HTTP_AUTHORIZATION=f"Bearer {home_key}")
    assert there.get(f"/api/units/{other_town.branch.pk}").status_code == 200
    assert there.get(f"/api/units/{town.economy_dept.pk}").status_code == 404
    names = {u["name"] for u in there.get("/api/units").json()["items"]}
    assert "河湾村党支部" in names and "经济发展办" not in names
    assert home.get(f"/api/units/{other_town.branch.pk}").status_code == 404
    assert home.get(f"/api/units/{town.economy_dept.pk}").status_code == 200

    account_grant_revoke(actor=admin_user, grant=lent)
    refused = there.get("/api/units")
    assert refused.status_code == 401 and "授权已撤销" in refused.json()["detail"]
    assert home.get("/api/units").status_code == 200


def test_a_towns_office_grants_in_its_own_town_only(office, other_town, department_staff, town):
    # 邻镇's office lends 测试镇's clerk to itself: allowed, with a unit of 邻镇.
    grant = account_grant_add(
        actor=other_town.office, user=department_staff, town=other_town.town, role=AccountRole.LEADER
    )
    assert grant.town_id == other_town.town.pk
    grants = AccountGrant.objects.count()
    # 邻镇's office cannot grant in 测试镇, nor revoke 测试镇's grants.
    with pytest.raises(PermissionError):
        account_grant_add(actor=other_town.office, user=office, town=town.party.town, role=AccountRole.LEADER)
    with pytest.raises(PermissionError):
        account_grant_revoke(actor=office, grant=grant)
    with pytest.raises(PermissionError):  # a clerk is not an office in any town
        account_grant_add(
            actor=department_staff, user=other_town.office, town=town.party.town, role=AccountRole.LEADER
        )
    # Nor give the county's role, nor a unit of another town, nor a grant in the home town.
    refusals = (
        ({"role": AccountRole.ADMIN}, "role"),
        ({"role": AccountRole.DEPARTMENT, "unit": town.economy_dept}, "unit"),
        ({"role": AccountRole.DEPARTMENT}, "unit"),  # a unit-scoped role needs its unit
    )
    for given, field in refusals:
        with pytest.raises(ValidationError) as caught:
            account_grant_add(actor=other_town.office, user=office, town=other_town.town, **given)
        assert field in caught.value.message_dict, given
    with pytest.raises(ValidationError) as caught:
        account_grant_add(
            actor=other_town.office, user=other_town.office, town=other_town.town, role=AccountRole.LEADER
        )
    assert "所属镇" in caught.value.message_dict["town"][0]
    assert AccountGrant.objects.count() == grants


def test_the_grant_decides_the_role_asked_everywhere(lent, department_staff):
    assert not is_office(department_staff)
    activate_grant(department_staff, lent)
    assert is_office(department_staff) and role_of(department_staff) == AccountRole.OFFICE
    assert set(units_visible_to(department_staff).values_list("town_id", flat=True)) == {lent.town_id}


def test_a_person_with_roles_in_two_towns_is_picked_in_both(office, town, other_town):
    person_role_grant(actor=SYSTEM, person=other_town.member, kind=RoleKind.LEADER, unit=town.party)
    for account in (office, other_town.office):
        assert other_town.member in people_to_pick(account, q="邻镇")
        assert other_town.member in people_to_pick(account, q="", leaders_only=account == office)
    picked = client_for(office).get(reverse("org:people_pick") + "?q=邻镇党员&pool=leaders")
    assert "邻镇党员" in picked.content.decode()
    # Registered in 邻镇 still; 测试镇 sees them by the role held there.
    assert Person.objects.get(pk=other_town.member.pk).town_id == other_town.town.pk


def _id_number(birth: str, serial: str) -> str:
    """A valid 18-digit number (GB 11643's check digit) for a person born on `birth`."""
    body = f"110105{birth}{serial}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def test_an_id_number_known_in_another_town_names_nobody_and_can_be_registered_here(office, town, other_town):
    number = _id_number("19800101", "123")
    person_update(actor=SYSTEM, person=other_town.member, id_number=number)
    people = Person.objects.count()
    client = client_for(office)
    response = client.post(reverse("org:person_create"), {"name": "另一个名字", "id_number": number})
    page = response.content.decode()
    assert response.status_code == 200 and Person.objects.count() == people
    assert "该号码已在本县其他镇登记" in page and "在本镇登记身份" in page
    for leak in ("邻镇党员", "邻*员", "邻镇", "河湾村党支部", "河湾"):
        assert leak not in page, leak
    refused = AuditEvent.objects.get(action=CoreAudit.ACCESS_REFUSED, actor=office)
    assert "其他镇" in refused.after["reason"] and number not in str(refused.after)

    # 在本镇登记身份: a role in a unit of this town; the person is then this town's to see.
    form = {"id_number": number, "kind": RoleKind.PUBLIC_REPRESENTATIVE, "unit": town.branch.pk}
    done = client.post(reverse("org:person_role_here"), form)
    assert done.status_code == 302 and done["Location"] == reverse(
        "org:person_detail", args=[other_town.member.pk]
    )
    role = PersonRole.objects.get(person=other_town.member, unit=town.branch)
    assert role.town_id == town.party.town_id
    assert people_visible_to(office).filter(pk=other_town.member.pk).exists()
    assert client.get(done["Location"]).status_code == 200
    assert Person.objects.get(pk=other_town.member.pk).town_id == other_town.town.pk


def test_the_role_here_form_refuses_a_unit_of_another_town_and_an_unknown_number(office, town, other_town):
    number = _id_number("19800101", "123")
    person_update(actor=SYSTEM, person=other_town.member, id_number=number)
    client = client_for(office)
    roles = PersonRole.objects.count()
    form = {"id_number": number, "kind": RoleKind.PUBLIC_REPRESENTATIVE, "unit": other_town.branch.pk}
    assert client.post(reverse("org:person_role_here"), form).status_code == 302  # back, refused
    unknown = {**form, "unit": town.branch.pk, "id_number": _id_number("19900101", "456")}
    answer = client.post(reverse("org:person_role_here"), unknown, follow=True).content.decode()
    assert "没有登记此号码的人员" in answer
    assert PersonRole.objects.count() == roles


def test_within_the_town_the_duplicate_still_names_the_holder(office, town):
    answer = client_for(office).post(
        reverse("org:person_create"), {"name": "王建军", "id_number": town.member.id_number}
    )
    page = answer.content.decode()
    assert "已登记在人员“王*国”名下" in page and "在本镇登记身份" not in page


def test_tokens_made_by_someone_else_work_at_home(department_staff, admin_user, lent):
    token, _key = api_token_create(actor=admin_user, user=department_staff, name="代建")
    assert token.town_id == department_staff.town_id
    admin_token, _k = api_token_create(actor=admin_user, user=admin_user, name="县级")
    assert admin_token.town_id is None
    assert ApiToken.objects.filter(town__isnull=True).count() == 1
