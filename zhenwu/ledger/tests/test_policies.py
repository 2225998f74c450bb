"""Source policies: today's sources keep their rules; a module's own source plugs in from its
ready() (the throw-away test app) and walks raise → assign → report → close."""

from datetime import date

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from zhenwu.conftest import client_for
from zhenwu.core.actors import DEMO, IMPORT, RESIDENT, TICK
from zhenwu.core.models import AuditEvent
from zhenwu.ledger.constants import Category, Source, Status
from zhenwu.ledger.forms import ProblemForm
from zhenwu.ledger.models import Problem, ProblemTransition
from zhenwu.ledger.policies import (
    ClosureNeeds,
    SourcePolicy,
    policy_for,
    register_source,
    registered_sources,
    source_choices,
    unregister_source,
)
from zhenwu.ledger.services import (
    problem_accept,
    problem_apply_close,
    problem_assign,
    problem_create,
    problem_return,
    report_save,
)
from zhenwu.ledger.tests.throwaway import sources as throwaway
from zhenwu.lib.cadence import Cadence

pytestmark = pytest.mark.django_db
NOW = "2026-11-25 10:00 +0800"


def _counts() -> tuple[int, int, int]:
    return Problem.objects.count(), ProblemTransition.objects.count(), AuditEvent.objects.count()


def test_todays_sources_are_registered_by_the_apps_that_own_them_in_their_usual_order():
    keys = [key for key, _label in source_choices()]
    assert keys[: len(Source.values)] == list(Source.values)
    assert policy_for(Source.SUGGESTION).asks_residents is True
    assert not any(policy_for(s).asks_residents for s in Source.values if s != Source.SUGGESTION)
    for source in Source.values:
        policy = policy_for(source)
        assert policy.closure_needs == ClosureNeeds.EVIDENCE and policy.number_prefix == ""
        assert policy.cadence == Cadence.HALF_MONTHLY and policy.allowed_categories() == list(Category.values)


def test_the_throw_away_module_registered_its_sources_from_its_ready():
    assert {throwaway.HOTLINE, throwaway.RECHECK} <= {p.key for p in registered_sources()}
    assert (throwaway.HOTLINE, "12345热线转办") in ProblemForm(user=AnonymousUser()).fields["source"].choices


def test_a_source_cannot_be_registered_twice_with_another_policy():
    with pytest.raises(ValueError, match="已由另一个模块登记"):
        register_source(SourcePolicy(key=Source.SELF_CHECK, label="别的自查"))
    register_source(SourcePolicy(key="once", label="临时"))
    unregister_source("once")
    with pytest.raises(ValidationError):
        policy_for("once")


@time_machine.travel(NOW, tick=False)
def test_a_throw_away_source_walks_raise_assign_report_close(town, inspector, office, department_staff):
    raised = problem_create(
        actor=inspector, source=throwaway.HOTLINE, category=Category.SERVICE, description="热线反映办证排队久"
    )
    by_tick = problem_create(
        actor=TICK, source=throwaway.HOTLINE, category=Category.LIVELIHOOD, description="夜间热线转办"
    )
    assert raised.number == "RX2026-0001" and by_tick.number == "RX2026-0002"
    assert raised.get_source_display() == "12345热线转办"
    problem = problem_assign(
        actor=office,
        problem=raised,
        leader=town.leader_person,
        department=town.economy_dept,
        assignees=[town.staff],
        deadline_days=10,
    )
    # The policy's defaults: deadline in calendar days, a monthly report.
    assert problem.deadline == date(2026, 12, 5) and problem.cadence == Cadence.MONTHLY
    report = report_save(actor=department_staff, problem=problem, progress=100, done="已开通绿色通道")
    assert report.period_key == "2026-11"
    # Nothing attached: this source's closure needs nothing.
    problem = problem_apply_close(actor=department_staff, problem=problem, completion="已整改")
    with pytest.raises(PermissionError):
        problem_accept(actor=department_staff, problem=problem)
    problem = problem_accept(actor=inspector, problem=problem, note="回访核实")
    assert problem.status == Status.CLOSED
    steps = list(problem.transitions.values_list("action", flat=True))
    assert steps == ["assign", "apply_close", "accept"]


def test_todays_sources_keep_todays_numbers(office):
    made = problem_create(
        actor=office, source=Source.SELF_CHECK, category=Category.OTHER, description="自查一"
    )
    assert made.number == f"{made.created_at.astimezone().year}-0001"


def test_raising_a_source_its_policy_does_not_allow_is_refused_and_nothing_is_written(
    office, department_staff, inspector
):
    before = _counts()
    refusals = [
        (office, throwaway.HOTLINE),  # the office does not raise hotline problems
        (department_staff, throwaway.HOTLINE),
        (IMPORT, throwaway.HOTLINE),
        (inspector, Source.SELF_CHECK),  # the 督导组 raises no source of today
        (TICK, Source.SELF_CHECK),
        (RESIDENT, Source.SUGGESTION),
    ]
    for actor, source in refusals:
        with pytest.raises(PermissionError, match="问题来源"):
            problem_create(actor=actor, source=source, category=Category.SERVICE, description="x")
    assert _counts() == before


def test_the_importer_and_the_demo_raise_todays_sources(db):
    for actor in (IMPORT, DEMO):
        made = problem_create(
            actor=actor, source=Source.SUPERIOR, category=Category.OTHER, description="上级交办"
        )
        assert made.created_by is None


def test_an_unknown_source_is_refused_naming_the_field(office):
    before = _counts()
    with pytest.raises(ValidationError) as caught:
        problem_create(actor=office, source="nonsense", category=Category.OTHER, description="x")
    assert "问题来源" in caught.value.message_dict["source"][0]
    assert _counts() == before
    # The column checks it too, for a row built some other way.
    with pytest.raises(ValidationError) as caught:
        Problem(number="X-1", source="nonsense", category=Category.OTHER, description="x").full_clean()
    assert "source" in caught.value.message_dict


def test_a_category_outside_the_sources_list_is_refused(inspector):
    with pytest.raises(ValidationError) as caught:
        problem_create(actor=inspector, source=throwaway.HOTLINE, category=Category.LAND, description="x")
    assert "问题类别" in caught.value.message_dict["category"][0]
    assert not Problem.objects.exists()


def _recheck(office, town):
    made = problem_create(actor=office, source=throwaway.RECHECK, category=Category.OTHER, description="复查")
    problem = problem_assign(
        actor=office,
        problem=made,
        leader=town.leader_person,
        department=town.economy_dept,
        assignees=[town.staff],
        deadline=date(2026, 12, 31),
        assigned_on=date(2026, 11, 2),
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = SimpleUploadedFile("照片.pdf", b"%PDF-1.7 ...", content_type="application/pdf")
    return problem_apply_close(actor=office, problem=problem, completion="完成", files=[pdf])


@time_machine.travel(NOW, tick=False)
def test_closing_without_the_reinspection_the_policy_needs_is_refused(office, town):
    problem = _recheck(office, town)
    before = _counts()
    with pytest.raises(ValidationError) as caught:
        problem_accept(actor=office, problem=problem)
    assert "复查" in caught.value.message_dict["reinspection"][0]
    problem.refresh_from_db()
    assert problem.status == Status.CLOSURE_REQUESTED and _counts() == before
    # Returning it needs no re-inspection; accepting after a passed one does.
    problem = problem_return(actor=office, problem=problem, reason="复查未通过")
    assert problem.status == Status.RETURNED
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = SimpleUploadedFile("照片.pdf", b"%PDF-1.7 ...", content_type="application/pdf")
    problem = problem_apply_close(actor=office, problem=problem, completion="再次完成", files=[pdf])
    throwaway.passed_reinspection.add(problem.pk)
    try:
        assert problem_accept(actor=office, problem=problem).status == Status.CLOSED
    finally:
        throwaway.passed_reinspection.discard(problem.pk)


def test_closing_a_source_that_needs_evidence_without_any_is_refused(problem, department_staff):
    before = _counts()
    with pytest.raises(ValidationError) as caught:
        problem_apply_close(actor=department_staff, problem=problem, completion="已修好")
    assert "佐证材料" in caught.value.message_dict["files"][0]
    problem.refresh_from_db()
    assert problem.status == Status.IN_PROGRESS and _counts() == before


def test_the_api_lists_every_registered_source_and_refuses_a_raise_the_policy_forbids(office, inspector):
    schema = client_for(office).get("/api/openapi.json").json()
    enum = schema["components"]["schemas"]["ProblemIn"]["properties"]["source"]
    names = enum.get("enum") or schema["components"]["schemas"][enum["$ref"].split("/")[-1]]["enum"]
    assert {*Source.values, throwaway.HOTLINE} <= set(names)
    refused = client_for(office).post(
        "/api/problems",
        {"source": throwaway.HOTLINE, "category": "service", "description": "热线"},
        content_type="application/json",
    )
    assert refused.status_code == 403 and "问题来源" in refused.json()["detail"]
    made = client_for(inspector).post(
        "/api/problems",
        {"source": throwaway.HOTLINE, "category": "service", "description": "热线"},
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["number"].startswith("RX")


@time_machine.travel(NOW, tick=False)
def test_the_assign_page_and_the_api_start_from_the_sources_defaults(town, inspector, office):
    from django.urls import reverse

    made = problem_create(
        actor=inspector, source=throwaway.HOTLINE, category=Category.SERVICE, description="热线"
    )
    form = client_for(office).get(reverse("ledger:problem_assign", args=[made.pk])).context["form"]
    assert form.initial["cadence"] == Cadence.MONTHLY and form.initial["deadline_basis"] == "calendar_days"
    assigned = client_for(office).post(
        f"/api/problems/{made.pk}/assign",
        {
            "leader_id": town.leader_person.pk,
            "department_id": town.economy_dept.pk,
            "assignee_ids": [town.staff.pk],
            "deadline_days": 5,
        },
        content_type="application/json",
    )
    assert assigned.status_code == 200 and assigned.json()["deadline"] == "2026-11-30"
    made.refresh_from_db()
    assert made.cadence == Cadence.MONTHLY
