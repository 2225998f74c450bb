"""回访: the engine's follow-up step after closure, for any channel a module registers.

The tests register a throw-away channel ("an applicant" of a module still to come), so the
loop is shown to need nothing from 献言献策; the suggestions' receipt-code pages are tested
in suggestions/tests.
"""

from __future__ import annotations

import importlib
import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from zhenwu.core.actors import IMPORT, RESIDENT, TICK
from zhenwu.core.models import AuditEvent, Notice
from zhenwu.ledger.constants import ReopenStatus, Status
from zhenwu.ledger.followup import (
    CHANNELS,
    Channel,
    current_closure,
    followup_askable,
    followup_submit,
    register_channel,
    reopen_request_decide,
    satisfaction,
    unanswered_count,
)
from zhenwu.ledger.models import FollowUp, Problem, ProblemTransition, ReopenRequest
from zhenwu.ledger.services import problem_accept, problem_apply_close, problem_reopen

pytestmark = pytest.mark.django_db
CH = "test_applicant"


@pytest.fixture(autouse=True)
def channel():
    """A channel of a module still to come: it asks, about each of its problems, two applicants."""
    made = register_channel(Channel(key=CH, label="测试渠道"))
    yield made
    CHANNELS.pop(CH, None)


def close(problem: Problem, staff, office) -> Problem:
    pdf = SimpleUploadedFile("验收.pdf", b"%PDF-1.4 closure")
    problem_apply_close(
        actor=staff, problem=Problem.objects.get(pk=problem.pk), completion="已修复", files=[pdf]
    )
    return problem_accept(actor=office, problem=Problem.objects.get(pk=problem.pk))


def answer(problem: Problem, satisfaction_: str = "satisfied", key: str = "1", **extra) -> FollowUp:
    return followup_submit(
        actor=extra.pop("actor", RESIDENT), problem=problem, channel=extra.pop("channel", CH),
        respondent_key=key, satisfaction=satisfaction_, **extra,
    )  # fmt: skip


def _nothing_stored() -> bool:
    return not FollowUp.objects.exists() and not ReopenRequest.objects.exists()


def test_an_open_problem_is_not_asked_about_and_an_answer_is_refused(problem):
    assert current_closure(problem) is None
    assert followup_askable(problem=problem, channel=CH, respondent_key="1") is None
    with pytest.raises(ValidationError) as caught:
        answer(problem)
    assert caught.value.message_dict == {"satisfaction": ["评价：对应问题尚未销号，暂不能评价"]}
    assert _nothing_stored()


def test_a_respondent_answers_once_per_closure_and_the_answer_is_audited(problem, office, department_staff):
    closed = close(problem, department_staff, office)
    assert followup_askable(problem=closed, channel=CH, respondent_key="1") == current_closure(closed)
    made = answer(closed, "basically", comment="  修好了 ")
    assert (made.closure, made.closed_on, made.comment) == (1, closed.closed_on, "修好了")
    assert followup_askable(problem=closed, channel=CH, respondent_key="1") is None
    event = AuditEvent.objects.filter(action="suggestion.feedback").get()
    assert event.actor_label == "resident" and event.after == {
        "satisfaction": "basically", "channel": CH, "closure": 1,
    }  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        answer(closed, "satisfied")
    assert caught.value.message_dict == {"satisfaction": ["评价：您已对本次整改结果作出评价，不能重复评价"]}
    assert FollowUp.objects.get().satisfaction == "basically"
    # Another respondent, or the same key in another channel, is someone else.
    answer(closed, "satisfied", key="2")
    register_channel(Channel(key="other", label="另一渠道"))
    try:
        answer(closed, "satisfied", channel="other")
    finally:
        CHANNELS.pop("other")
    assert FollowUp.objects.count() == 3


def test_a_problem_closed_again_the_same_day_is_asked_about_again(problem, office, department_staff):
    closed = close(problem, department_staff, office)
    first = answer(closed, "unsatisfied")
    problem_reopen(actor=office, problem=closed, reason="群众不满意")
    assert (
        followup_askable(problem=Problem.objects.get(pk=problem.pk), channel=CH, respondent_key="1") is None
    )
    again = close(problem, department_staff, office)
    assert again.closed_on == first.closed_on  # same date: the closure counter tells them apart
    assert followup_askable(problem=again, channel=CH, respondent_key="1") is not None
    second = answer(again, "satisfied")
    assert (first.closure, second.closure) == (1, 2)


@pytest.mark.parametrize(
    ("satisfaction_", "comment", "field"),
    [("great", "", "satisfaction"), ("", "", "satisfaction"), ("satisfied", "太" * 501, "comment")],
)
def test_bad_answers_are_refused_naming_the_field(
    problem, office, department_staff, satisfaction_, comment, field
):
    closed = close(problem, department_staff, office)
    with pytest.raises(ValidationError) as caught:
        answer(closed, satisfaction_, comment=comment)
    assert list(caught.value.message_dict) == [field]
    assert caught.value.message_dict[field][0].startswith(("评价：", "意见："))
    assert _nothing_stored()


@pytest.mark.parametrize("who", ["office", "tick", "import"])
def test_only_a_resident_answers(problem, office, department_staff, who):
    closed = close(problem, department_staff, office)
    actor = {"office": office, "tick": TICK, "import": IMPORT}[who]
    with pytest.raises(PermissionError):
        answer(closed, actor=actor)
    assert _nothing_stored()


def test_an_unregistered_channel_is_a_programming_error(problem, office, department_staff):
    closed = close(problem, department_staff, office)
    with pytest.raises(ValueError, match="not registered"):
        answer(closed, channel="nobody")
    assert _nothing_stored()


def test_unsatisfied_opens_a_request_the_office_decides_once(problem, office, department_staff, admin_user):
    closed = close(problem, department_staff, office)
    made = answer(closed, "unsatisfied", comment="只修了一盏")
    request = ReopenRequest.objects.get()
    assert (request.follow_up, request.problem, request.status) == (made, closed, ReopenStatus.PENDING)
    # The town's office accounts are told once (not the administrator, the county's role);
    # a channel without a desk links to the problem.
    notices = Notice.objects.filter(key__startswith="reopen-request")
    assert set(notices.values_list("recipient", flat=True)) == {office.pk}
    assert admin_user.pk not in set(notices.values_list("recipient", flat=True))
    assert set(notices.values_list("url", flat=True)) == {reverse("ledger:problem_detail", args=[problem.pk])}

    with pytest.raises(PermissionError):
        reopen_request_decide(actor=department_staff, request=request, reopen=True, note="")
    with pytest.raises(ValidationError) as caught:
        reopen_request_decide(actor=office, request=request, reopen=False, note=" ")
    assert caught.value.message_dict == {"note": ["处理说明：不能为空"]}
    with pytest.raises(ValidationError) as caught:
        reopen_request_decide(actor=office, request=request, reopen=True, note="长" * 2001)
    assert list(caught.value.message_dict) == ["note"]
    request.refresh_from_db()
    assert (
        request.status == ReopenStatus.PENDING and Problem.objects.get(pk=problem.pk).status == Status.CLOSED
    )
    assert not AuditEvent.objects.filter(action="suggestion.reopen_decided").exists()

    reopen_request_decide(actor=office, request=request, reopen=True, note="责成重新整改")
    reopened = Problem.objects.get(pk=problem.pk)
    assert reopened.status == Status.REOPENED and reopened.closed_on is None
    step = ProblemTransition.objects.filter(problem=problem, action="reopen").get()
    assert step.reason == "群众评价不满意：只修了一盏 责成重新整改"
    request.refresh_from_db()
    assert (request.status, request.decided_by, request.note) == (
        ReopenStatus.REOPENED,
        office,
        "责成重新整改",
    )
    assert AuditEvent.objects.filter(action="suggestion.reopen_decided").count() == 1
    with pytest.raises(ValidationError) as caught:
        reopen_request_decide(actor=office, request=request, reopen=False, note="再次")
    assert list(caught.value.message_dict) == ["status"]
    assert ProblemTransition.objects.filter(problem=problem, action="reopen").count() == 1


def test_keeping_the_closure_says_why_and_leaves_the_problem_closed(problem, office, department_staff):
    closed = close(problem, department_staff, office)
    answer(closed, "unsatisfied")
    kept = reopen_request_decide(
        actor=office, request=ReopenRequest.objects.get(), reopen=False, note="剩余路段属县公路局管养"
    )
    assert kept.status == ReopenStatus.KEPT and kept.decided_at is not None
    assert Problem.objects.get(pk=problem.pk).status == Status.CLOSED


def test_a_problem_reopened_by_hand_meanwhile_is_not_stepped_twice(problem, office, department_staff):
    closed = close(problem, department_staff, office)
    answer(closed, "unsatisfied")
    problem_reopen(actor=office, problem=closed, reason="复查发现问题")
    reopen_request_decide(actor=office, request=ReopenRequest.objects.get(), reopen=True, note="")
    assert ProblemTransition.objects.filter(problem=problem, action="reopen").count() == 1
    assert ReopenRequest.objects.get().status == ReopenStatus.REOPENED


def test_the_rate_is_satisfied_answers_over_answers_about_closures_in_the_period(
    problem, office, department_staff, channel
):
    closed = close(problem, department_staff, office)
    for key, said in zip("1234", ["satisfied", "satisfied", "basically", "unsatisfied"], strict=True):
        answer(closed, said, key=key)
    day = closed.closed_on
    result = satisfaction(day, day)
    assert (result.answers, result.satisfied, result.not_answered) == (4, 3, 0)
    assert result.percent == "75.0%" and result.rows()[2] == ("unsatisfied", "不满意", 1)
    with override_settings(ZHENWU_SATISFIED_VERDICTS=["satisfied"]):
        assert satisfaction(day, day).percent == "50.0%"
    assert satisfaction(date(2000, 1, 1), date(2000, 1, 2)).rate is None
    # A channel that says who it asked adds its unanswered respondents (not to the denominator).
    register_channel(Channel(key=CH, label="测试渠道", unanswered=lambda start, end: 5))
    assert (satisfaction(day, day).not_answered, satisfaction(day, day).asked) == (5, 9)


def test_unanswered_counts_respondents_of_the_current_closure(problem, office, department_staff):
    # Respondents are a module's rows with a problem and their pk as the key; any ledger row
    # with a problem stands in for them here (the problem's assignment step).
    respondents = ProblemTransition.objects.filter(problem=problem, action="assign")
    key = str(respondents.get().pk)
    closed = close(problem, department_staff, office)
    day = timezone.localdate()

    def count() -> int:
        return unanswered_count(respondents, channel=CH, start=day, end=day)

    assert count() == 1
    answer(closed, "unsatisfied", key=key)
    assert count() == 0
    problem_reopen(actor=office, problem=closed, reason="群众不满意")
    assert count() == 0  # open again: nobody is asked
    close(problem, department_staff, office)
    assert count() == 1  # closed again: asked again
    assert unanswered_count(respondents, channel=CH, start=date(2000, 1, 1), end=date(2000, 1, 2)) == 0


# ---------------------------------------------------------------------------------------
# At the same moment (PostgreSQL's row locks; SQLite serialises writers itself)


def _at_once(act, n: int = 2) -> list[str]:
    barrier = threading.Barrier(n)
    outcomes: list[str] = []

    def run() -> None:
        try:
            barrier.wait()
            act()
            outcomes.append("done")
        except ValidationError as exc:
            outcomes.append("refused: " + exc.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_same_answer_and_decision_sent_twice_at_once_are_stored_once(problem, office, department_staff):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises writers itself")
    closed = close(problem, department_staff, office)
    answered = _at_once(lambda: answer(closed, "unsatisfied"))
    assert answered == ["done", "refused: 评价：您已对本次整改结果作出评价，不能重复评价"]
    assert FollowUp.objects.count() == ReopenRequest.objects.count() == 1
    request = ReopenRequest.objects.get()
    decided = _at_once(lambda: reopen_request_decide(actor=office, request=request, reopen=True, note=""))
    assert decided[0] == "done" and decided[1].startswith("refused: 状态：")
    assert ProblemTransition.objects.filter(problem=problem, action="reopen").count() == 1


# ---------------------------------------------------------------------------------------
# The data migration that moved the old suggestions answers into these tables

copy = importlib.import_module("zhenwu.suggestions.migrations.0003_followup_copy")


def test_old_answers_are_numbered_by_the_closure_of_their_date():
    days = {7: [date(2026, 3, 1), date(2026, 5, 2), date(2026, 5, 2)]}
    rows = [
        {"id": 1, "suggestion_id": 10, "problem_id": 7, "closed_on": date(2026, 3, 1)},
        {"id": 2, "suggestion_id": 11, "problem_id": 7, "closed_on": date(2026, 5, 2)},
        {"id": 3, "suggestion_id": 10, "problem_id": 7, "closed_on": date(2026, 5, 2)},
        # No step on its date (an edited 销号日期): the closures up to it; never before the first.
        {"id": 4, "suggestion_id": 12, "problem_id": 7, "closed_on": date(2026, 4, 1)},
        {"id": 5, "suggestion_id": 12, "problem_id": 8, "closed_on": date(2026, 1, 1)},
        # Two answers of one resident were two closures, even when the dates say otherwise.
        {"id": 6, "suggestion_id": 13, "problem_id": 8, "closed_on": date(2026, 2, 1)},
        {"id": 7, "suggestion_id": 13, "problem_id": 8, "closed_on": date(2026, 2, 2)},
    ]
    assert copy.number_closures(rows, days) == {1: 1, 2: 3, 3: 3, 4: 1, 5: 1, 6: 1, 7: 2}


@pytest.mark.django_db(transaction=True)
def test_the_copy_moves_old_answers_and_requests_into_the_ledger_keeping_their_ids(
    problem, office, department_staff
):
    from zhenwu.suggestions.models import SuggestionFollowUp
    from zhenwu.suggestions.services import suggestion_submit

    closed = close(problem, department_staff, office)
    resident = suggestion_submit(text="路灯坏了很久没人修", village=problem.village)
    state = MigrationLoader(connection).project_state(("suggestions", "0003_followup_copy"))
    OldFeedback = state.apps.get_model("suggestions", "Feedback")
    OldRequest = state.apps.get_model("suggestions", "ReopenRequest")
    with connection.schema_editor() as editor:  # the old tables, as 0002 left them
        editor.create_model(OldFeedback)
        editor.create_model(OldRequest)
    try:
        at = timezone.now()
        OldFeedback.objects.create(
            id=41, suggestion_id=resident.pk, problem_id=closed.pk, closed_on=closed.closed_on,
            verdict="unsatisfied", comment="只修了一盏", at=at,
        )  # fmt: skip
        old = OldRequest.objects.create(
            id=9, feedback_id=41, problem_id=closed.pk, status="kept", note="已说明",
            decided_by_id=office.pk, decided_at=at,
        )  # fmt: skip
        OldRequest.objects.filter(pk=9).update(created_at=date(2026, 1, 5).isoformat() + "T00:00:00Z")
        old.refresh_from_db()
        with connection.schema_editor() as editor:
            copy.copy_forward(state.apps, editor)
        moved = FollowUp.objects.get()
        assert (moved.pk, moved.problem_id, moved.closure, moved.closed_on) == (
            41,
            closed.pk,
            1,
            closed.closed_on,
        )
        assert (moved.channel, moved.respondent_key, moved.satisfaction, moved.comment, moved.at) == (
            "suggestion", str(resident.pk), "unsatisfied", "只修了一盏", at,
        )  # fmt: skip
        assert SuggestionFollowUp.objects.get().follow_up_id == 41
        request = ReopenRequest.objects.get()
        assert (request.pk, request.follow_up_id, request.status, request.note) == (9, 41, "kept", "已说明")
        assert (request.decided_by_id, request.created_at) == (office.pk, old.created_at)
        # New rows get ids after the copied ones (PostgreSQL's sequences were moved on).
        assert answer(closed, key="2").pk > 41
    finally:
        with connection.schema_editor() as editor:
            editor.delete_model(OldRequest)
            editor.delete_model(OldFeedback)
