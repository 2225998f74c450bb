import pytest
from django.http import Http404

from zhenwu.org.constants import UnitKind
from zhenwu.org.selectors import get_person_for_user, people_search, people_visible_to, units_visible_to

pytestmark = pytest.mark.django_db


def test_the_office_and_leaders_see_the_whole_town(office, leader, town):
    for user in (office, leader):
        units = units_visible_to(user)
        # The fixture's ten units and the town's own node; not the county's root.
        assert units.count() == 11
        assert units.filter(kind=UnitKind.TOWN).count() == 1 and not units.filter(kind=UnitKind.COUNTY)
        assert people_visible_to(user).count() == 5


def test_department_staff_see_only_their_department(department_staff, town):
    assert list(units_visible_to(department_staff)) == [town.economy_dept]
    assert list(people_visible_to(department_staff)) == [town.staff]
    with pytest.raises(Http404):
        get_person_for_user(department_staff, town.member.pk)


def test_a_branch_secretary_sees_the_branch_and_its_members(branch_secretary, town):
    assert list(units_visible_to(branch_secretary)) == [town.branch]
    assert list(people_visible_to(branch_secretary)) == [town.member]


def test_the_inspector_sees_party_organisations_members_only(inspector, town):
    assert set(people_visible_to(inspector)) == {town.member, town.other_member, town.leader_person}


def test_search_finds_by_chinese_name_full_pinyin_and_initials(office, town):
    assert list(people_search(office, q="建国")) == [town.member]
    assert list(people_search(office, q="wangjian")) == [town.member]
    assert list(people_search(office, q="WJG")) == [town.member]
    assert list(people_search(office, q="lxy")) == [town.other_member]


def test_filters_by_unit_subtree_and_role(office, town):
    assert list(people_search(office, unit=town.community)) == [town.other_member]
    assert set(people_search(office, role="party_member")) == {town.member, town.other_member}
