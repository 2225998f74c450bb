"""The people picker's endpoint: scope, pinyin and initials, the department first, namesakes
told apart, and a fixed number of queries however many people match."""

import re

import pytest
from django.urls import reverse

from zhenwu.conftest import SYSTEM, client_for
from zhenwu.org.constants import AccountRole, RoleKind
from zhenwu.org.models import User
from zhenwu.org.services import person_create, person_role_grant

pytestmark = pytest.mark.django_db
URL = reverse("org:people_pick")


def _ids(response) -> list[int]:
    assert response.status_code == 200
    return [int(i) for i in re.findall(r'data-id="(\d+)"', response.content.decode())]


@pytest.fixture
def namesakes(town):
    """Two 张明: the economy office's (the fixture's) and one in the village committee."""
    other = person_create(actor=SYSTEM, name="张明", phone="13511113333", unit=town.village, title="村委委员")
    return town.staff, other


def test_initials_and_full_pinyin_and_characters_find_the_person(office, town):
    client = client_for(office)
    for q in ("zm", "ZM", "zhangming", "zhang ming", "张明", "明"):
        assert town.staff.pk in _ids(client.get(URL, {"q": q})), q
    assert town.staff.pk not in _ids(client.get(URL, {"q": "wjg"}))
    assert town.member.pk in _ids(client.get(URL, {"q": "wjg"}))


def test_namesakes_are_told_apart_by_unit_post_and_masked_phone(office, town, namesakes):
    ours, theirs = namesakes
    html = client_for(office).get(URL, {"q": "zm"}).content.decode()
    assert _ids(client_for(office).get(URL, {"q": "zm"})) == sorted([ours.pk, theirs.pk])
    assert "经济发展办" in html and "红岩村村民委员会" in html and "村委委员" in html
    assert "137****2222" in html and "135****3333" in html
    assert "13700002222" not in html  # masked, never the number


def test_the_chosen_departments_staff_come_first(office, town, namesakes):
    ours, theirs = namesakes
    client = client_for(office)
    # In pinyin order the two are tied: the id decides, so the fixture's comes first…
    assert _ids(client.get(URL, {"q": "zm", "department": town.village.pk})) == [theirs.pk, ours.pk]
    assert _ids(client.get(URL, {"q": "zm", "department": town.economy_dept.pk})) == [ours.pk, theirs.pk]
    # With nothing typed the department's staff lead the list, flagged as such.
    answer = client.get(URL, {"department": town.office_dept.pk})
    assert _ids(answer)[0] == town.other_staff.pk
    assert answer.content.decode().count("本部门") == 1


def test_a_department_clerk_is_answered_from_their_own_department_only(department_staff, town, namesakes):
    ours, theirs = namesakes
    found = _ids(client_for(department_staff).get(URL, {"q": "zm"}))
    assert found == [ours.pk]  # the village's 张明 is outside the economy office's scope
    everyone = _ids(client_for(department_staff).get(URL))
    assert town.other_staff.pk not in everyone and town.member.pk not in everyone
    # Naming another department does not widen the scope.
    assert town.other_staff.pk not in _ids(
        client_for(department_staff).get(URL, {"department": town.office_dept.pk})
    )


def test_a_branch_secretary_never_sees_another_branchs_members(branch_secretary, town):
    found = _ids(client_for(branch_secretary).get(URL, {"q": "lxy"}))
    assert town.other_member.pk not in found
    assert _ids(client_for(branch_secretary).get(URL, {"q": "wjg"})) == [town.member.pk]


def test_the_leaders_pool_offers_leaders_only(office, town):
    found = _ids(client_for(office).get(URL, {"pool": "leaders"}))
    assert found == [town.leader_person.pk]


def test_anonymous_goes_to_login_and_an_account_without_scope_gets_404(client, town):
    answer = client.get(URL, {"q": "zm"})
    assert answer.status_code == 302 and "/login/" in answer["Location"]
    # The services refuse a department account without a unit, but the Django admin's forms can
    # still save one: it reaches no one, so the picker does not exist for it.
    nowhere = User.objects.create_user(username="nowhere", password="x", role=AccountRole.DEPARTMENT)
    assert client_for(nowhere).get(URL, {"q": "zm"}).status_code == 404


def test_answers_at_most_twenty_in_a_fixed_number_of_queries(office, town, django_assert_num_queries):
    for i in range(30):
        person = person_create(
            actor=SYSTEM, name=f"张{'一二三四五六七八九十'[i % 10]}{i}", unit=town.economy_dept
        )
        person_role_grant(actor=SYSTEM, person=person, kind=RoleKind.TOWN_CADRE, unit=town.economy_dept)
    client = client_for(office)
    client.get(URL)  # the session is warm
    # Session and account, then one query for the people (the department's path is a subquery).
    with django_assert_num_queries(3):
        answer = client.get(URL, {"q": "z", "department": town.economy_dept.pk})
    assert len(_ids(answer)) == 20
    assert "只显示前20人" in answer.content.decode()
