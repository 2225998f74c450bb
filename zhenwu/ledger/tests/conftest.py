from datetime import date

import pytest

from zhenwu.ledger.constants import Category, Source
from zhenwu.ledger.services import problem_assign, problem_create


@pytest.fixture
def problem(town, office):
    """A problem assigned on 2026-11-02: leader 刘志强, 经济发展办, 责任人 张明, due 2026-12-31."""
    created = problem_create(
        actor=office,
        source=Source.SUGGESTION,
        category=Category.INFRASTRUCTURE,
        description="红岩村三组道路破损，雨天无法通行",
        village=town.village,
    )
    return problem_assign(
        actor=office,
        problem=created,
        leader=town.leader_person,
        department=town.economy_dept,
        assignees=[town.staff],
        deadline=date(2026, 12, 31),
        assigned_on=date(2026, 11, 2),
    )


@pytest.fixture
def pending(town, office):
    return problem_create(
        actor=office, source=Source.SELF_CHECK, category=Category.ENVIRONMENT, description="垃圾清运不及时"
    )
