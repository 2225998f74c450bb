"""Shared fixtures: a small town and named personas, one per role, plus an outsider.

The personas read as sentences in tests: `office` (党政办), `leader`, `department_staff`
(经济发展办), `branch_secretary` (红岩村党支部), `inspector`, `service_staff`,
`resettlement_staff`, `admin`, and `outsider` (staff of a different department).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.test import Client

from zhenwu.core.actors import DEMO
from zhenwu.ledger.constants import Category, Source
from zhenwu.ledger.services import problem_assign, problem_create
from zhenwu.org.constants import AccountRole, RoleKind, UnitKind
from zhenwu.org.models import Person, Unit, User
from zhenwu.org.services import account_create, person_create, person_role_grant, unit_create

PASSWORD = "Test-pass-2009"
SYSTEM = DEMO  # fixtures build the town as the demo seed would

# Playwright's sync API runs an event loop in the test thread; Django's ORM must be allowed there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@dataclass
class Town:
    party: Unit
    government: Unit
    office_dept: Unit
    economy_dept: Unit
    service_center: Unit
    resettlement_center: Unit
    community: Unit
    branch: Unit
    other_branch: Unit
    village: Unit
    member: Person
    other_member: Person
    staff: Person
    other_staff: Person
    leader_person: Person


def build_town() -> Town:
    party = unit_create(actor=SYSTEM, name="中共测试镇委员会", kind=UnitKind.TOWN_COMMITTEE)
    gov = unit_create(actor=SYSTEM, name="测试镇人民政府", kind=UnitKind.TOWN_GOVERNMENT)
    office_dept = unit_create(actor=SYSTEM, name="党政办", kind=UnitKind.DEPARTMENT, parent=gov)
    economy = unit_create(actor=SYSTEM, name="经济发展办", kind=UnitKind.DEPARTMENT, parent=gov)
    service = unit_create(actor=SYSTEM, name="政务快捷服务中心", kind=UnitKind.DEPARTMENT, parent=gov)
    resettle = unit_create(actor=SYSTEM, name="失地农民服务中心", kind=UnitKind.DEPARTMENT, parent=gov)
    community = unit_create(
        actor=SYSTEM, name="滨江社区党委", kind=UnitKind.COMMUNITY_COMMITTEE, parent=party
    )
    branch = unit_create(actor=SYSTEM, name="红岩村党支部", kind=UnitKind.BRANCH, parent=party)
    other_branch = unit_create(
        actor=SYSTEM, name="滨江社区第一党支部", kind=UnitKind.BRANCH, parent=community
    )
    village = unit_create(actor=SYSTEM, name="红岩村村民委员会", kind=UnitKind.VILLAGE_COMMITTEE, parent=gov)
    member = person_create(
        actor=SYSTEM, name="王建国", phone="13812345678", id_number="11010519491231002X", unit=branch
    )
    person_role_grant(actor=SYSTEM, person=member, kind=RoleKind.PARTY_MEMBER, unit=branch)
    other_member = person_create(actor=SYSTEM, name="李秀英", phone="13900001111", unit=other_branch)
    person_role_grant(actor=SYSTEM, person=other_member, kind=RoleKind.PARTY_MEMBER, unit=other_branch)
    staff = person_create(actor=SYSTEM, name="张明", phone="13700002222", unit=economy)
    other_staff = person_create(actor=SYSTEM, name="赵丽", unit=office_dept)
    leader_person = person_create(actor=SYSTEM, name="刘志强", unit=party, title="党委书记")
    person_role_grant(actor=SYSTEM, person=leader_person, kind=RoleKind.LEADER, unit=party)
    return Town(
        party, gov, office_dept, economy, service, resettle, community, branch, other_branch, village,
        member, other_member, staff, other_staff, leader_person,
    )  # fmt: skip


@pytest.fixture
def town(db: None) -> Town:
    return build_town()


@dataclass
class OtherTown:
    """A second town of the county (邻镇), with a department, a branch, a member and an office
    account of its own: what a town's accounts must never reach."""

    town: Any
    government: Unit
    office_dept: Unit
    branch: Unit
    member: Person
    office: User


@pytest.fixture
def other_town(town: Town) -> OtherTown:
    from zhenwu.org.services import town_create

    other = town_create(actor=SYSTEM, name="邻镇")
    party = unit_create(actor=SYSTEM, name="中共邻镇委员会", kind=UnitKind.TOWN_COMMITTEE, parent=other.unit)
    gov = unit_create(actor=SYSTEM, name="邻镇人民政府", kind=UnitKind.TOWN_GOVERNMENT, parent=other.unit)
    office_dept = unit_create(actor=SYSTEM, name="党政办", kind=UnitKind.DEPARTMENT, parent=gov)
    branch = unit_create(actor=SYSTEM, name="河湾村党支部", kind=UnitKind.BRANCH, parent=party)
    member = person_create(actor=SYSTEM, name="邻镇党员", phone="13600003333", unit=branch)
    person_role_grant(actor=SYSTEM, person=member, kind=RoleKind.PARTY_MEMBER, unit=branch)
    staff = person_create(actor=SYSTEM, name="邻镇办事员", unit=office_dept)
    account = _account("other_office", AccountRole.OFFICE, office_dept, staff)
    return OtherTown(other, gov, office_dept, branch, member, account)


def their_leader(other: OtherTown, name: str = "邻镇镇长") -> Person:
    """A 镇领导 of the other town, by a role held there."""
    leader = person_create(actor=SYSTEM, name=name, unit=other.government)
    person_role_grant(actor=SYSTEM, person=leader, kind=RoleKind.LEADER, unit=other.government)
    return leader


def their_problem(other: OtherTown, description: str = "邻镇河湾村水渠堵塞") -> Any:
    """A problem of the other town in one of its villages, raised and assigned by its own office."""
    village = unit_create(
        actor=SYSTEM, name="河湾村村民委员会", kind=UnitKind.VILLAGE_COMMITTEE, parent=other.government
    )
    made = problem_create(
        actor=other.office, source=Source.SELF_CHECK, category=Category.OTHER, description=description,
        village=village,
    )  # fmt: skip
    staff = person_create(actor=SYSTEM, name="邻镇干事", unit=other.office_dept)
    return problem_assign(
        actor=other.office, problem=made, leader=their_leader(other), department=other.office_dept,
        assignees=[staff], deadline=date(2026, 12, 31), assigned_on=date(2026, 11, 2),
    )  # fmt: skip


def _account(username: str, role: str, unit: Unit | None = None, person: Person | None = None) -> User:
    return account_create(
        actor=SYSTEM,
        username=username,
        password=PASSWORD,
        role=role,
        unit=unit,
        person=person,
        must_change_password=False,
    )


@pytest.fixture
def office(town: Town) -> User:
    return _account("office", AccountRole.OFFICE, town.office_dept, town.other_staff)


@pytest.fixture
def leader(town: Town) -> User:
    return _account("leader", AccountRole.LEADER, None, town.leader_person)


@pytest.fixture
def department_staff(town: Town) -> User:
    return _account("dept", AccountRole.DEPARTMENT, town.economy_dept, town.staff)


@pytest.fixture
def branch_secretary(town: Town) -> User:
    return _account("branch", AccountRole.BRANCH, town.branch, town.member)


@pytest.fixture
def inspector(town: Town) -> User:
    return _account("inspector", AccountRole.INSPECTOR)


@pytest.fixture
def service_staff(town: Town) -> User:
    return _account("window", AccountRole.SERVICE_CENTER, town.service_center)


@pytest.fixture
def resettlement_staff(town: Town) -> User:
    return _account("resettle", AccountRole.RESETTLEMENT, town.resettlement_center)


@pytest.fixture
def admin_user(town: Town) -> User:
    return _account("sysadmin", AccountRole.ADMIN)


@pytest.fixture
def outsider(town: Town) -> User:
    """Staff of a department that has nothing to do with the records under test."""
    return _account("outsider", AccountRole.DEPARTMENT, town.resettlement_center)


PERSONAS = (
    "office",
    "leader",
    "department_staff",
    "branch_secretary",
    "inspector",
    "service_staff",
    "resettlement_staff",
    "admin_user",
    "outsider",
)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def forget_process_memos() -> None:
    """Empty the per-process memos. They are keyed by ids and row counts, which never repeat on
    a live database but do between tests: SQLite hands out the same ids again after a rollback,
    so a memo from one test (or one rolled-back request) could answer the next."""
    from zhenwu.core import calendar
    from zhenwu.core.anchors import anchor_file
    from zhenwu.evaluation import services as evaluation
    from zhenwu.suggestions import catalogue, routing, similarity

    calendar._cache.clear()
    evaluation._structures.clear()
    routing._loaded.clear()
    catalogue._snapshot = None
    similarity._last = None
    # The daily audit anchor (a file in var/) names a row of an earlier test's rolled-back log.
    anchor_file().unlink(missing_ok=True)


@pytest.fixture(autouse=True)
def _fresh_process_memos():
    """Each test starts with empty per-process memos (see forget_process_memos)."""
    forget_process_memos()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in Chinese: a request in English leaves its language active on the thread."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


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


@pytest.fixture(autouse=True)
def _fresh_calendar():
    """Each test reads the calendar its own database holds (workers cache it between requests)."""
    from zhenwu.core.calendar import _forget_calendar
    from zhenwu.ledger.selectors import forget_filter_options

    _forget_calendar()
    forget_filter_options()
    yield
    _forget_calendar()
    forget_filter_options()
