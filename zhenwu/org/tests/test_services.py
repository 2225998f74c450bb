import pytest
from django.core.exceptions import ValidationError

from zhenwu.core.actors import DEMO
from zhenwu.core.models import AuditEvent
from zhenwu.lib.identity import id_check_digit
from zhenwu.org.constants import RoleKind, UnitKind
from zhenwu.org.models import Person, Unit
from zhenwu.org.services import (
    person_create,
    person_reveal,
    person_role_grant,
    person_update,
    unit_create,
    unit_update,
)

pytestmark = pytest.mark.django_db


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


def test_a_unit_is_created_with_its_path_and_an_audit_event(town):
    unit = unit_create(actor=DEMO, name="石桥村党支部", kind=UnitKind.BRANCH, parent=town.party)
    assert unit.path == f"{town.party.path}{unit.pk}/"
    assert unit.depth == town.party.depth + 1
    event = AuditEvent.objects.get(action="unit.created", object_id=str(unit.pk))
    assert event.after["name"] == "石桥村党支部"


def test_moving_a_unit_moves_its_subtree(town):
    unit_update(actor=DEMO, unit=town.community, parent=town.government)
    town.other_branch.refresh_from_db()
    town.community.refresh_from_db()
    assert town.other_branch.path.startswith(town.community.path)
    assert town.community.path.startswith(town.government.path)
    assert town.other_branch.depth == town.government.depth + 2


def test_a_unit_cannot_be_moved_under_itself_or_its_descendant(town):
    before = Unit.objects.values_list("pk", "parent_id", "path").order_by("pk")
    snapshot = list(before)
    with pytest.raises(ValidationError) as caught:
        unit_update(actor=DEMO, unit=town.party, parent=town.other_branch)
    assert "循环" in _errors(caught)["parent"][0]
    with pytest.raises(ValidationError):
        unit_update(actor=DEMO, unit=town.party, parent=town.party)
    assert list(before) == snapshot
    assert not AuditEvent.objects.filter(action="unit.updated").exists()


def test_two_units_with_one_name_under_one_parent_are_refused(town):
    with pytest.raises(ValidationError):
        unit_create(actor=DEMO, name="红岩村党支部", kind=UnitKind.BRANCH, parent=town.party)


def test_a_person_is_created_with_normalised_identifiers_and_pinyin(town):
    person = person_create(actor=DEMO, name="陈　红", phone="138 1234 0000", id_number="511322800101002")
    assert person.name == "陈红"
    assert person.phone == "13812340000"
    assert person.id_number == "51132219800101002" + id_check_digit("51132219800101002")
    assert person.gender == "F"
    assert person.name_pinyin == "chenhong" and person.name_initials == "ch"


@pytest.mark.parametrize(
    "fields, field, words",
    [
        ({"name": ""}, "name", "姓名：不能为空"),
        ({"phone": "12345"}, "phone", "手机号码："),
        ({"id_number": "11010519491231002Y"}, "id_number", "身份证号码："),
        ({"id_number": "110105194912310021"}, "id_number", "校验位"),
    ],
)
def test_bad_person_input_is_refused_naming_the_field_and_nothing_is_stored(town, fields, field, words):
    people, events = Person.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        person_create(actor=DEMO, **{"name": "周涛", **fields})
    assert words in _errors(caught)[field][0]
    assert Person.objects.count() == people
    assert AuditEvent.objects.count() == events


def test_a_duplicate_id_number_is_refused_in_either_form(town):
    with pytest.raises(ValidationError) as caught:
        person_create(actor=DEMO, name="王建军", id_number="110105491231002")
    assert "已登记在人员“王*国”名下" in _errors(caught)["id_number"][0]


def test_an_update_keeps_the_record_when_the_new_value_is_bad(town):
    with pytest.raises(ValidationError):
        person_update(actor=DEMO, person=town.member, phone="999", title="村主任")
    town.member.refresh_from_db()
    assert town.member.phone == "13812345678"
    assert town.member.title == ""


def test_an_update_is_audited_with_masked_before_and_after(town):
    person_update(actor=DEMO, person=town.member, phone="13900009999")
    event = AuditEvent.objects.filter(action="person.updated").latest("seq")
    assert event.before["phone"] == "138****5678"
    assert event.after["phone"] == "139****9999"


def test_a_party_member_role_needs_a_party_organisation(town):
    with pytest.raises(ValidationError, match="党组织"):
        person_role_grant(actor=DEMO, person=town.staff, kind=RoleKind.PARTY_MEMBER, unit=town.village)
    with pytest.raises(ValidationError, match="已有此身份"):
        person_role_grant(actor=DEMO, person=town.member, kind=RoleKind.PARTY_MEMBER, unit=town.branch)


def test_revealing_a_full_number_is_allowed_to_the_office_and_audited(office, town):
    assert person_reveal(actor=office, person=town.member, field="id_number") == "11010519491231002X"
    event = AuditEvent.objects.get(action="person.unmasked")
    assert event.actor == office and event.after == {"field": "id_number"}


def test_revealing_is_refused_to_other_roles(leader, town):
    with pytest.raises(PermissionError):
        person_reveal(actor=leader, person=town.member, field="phone")
    assert not AuditEvent.objects.filter(action="person.unmasked").exists()
