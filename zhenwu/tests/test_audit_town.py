"""The audit log's town (issue 15, county plan step 2; ADR 0008 §6).

Each event takes its town from its object's declared path (org/towns.py); the town is part of
the keyed hash when it is set, and rows without one hash as they always did. (A test of the
whole project: core's own tests may not import org.)
"""

from __future__ import annotations

import pytest
from django.db import connection

from zhenwu.core.actors import DEMO
from zhenwu.core.audit import AuditEntry, _hashed_fields, audit_record, audit_record_many, audit_verify
from zhenwu.core.models import AuditEvent
from zhenwu.core.tests.tampering import drop_update_guard
from zhenwu.org.constants import UnitKind
from zhenwu.org.models import Town
from zhenwu.org.services import unit_create

pytestmark = pytest.mark.django_db


def test_events_about_a_towns_units_carry_the_town_and_others_none(town):
    the_town = Town.objects.get()
    made = AuditEvent.objects.get(action="town.created")
    assert made.town_id == the_town.pk  # the town's own creation
    units = AuditEvent.objects.filter(action="unit.created")
    assert units.count() == 10 and set(units.values_list("town", flat=True)) == {the_town.pk}
    # People are in their town too; an event about no object, or about a county-wide one, is not.
    people = AuditEvent.objects.filter(action="person.created")
    assert people.exists() and set(people.values_list("town", flat=True)) == {the_town.pk}
    assert audit_record(actor=DEMO, action="system.test").town_id is None
    assert audit_record(actor=DEMO, action="system.test", obj=the_town.unit.parent).town_id is None
    assert audit_record(actor=DEMO, action="system.test", town_id=the_town.pk).town_id == the_town.pk
    assert audit_verify().ok


def test_the_town_is_hashed_only_when_set(town):
    with_town = AuditEvent.objects.filter(town__isnull=False).first()
    without = audit_record(actor=DEMO, action="system.test")
    assert with_town is not None and without is not None
    assert _hashed_fields(with_town)["town_id"] == with_town.town_id
    assert "town_id" not in _hashed_fields(without)  # as every row before the column


def test_moving_an_event_to_another_town_breaks_the_chain_at_that_row(town):
    event = AuditEvent.objects.filter(action="unit.created").order_by("seq")[2]
    drop_update_guard()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET town_id = NULL WHERE seq = %s", [event.seq])
    result = audit_verify()
    assert result.first_break is not None and result.first_break.seq == event.seq


def test_a_batch_carries_each_objects_town_and_verifies(town):
    the_town = Town.objects.get()
    unit = unit_create(
        actor=DEMO, name="新村村民委员会", kind=UnitKind.VILLAGE_COMMITTEE, parent=town.government
    )
    head = audit_record_many(
        actor=DEMO,
        entries=[
            AuditEntry("unit.checked", obj=unit),
            AuditEntry("system.checked"),
            AuditEntry("x", town_id=the_town.pk),
        ],
    )
    rows = list(
        AuditEvent.objects.filter(seq__gt=head.seq - 3).order_by("seq").values_list("town", flat=True)
    )
    assert rows == [the_town.pk, None, the_town.pk]
    assert audit_verify().ok
