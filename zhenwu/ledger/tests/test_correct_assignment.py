"""Correcting an assignment (更正分派): the office changes owners, acceptor or deadline of an
open problem with a reason; a same-status step in the history, old values kept."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from zhenwu.core.actors import DEMO, TICK
from zhenwu.core.models import AuditEvent
from zhenwu.ledger.constants import ALLOWED_TRANSITIONS, Action, Status
from zhenwu.ledger.models import Extension, ProblemTransition
from zhenwu.ledger.selectors import problem_detail, problem_timeline
from zhenwu.ledger.services import (
    problem_accept,
    problem_apply_close,
    problem_correct_assignment,
    report_save,
)

pytestmark = pytest.mark.django_db
NOW = "2026-11-25 10:00 +0800"


def _pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("照片.pdf", b"%PDF-1.7 ...", content_type="application/pdf")


def _state(problem) -> tuple:
    problem.refresh_from_db()
    return (
        problem.status,
        problem.leader_id,
        problem.department_id,
        problem.acceptor_id,
        problem.deadline,
        sorted(problem.assignees.values_list("pk", flat=True)),
        ProblemTransition.objects.filter(problem=problem).count(),
        AuditEvent.objects.count(),
    )


def test_the_table_lists_the_same_status_step_for_owned_open_problems_only():
    for status in (
        Status.IN_PROGRESS,
        Status.LONG_TERM,
        Status.RETURNED,
        Status.REOPENED,
        Status.CLOSURE_REQUESTED,
    ):
        assert ALLOWED_TRANSITIONS[(status, Action.CORRECT)] == status
    assert (Status.PENDING, Action.CORRECT) not in ALLOWED_TRANSITIONS
    assert (Status.CLOSED, Action.CORRECT) not in ALLOWED_TRANSITIONS


@time_machine.travel(NOW, tick=False)
def test_the_office_corrects_owners_acceptor_and_deadline_and_the_old_values_are_kept(
    problem, office, leader, town
):
    report_save(actor=leader, problem=problem, progress=10, done="起步")
    problem.refresh_from_db()
    slip_before = problem.progress_slip_on
    corrected = problem_correct_assignment(
        actor=office,
        problem=problem,
        reason="分派错了部门，应由党政办牵头",
        leader=town.leader_person,
        department=town.office_dept,
        assignees=[town.other_staff],
        acceptor=town.member,
        deadline=date(2027, 3, 31),
    )
    assert corrected.status == Status.IN_PROGRESS
    assert corrected.department == town.office_dept and corrected.acceptor == town.member
    assert list(corrected.assignees.all()) == [town.other_staff]
    assert corrected.deadline == date(2027, 3, 31)
    # Not an extension: the original deadline is untouched and no extension is recorded.
    assert corrected.original_deadline == date(2026, 12, 31) and not Extension.objects.exists()
    # The slip date follows the new deadline.
    assert corrected.progress_slip_on is not None and corrected.progress_slip_on != slip_before
    step = ProblemTransition.objects.filter(problem=problem).order_by("id").last()
    assert (step.action, step.from_status, step.to_status) == (
        Action.CORRECT,
        Status.IN_PROGRESS,
        Status.IN_PROGRESS,
    )
    assert step.reason == "分派错了部门，应由党政办牵头" and step.actor == office
    assert step.changes["department"] == {"from": town.economy_dept.pk, "to": town.office_dept.pk}
    assert step.changes["assignees"] == {"from": [town.staff.pk], "to": [town.other_staff.pk]}
    assert step.changes["deadline"] == {"from": "2026-12-31", "to": "2027-03-31"}
    assert "leader" not in step.changes  # unchanged values are not listed
    event = AuditEvent.objects.get(action="problem.assignment_corrected")
    assert (
        event.before["department"] == town.economy_dept.pk
        and event.after["department"] == town.office_dept.pk
    )
    assert (
        event.before["assignees"] == [town.staff.pk]
        and event.after["reason"] == "分派错了部门，应由党政办牵头"
    )
    timeline = problem_timeline(problem_detail(problem))
    assert any(e.what == "更正分派" and "责任部门" in e.detail for e in timeline)


def test_a_problem_awaiting_acceptance_can_get_another_acceptor(problem, office, town):
    problem = problem_apply_close(actor=office, problem=problem, completion="完成", files=[_pdf()])
    corrected = problem_correct_assignment(
        actor=office, problem=problem, reason="验收人调离", acceptor=town.member
    )
    assert corrected.status == Status.CLOSURE_REQUESTED and corrected.acceptor == town.member


def test_a_correction_without_a_reason_is_refused_and_nothing_changes(problem, office, town):
    before = _state(problem)
    with pytest.raises(ValidationError) as caught:
        problem_correct_assignment(actor=office, problem=problem, reason="  ", department=town.office_dept)
    assert "更正理由" in caught.value.message_dict["reason"][0]
    assert _state(problem) == before


def test_a_correction_that_changes_nothing_or_empties_the_assignees_is_refused(problem, office, town):
    before = _state(problem)
    with pytest.raises(ValidationError, match="没有任何改动"):
        problem_correct_assignment(actor=office, problem=problem, reason="核对", department=town.economy_dept)
    with pytest.raises(ValidationError) as caught:
        problem_correct_assignment(actor=office, problem=problem, reason="核对", assignees=[])
    assert "责任人" in caught.value.message_dict["assignees"][0]
    with pytest.raises(ValidationError) as caught:
        problem_correct_assignment(actor=office, problem=problem, reason="核对", deadline=date(2026, 10, 1))
    assert "整改时限" in caught.value.message_dict["deadline"][0]
    assert _state(problem) == before


def test_a_closed_problem_cannot_be_corrected(problem, office, town):
    problem = problem_apply_close(actor=office, problem=problem, completion="完成", files=[_pdf()])
    problem = problem_accept(actor=office, problem=problem)
    before = _state(problem)
    with pytest.raises(ValidationError) as caught:
        problem_correct_assignment(actor=office, problem=problem, reason="改", department=town.office_dept)
    assert "已销号" in caught.value.message_dict["status"][0]
    assert _state(problem) == before


def test_a_pending_problem_is_assigned_not_corrected(pending, office, town):
    before = _state(pending)
    with pytest.raises(ValidationError) as caught:
        problem_correct_assignment(actor=office, problem=pending, reason="改", department=town.office_dept)
    assert "待分派" in caught.value.message_dict["status"][0]
    assert _state(pending) == before


def test_only_the_office_corrects_an_assignment(problem, leader, department_staff, inspector, town):
    before = _state(problem)
    for actor in (leader, department_staff, inspector):
        with pytest.raises(PermissionError, match="只有党政办可以更正分派"):
            problem_correct_assignment(actor=actor, problem=problem, reason="改", department=town.office_dept)
    assert _state(problem) == before


@pytest.mark.parametrize("actor", [TICK, DEMO])
def test_the_system_cannot_correct_an_assignment(problem, town, actor):
    before = _state(problem)
    with pytest.raises(PermissionError, match="不能更正分派"):
        problem_correct_assignment(actor=actor, problem=problem, reason="改", department=town.office_dept)  # type: ignore[arg-type]
    assert _state(problem) == before


def test_the_office_corrects_an_assignment_on_its_page(problem, office, leader, town):
    from django.urls import reverse

    from zhenwu.conftest import client_for

    page = client_for(office).get(reverse("ledger:problem_detail", args=[problem.pk]))
    assert reverse("ledger:correct", args=[problem.pk]) in page.content.decode()
    url = reverse("ledger:correct", args=[problem.pk])
    form = client_for(office).get(url)
    assert form.status_code == 200 and "更正理由" in form.content.decode()
    data = {
        "leader": town.leader_person.pk,
        "department": town.office_dept.pk,
        "assignees": [town.staff.pk],
        "deadline": "2026-12-31",
    }
    refused = client_for(office).post(url, {**data, "reason": ""})
    assert refused.status_code == 200 and "更正理由：不能为空" in refused.content.decode()
    problem.refresh_from_db()
    assert problem.department == town.economy_dept
    done = client_for(office).post(url, {**data, "reason": "部门分错"})
    assert done.status_code == 302
    problem.refresh_from_db()
    assert problem.department == town.office_dept and problem.status == Status.IN_PROGRESS
    # The leader sees the problem but has no button and no page.
    page = client_for(leader).get(reverse("ledger:problem_detail", args=[problem.pk]))
    assert url not in page.content.decode()
    assert client_for(leader).get(url).status_code == 404


def test_the_api_corrects_an_assignment_and_refuses_without_a_reason(problem, office, leader, town):
    from zhenwu.conftest import client_for

    url = f"/api/problems/{problem.pk}/correct"
    refused = client_for(office).post(url, {"acceptor_id": town.member.pk}, content_type="application/json")
    assert refused.status_code == 400 and "更正理由" in refused.json()["detail"]
    forbidden = client_for(leader).post(
        url, {"reason": "改", "acceptor_id": town.member.pk}, content_type="application/json"
    )
    assert forbidden.status_code == 403
    problem.refresh_from_db()
    assert problem.acceptor is None
    done = client_for(office).post(
        url,
        {
            "reason": "补充验收人",
            "acceptor_id": town.member.pk,
            "assignee_ids": [town.staff.pk, town.other_staff.pk],
        },
        content_type="application/json",
    )
    assert done.status_code == 200 and set(done.json()["assignees"]) == {"张明", "赵丽"}
    problem.refresh_from_db()
    assert problem.acceptor == town.member
