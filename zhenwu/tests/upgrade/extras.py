"""The records the demo town does not make, added to the reduced demo for the upgrade fixture.

Each goes through its service (or the command a town runs), as the demo's own records do:
an API token, a department alias, an imported sheet (its rows and people), a suspended
problem with a cooperating unit, a resident's suggestion with a photo sent from an address
(the address kept apart from the log, its similarity facets), a mistyped receipt
code (its throttle count), an online
ballot still waiting for its batch, and one run of the tick (its run row and notices).
"""

from __future__ import annotations

import random
from datetime import date

from django.core.management import call_command
from django.db import transaction

from zhenwu.core.actors import IMPORT
from zhenwu.core.context import request_ip
from zhenwu.demo.files import site_photo
from zhenwu.evaluation import services as evaluation
from zhenwu.evaluation.constants import SurveyStatus
from zhenwu.evaluation.models import Survey, VotingCode
from zhenwu.ledger.constants import DeadlineBasis, Status
from zhenwu.ledger.importer.committing import commit_import
from zhenwu.ledger.importer.planning import Choices, plan_import
from zhenwu.ledger.models import Problem
from zhenwu.ledger.services import department_alias_save, problem_assign, problem_suspend
from zhenwu.ledger.tests.sheets import messy_ledger
from zhenwu.org.constants import RoleKind, UnitKind
from zhenwu.org.models import Person, Unit, User
from zhenwu.org.services import api_token_create
from zhenwu.suggestions.services import receipt_lookup, suggestion_submit


def seed_extras(*, today: date) -> None:
    rng = random.Random(15)
    office = User.objects.get(username="dangzhengban")
    admin = User.objects.get(username="admin")
    departments = {u.name: u for u in Unit.objects.filter(kind=UnitKind.DEPARTMENT)}
    leader = Person.objects.filter(roles__kind=RoleKind.LEADER).order_by("id").first()
    assert leader is not None
    staff = Person.objects.filter(unit=departments["经济发展办"]).order_by("id").first()
    assert staff is not None
    with transaction.atomic():
        api_token_create(actor=admin, user=office, name="县里的报表")
        department_alias_save(actor=office, alias="经发办", unit=departments["经济发展办"])
    # An imported sheet: two rows, one named by the alias, one with a person not in the registry.
    sheet = messy_ledger(
        [
            [
                "1",
                "自查",
                "集镇排水沟堵塞",
                "清淤疏通",
                leader.name,
                "经发办",
                staff.name,
                "2026年12月31日",
                "",
            ],
            [
                "2",
                "群众献言献策",
                "村道路灯不亮",
                "更换灯具",
                leader.name,
                "财政所",
                "周新来",
                "2026年12月20日",
                "",
            ],
        ]
    )
    plan = plan_import(sheet, choices=Choices(create_missing=True), today=today)
    commit_import(plan, actor=IMPORT, file_name="台账（导入）.xlsx")
    # The demo leaves its newest problems unassigned: one gets owners, a cooperating unit and a pause.
    waiting = Problem.objects.filter(status=Status.PENDING).order_by("id").first()
    assert waiting is not None
    problem = problem_assign(
        actor=office, problem=waiting, leader=leader, department=departments["经济发展办"],
        assignees=[staff], deadline_basis=DeadlineBasis.DATE, deadline=date(2026, 12, 31),
        cooperating_units=[departments["财政所"]],
    )  # fmt: skip
    problem_suspend(actor=office, problem=problem, reason="等待县里批复资金", start=today)
    village = Unit.objects.filter(kind=UnitKind.VILLAGE_COMMITTEE).order_by("id").first()
    # As the middleware does for a request: the resident's address goes to AuditAddress.
    address = request_ip.set("203.0.113.15")
    try:
        suggestion_submit(
            text="村口的垃圾桶满了没人清运，气味很大，希望尽快处理",
            village=village,
            phone="13800000015",
            photos=[site_photo(number="S", day=today.isoformat(), what="垃圾桶", index=1, rng=rng)],
            ip="203.0.113.15",
        )
    finally:
        request_ip.reset(address)
    # A mistyped receipt code: counted against the address (ThrottleHit).
    assert receipt_lookup("ZZZZ-ZZZZ", ip="203.0.113.15") is None
    trial = Survey.objects.filter(status=SurveyStatus.OPEN).order_by("id").first()
    assert trial is not None
    code = VotingCode.objects.filter(survey=trial, used=False).order_by("id").first()
    assert code is not None
    marks = {row.key: "0" for row in evaluation.ballot_rows(trial)}
    evaluation.ballot_cast(code=code.code, marks=marks, ip="203.0.113.16")
    call_command("tick", verbosity=0)
