"""The county and the town in the unit tree (issue 15, county plan step 1)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from zhenwu.core.actors import DEMO
from zhenwu.core.models import AuditEvent
from zhenwu.org.constants import UnitKind
from zhenwu.org.models import County, Town, Unit
from zhenwu.org.services import unit_create, unit_update

pytestmark = pytest.mark.django_db


def test_the_tree_reads_county_town_then_the_towns_committee_and_government(town):
    county = County.objects.get()
    the_town = Town.objects.get()
    assert (county.unit.kind, county.unit.parent_id, county.unit.town_id) == (UnitKind.COUNTY, None, None)
    node = the_town.unit
    assert (node.kind, node.parent_id, node.town_id) == (UnitKind.TOWN, county.unit.pk, the_town.pk)
    # Named as the first unit named it (中共测试镇委员会), with a short name and a code from it.
    assert (the_town.name, the_town.short_name, the_town.code) == ("测试镇", "测试", "CS")
    assert county.name == "××县"  # ZHENWU_COUNTY_NAME's default
    for top in (town.party, town.government):
        assert top.parent_id == node.pk and top.path == f"{node.path}{top.pk}/" and top.depth == 2
    assert town.other_branch.path.startswith(town.community.path) and town.other_branch.depth == 4
    # Every unit but the county's root is in the town.
    assert set(Unit.objects.exclude(pk=county.unit.pk).values_list("town", flat=True)) == {the_town.pk}
    event = AuditEvent.objects.get(action="town.created")
    assert event.after == {"name": "测试镇", "short_name": "测试", "code": "CS", "county": "××县"}


@override_settings(ZHENWU_TOWN_NAME="河口镇", ZHENWU_COUNTY_NAME="清江县")
def test_a_first_unit_that_names_no_town_takes_the_settings_names(db):
    unit = unit_create(actor=DEMO, name="综合办公室", kind=UnitKind.OTHER)
    the_town = Town.objects.get()
    assert (the_town.name, the_town.code, unit.town_id) == ("河口镇", "HK", the_town.pk)
    assert County.objects.get().name == "清江县"


def test_the_county_and_town_nodes_are_the_systems_own(town):
    node = Town.objects.get().unit
    for kind in (UnitKind.COUNTY, UnitKind.TOWN):
        with pytest.raises(ValidationError) as caught:
            unit_create(actor=DEMO, name="另一个镇", kind=kind, parent=node)
        assert "类型" in caught.value.message_dict["kind"][0]
        with pytest.raises(ValidationError):
            unit_update(actor=DEMO, unit=town.community, kind=kind)
    with pytest.raises(ValidationError) as caught:
        unit_update(actor=DEMO, unit=node, name="改名镇")
    assert "系统维护" in caught.value.message_dict["name"][0]
    assert Town.objects.count() == 1 and Unit.objects.filter(kind=UnitKind.TOWN).count() == 1


def test_a_unit_moved_to_the_top_stays_in_its_town_and_may_not_leave_it(town):
    node = Town.objects.get().unit
    moved = unit_update(actor=DEMO, unit=town.community, parent=None)
    assert moved.parent_id == node.pk and moved.path == f"{node.path}{moved.pk}/"
    town.other_branch.refresh_from_db()
    assert town.other_branch.path == f"{moved.path}{town.other_branch.pk}/"
    before = list(Unit.objects.values_list("pk", "parent_id", "path", "town_id").order_by("pk"))
    with pytest.raises(ValidationError) as caught:
        unit_update(actor=DEMO, unit=town.branch, parent=County.objects.get().unit)
    assert "另一个镇" in caught.value.message_dict["parent"][0]
    assert list(Unit.objects.values_list("pk", "parent_id", "path", "town_id").order_by("pk")) == before


def test_with_several_towns_a_unit_must_be_given_its_parent(town):
    county = County.objects.get()
    node = Unit.objects.create(name="邻镇", kind=UnitKind.TOWN, parent=county.unit, path="/pending/")
    Town.objects.create(unit=node, name="邻镇", short_name="邻", code="LZ")
    count = Unit.objects.count()
    with pytest.raises(ValidationError) as caught:
        unit_create(actor=DEMO, name="中共邻镇委员会", kind=UnitKind.TOWN_COMMITTEE)
    assert "多个镇" in caught.value.message_dict["parent"][0]
    assert Unit.objects.count() == count


def test_a_second_county_is_refused_by_the_database(town):
    from django.db import IntegrityError, transaction

    other = Unit.objects.create(name="另一县", kind=UnitKind.COUNTY, path="/x/")
    with pytest.raises(IntegrityError), transaction.atomic():
        County.objects.create(unit=other, name="另一县")


def test_the_towns_node_is_shown_at_the_top_of_the_tree_but_not_offered_for_editing(office, town):
    from django.urls import reverse

    from zhenwu.conftest import client_for

    client = client_for(office)
    node = Town.objects.get().unit
    tree = client.get(reverse("org:unit_tree")).content.decode()
    assert "测试镇" in tree and "××县" not in tree  # a town's staff see their town, not the county
    detail = client.get(reverse("org:unit_detail", args=[node.pk])).content.decode()
    assert reverse("org:unit_edit", args=[node.pk]) not in detail
    assert client.get(reverse("org:unit_edit", args=[node.pk])).status_code == 404
    county_root = County.objects.get().unit
    assert client.get(reverse("org:unit_detail", args=[county_root.pk])).status_code == 404
    form = client.get(reverse("org:unit_edit", args=[town.community.pk])).content.decode()
    assert 'value="county"' not in form and 'value="town"' not in form and "（本镇顶级）" in form
