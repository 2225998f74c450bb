"""Fixtures of the ledger's tests."""

import pytest

from zhenwu.org.constants import UnitKind
from zhenwu.org.services import person_create, unit_create


@pytest.fixture
def ledger_town(town):
    """The conftest town plus the offices a real ledger names: 村镇建设办 and 财政所, with staff."""
    from zhenwu.conftest import SYSTEM

    town.building = unit_create(
        actor=SYSTEM, name="村镇建设办", kind=UnitKind.DEPARTMENT, parent=town.government
    )
    town.finance = unit_create(actor=SYSTEM, name="财政所", kind=UnitKind.DEPARTMENT, parent=town.government)
    person_create(actor=SYSTEM, name="王芳", unit=town.building)
    person_create(actor=SYSTEM, name="李强", unit=town.finance)
    return town
