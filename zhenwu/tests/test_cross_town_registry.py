"""Two towns in one county: the registry and the accounts stay each town's (issue 15, step 3).

A town's accounts see their own town's units, people and accounts; another town's are 404,
as records that do not exist; a reference into another town is refused, naming the field,
and nothing is written. The administrator (the county's role) sees both.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from zhenwu.conftest import client_for
from zhenwu.org.constants import AccountRole, RoleKind
from zhenwu.org.models import Person, PersonRole, Town, User
from zhenwu.org.selectors import accounts_manageable_by, people_visible_to, units_visible_to
from zhenwu.org.services import account_create, person_create, person_role_grant, town_create

pytestmark = pytest.mark.django_db


def test_each_town_and_its_records_carry_the_town(town, other_town):
    first, second = Town.objects.order_by("id")
    assert second == other_town.town and second.code == "LZ" and second.unit.parent_id == first.unit.parent_id
    assert other_town.branch.town_id == second.pk and other_town.member.town_id == second.pk
    assert PersonRole.objects.get(person=other_town.member).town_id == second.pk
    assert other_town.office.town_id == second.pk
    assert town.member.town_id == first.pk


def test_a_towns_office_sees_only_its_town(office, town, other_town):
    units, people = units_visible_to(office), people_visible_to(office)
    assert not units.filter(town=other_town.town).exists() and units.filter(pk=town.branch.pk).exists()
    assert not people.filter(pk=other_town.member.pk).exists() and people.filter(pk=town.member.pk).exists()
    assert not accounts_manageable_by(office).filter(pk=other_town.office.pk).exists()
    # And the other way round.
    assert not units_visible_to(other_town.office).filter(pk=town.branch.pk).exists()
    assert list(people_visible_to(other_town.office).order_by("name")) == sorted(
        Person.objects.filter(town=other_town.town), key=lambda p: p.name
    )


def test_another_towns_pages_answer_404(office, town, other_town):
    client = client_for(office)
    for url in (
        reverse("org:unit_detail", args=[other_town.branch.pk]),
        reverse("org:unit_edit", args=[other_town.branch.pk]),
        reverse("org:person_detail", args=[other_town.member.pk]),
    ):
        assert client.get(url).status_code == 404, url
    for name in ("org:account_unlock", "org:account_reset", "org:account_active", "org:account_role"):
        assert client.post(reverse(name, args=[other_town.office.pk])).status_code == 404, name
    assert "other_office" not in client.get(reverse("org:account_list")).content.decode()
    listing = client.get(reverse("org:person_list")).content.decode()
    assert "邻镇党员" not in listing and town.member.name in listing
    assert "邻镇" not in client.get(reverse("org:unit_tree")).content.decode()


def test_a_reference_into_another_town_is_refused_and_nothing_is_written(office, town, other_town):
    people, roles, accounts = Person.objects.count(), PersonRole.objects.count(), User.objects.count()
    with pytest.raises(ValidationError) as caught:
        person_create(actor=office, name="越界", unit=other_town.branch)
    assert caught.value.message_dict["unit"] == ["所在单位：所选对象不属于本镇"]
    with pytest.raises(ValidationError) as caught:
        person_role_grant(
            actor=office, person=town.member, kind=RoleKind.PARTY_MEMBER, unit=other_town.branch
        )
    assert "所在组织" in caught.value.message_dict["unit"][0]
    with pytest.raises(ValidationError) as caught:
        account_create(
            actor=office, username="yuejie", password="Yuejie-2009-x", role=AccountRole.DEPARTMENT,
            unit=other_town.office_dept,
        )  # fmt: skip
    assert "所属单位" in caught.value.message_dict["unit"][0]
    assert (Person.objects.count(), PersonRole.objects.count(), User.objects.count()) == (
        people,
        roles,
        accounts,
    )


def test_a_person_holding_a_role_in_a_second_town_is_seen_there(office, town, other_town, admin_user):
    # The county's administrator records that 邻镇's member also sits in 测试镇's branch.
    person_role_grant(
        actor=admin_user, person=other_town.member, kind=RoleKind.PUBLIC_REPRESENTATIVE, unit=town.branch
    )
    assert people_visible_to(office).filter(pk=other_town.member.pk).exists()
    assert other_town.member.town_id == other_town.town.pk  # still registered in 邻镇


def test_the_administrator_sees_every_town(admin_user, town, other_town):
    assert units_visible_to(admin_user).filter(town=other_town.town).exists()
    assert units_visible_to(admin_user).filter(pk=town.branch.pk).exists()
    assert accounts_manageable_by(admin_user).filter(pk=other_town.office.pk).exists()
    assert admin_user.town_id is None  # the county's role


def test_only_the_administrator_makes_a_town(office, admin_user, town):
    with pytest.raises(PermissionError):
        town_create(actor=office, name="第三镇")
    with pytest.raises(ValidationError) as caught:
        town_create(actor=admin_user, name="测试镇")
    assert "已有" in caught.value.message_dict["name"][0]
    with pytest.raises(ValidationError):
        town_create(actor=admin_user, name="没有层级")
    assert town_create(actor=admin_user, name="第三镇").code == "DS"
