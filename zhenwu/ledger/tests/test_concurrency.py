"""Two people accepting the same closure at the same moment: it is closed exactly once."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from zhenwu.ledger.constants import Status
from zhenwu.ledger.models import Problem, ProblemTransition
from zhenwu.ledger.services import problem_accept, problem_apply_close

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


def test_two_simultaneous_acceptances_close_once_and_refuse_the_other(problem, office, department_staff):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises writers itself")
    pdf = SimpleUploadedFile("验收.pdf", b"%PDF-1.4")
    problem_apply_close(actor=department_staff, problem=problem, completion="完成", files=[pdf])
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def accept() -> None:
        try:
            barrier.wait()
            problem_accept(actor=office, problem=Problem.objects.get(pk=problem.pk))
            outcomes.append("closed")
        except ValidationError as exc:
            outcomes.append("refused: " + exc.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=accept) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o[:6] for o in outcomes) == ["closed", "refuse"]
    assert "不能执行" in [o for o in outcomes if o.startswith("refused")][0]
    assert Problem.objects.get(pk=problem.pk).status == Status.CLOSED
    assert ProblemTransition.objects.filter(problem=problem, action="accept").count() == 1
