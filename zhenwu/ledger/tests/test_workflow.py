"""Table-driven walk over every allowed and refused step of the state machine."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from zhenwu.core.models import AuditEvent
from zhenwu.ledger.constants import ALLOWED_TRANSITIONS, Action, Status
from zhenwu.ledger.models import ProblemTransition
from zhenwu.ledger.services import (
    problem_accept,
    problem_apply_close,
    problem_correct_assignment,
    problem_reopen,
    problem_return,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 evidence"


def _evidence():
    return [SimpleUploadedFile("验收照片.pdf", PDF, content_type="application/pdf")]


def _do(action, problem, office):
    if action == Action.APPLY_CLOSE:
        return problem_apply_close(actor=office, problem=problem, completion="道路已硬化", files=_evidence())
    if action == Action.ACCEPT:
        return problem_accept(actor=office, problem=problem)
    if action == Action.RETURN:
        return problem_return(actor=office, problem=problem, reason="照片不清楚")
    if action == Action.REOPEN:
        return problem_reopen(actor=office, problem=problem, reason="群众反映仍有积水")
    if action == Action.CORRECT:
        return problem_correct_assignment(
            actor=office, problem=problem, reason="更正验收人", acceptor=problem.leader
        )
    raise AssertionError(action)


# Paths that bring a fresh (in_progress) problem to each status.
ROUTES = {
    Status.IN_PROGRESS: [],
    Status.CLOSURE_REQUESTED: [Action.APPLY_CLOSE],
    Status.RETURNED: [Action.APPLY_CLOSE, Action.RETURN],
    Status.CLOSED: [Action.APPLY_CLOSE, Action.ACCEPT],
    Status.REOPENED: [Action.APPLY_CLOSE, Action.ACCEPT, Action.REOPEN],
}
ACTIONS = [Action.APPLY_CLOSE, Action.ACCEPT, Action.RETURN, Action.REOPEN, Action.CORRECT]


@pytest.mark.parametrize("start", sorted(ROUTES))
@pytest.mark.parametrize("action", ACTIONS)
def test_each_step_is_allowed_exactly_when_the_table_says(problem, office, start, action):
    for step in ROUTES[start]:
        problem = _do(step, problem, office)
    assert problem.status == start
    expected = ALLOWED_TRANSITIONS.get((start, action))
    history = ProblemTransition.objects.filter(problem=problem).count()
    events = AuditEvent.objects.count()
    if expected is None:
        with pytest.raises(ValidationError) as caught:
            _do(action, problem, office)
        assert "不能执行" in str(caught.value)
        problem.refresh_from_db()
        assert problem.status == start
        assert ProblemTransition.objects.filter(problem=problem).count() == history
        assert AuditEvent.objects.count() == events
    else:
        assert _do(action, problem, office).status == expected
        assert ProblemTransition.objects.filter(problem=problem).count() == history + 1
        assert AuditEvent.objects.count() > events


def test_a_pending_problem_cannot_be_closed(pending, office):
    with pytest.raises(ValidationError, match="待分派"):
        _do(Action.APPLY_CLOSE, pending, office)


def test_the_history_records_who_moved_it_and_why(problem, office):
    _do(Action.APPLY_CLOSE, problem, office)
    _do(Action.RETURN, problem, office)
    steps = list(
        ProblemTransition.objects.filter(problem=problem).values_list("action", "to_status", "reason")
    )
    assert steps[-1] == ("return", "returned", "照片不清楚")
    assert steps[0][:2] == ("assign", "in_progress")
