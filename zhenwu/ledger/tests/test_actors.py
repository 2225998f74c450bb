"""Actors are typed: a bare string passes no check, the system is refused on people's paths,
and the past (an import, the demo's history) is recorded through the same services and table."""

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from zhenwu.core.actors import DEMO, IMPORT, RESIDENT, TICK
from zhenwu.core.audit import audit_record
from zhenwu.core.models import AuditEvent
from zhenwu.ledger.constants import Action, Category, Source, Status
from zhenwu.ledger.models import Problem, ProblemTransition, ProgressReport
from zhenwu.ledger.services import (
    problem_accept,
    problem_apply_close,
    problem_assign,
    problem_create,
    problem_record_step,
    problem_return,
    report_save,
)

pytestmark = pytest.mark.django_db
NOW = "2026-11-25 10:00 +0800"
TZ = ZoneInfo("Asia/Shanghai")


def _state(problem: Problem) -> tuple:
    problem.refresh_from_db()
    return (
        problem.status,
        ProblemTransition.objects.filter(problem=problem).count(),
        ProgressReport.objects.count(),
        AuditEvent.objects.count(),
    )


def test_a_bare_string_is_not_an_actor(db):
    with transaction.atomic(), pytest.raises(TypeError, match="SystemActor"):
        audit_record(actor="党政办", action="test.event")  # type: ignore[arg-type]
    assert not AuditEvent.objects.exists()


def test_a_bare_string_passes_no_permission_check(pending, town):
    before = _state(pending)
    with pytest.raises(PermissionError):
        problem_create(
            actor="import-ledger", source=Source.SELF_CHECK, category=Category.OTHER, description="x"
        )  # type: ignore[arg-type]
    with pytest.raises(PermissionError):
        problem_assign(
            actor="tick",  # type: ignore[arg-type]
            problem=pending,
            leader=town.leader_person,
            department=town.economy_dept,
            assignees=[town.staff],
            deadline=date(2026, 12, 31),
        )
    assert _state(pending) == before


def test_a_system_actor_is_labelled_by_its_key_and_shown_by_its_name(db):
    from zhenwu.core.actors import label_for_key

    with transaction.atomic():
        event = audit_record(actor=TICK, action="test.event")
    assert event.actor_label == "tick" and event.actor is None
    assert label_for_key("tick") == "定时任务" and label_for_key("someone") == "someone"


def test_the_tick_cannot_assign(pending, town):
    before = _state(pending)
    with pytest.raises(PermissionError, match="党政办"):
        problem_assign(
            actor=TICK,
            problem=pending,
            leader=town.leader_person,
            department=town.economy_dept,
            assignees=[town.staff],
            deadline=date(2026, 12, 31),
        )
    assert _state(pending) == before


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("actor", [TICK, IMPORT, DEMO, RESIDENT])
def test_report_save_refuses_a_system_actor(problem, actor):
    before = _state(problem)
    with pytest.raises(PermissionError, match="不能填报进度"):
        report_save(actor=actor, problem=problem, progress=10, done="x")  # type: ignore[arg-type]
    assert _state(problem) == before


@pytest.mark.parametrize("actor", [TICK, IMPORT, DEMO])
def test_apply_close_refuses_a_system_actor(problem, actor):
    before = _state(problem)
    pdf = SimpleUploadedFile("照片.pdf", b"%PDF-1.7 ...", content_type="application/pdf")
    with pytest.raises(PermissionError, match="不能申请销号"):
        problem_apply_close(actor=actor, problem=problem, completion="完成", files=[pdf])  # type: ignore[arg-type]
    assert _state(problem) == before


@pytest.mark.parametrize("actor", [TICK, IMPORT, DEMO])
def test_accept_and_return_refuse_a_system_actor(problem, office, actor):
    pdf = SimpleUploadedFile("照片.pdf", b"%PDF-1.7 ...", content_type="application/pdf")
    problem = problem_apply_close(actor=office, problem=problem, completion="完成", files=[pdf])
    before = _state(problem)
    with pytest.raises(PermissionError, match="不能验收销号"):
        problem_accept(actor=actor, problem=problem)  # type: ignore[arg-type]
    with pytest.raises(PermissionError, match="不能退回"):
        problem_return(actor=actor, problem=problem, reason="x")  # type: ignore[arg-type]
    assert _state(problem) == before


@time_machine.travel(NOW, tick=False)
def test_the_past_is_recorded_at_its_own_moments_through_the_table(town):
    made = problem_create(
        actor=IMPORT,
        source=Source.SUPERIOR,
        category=Category.OTHER,
        description="上级交办",
        at=datetime(2026, 9, 1, 9, tzinfo=TZ),
    )
    assert made.created_at == datetime(2026, 9, 1, 9, tzinfo=TZ)
    problem = problem_assign(
        actor=IMPORT,
        problem=made,
        leader=town.leader_person,
        department=town.economy_dept,
        assignees=[town.staff],
        deadline=date(2026, 10, 31),
        assigned_on=date(2026, 9, 2),
        at=datetime(2026, 9, 2, 9, tzinfo=TZ),
    )
    closed_at = datetime(2026, 10, 20, 17, tzinfo=TZ)
    for action in (Action.APPLY_CLOSE, Action.ACCEPT):
        problem = problem_record_step(
            actor=IMPORT, problem=problem, action=action, at=closed_at, reason="原台账"
        )
    assert problem.status == Status.CLOSED and problem.closed_on == date(2026, 10, 20)
    steps = list(problem.transitions.values_list("action", "at"))
    assert steps == [
        ("assign", datetime(2026, 9, 2, 9, tzinfo=TZ)),
        ("apply_close", closed_at),
        ("accept", closed_at),
    ]


@time_machine.travel(NOW, tick=False)
def test_recording_the_past_is_for_the_importer_and_the_demo_and_never_the_future(problem, leader):
    before = _state(problem)
    past = datetime(2026, 11, 20, 15, tzinfo=TZ)
    for actor in (TICK, RESIDENT, leader):
        with pytest.raises(PermissionError):
            problem_record_step(actor=actor, problem=problem, action=Action.APPLY_CLOSE, at=past)
    with pytest.raises(ValidationError) as caught:
        problem_record_step(
            actor=DEMO,
            problem=problem,
            action=Action.APPLY_CLOSE,
            at=datetime.combine(date(2026, 12, 1), time(9), TZ),
        )
    assert "办理时间" in caught.value.message_dict["at"][0]
    with pytest.raises(ValidationError) as caught:
        problem_record_step(
            actor=DEMO, problem=problem, action=Action.APPLY_CLOSE, at=datetime(2026, 1, 5, 9, tzinfo=TZ)
        )
    assert "不能早于上一步" in caught.value.message_dict["at"][0]
    with pytest.raises(ValidationError, match="只能补录"):
        problem_record_step(actor=DEMO, problem=problem, action=Action.REOPEN, at=past)
    assert _state(problem) == before


def test_only_the_one_step_writes_history():
    """grep: the engine builds ProblemTransition rows in one place, _transition (saved one by one
    by _step, or inserted in bulk by problems_import); nothing else creates them."""
    root = Path(__file__).resolve().parents[2]
    hits = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "/tests/" not in str(path)
        and "ProblemTransition.objects.create" in path.read_text(encoding="utf-8")
    ]
    assert hits == []
    services = (root / "ledger/services.py").read_text(encoding="utf-8")
    assert services.count("ProblemTransition(") == 1
    assert services.count("insert_rows(ProblemTransition") == 1
