"""The office's decisions and the resident's answer, through the ledger's own services."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from zhenwu.conftest import client_for
from zhenwu.core.models import Notice
from zhenwu.ledger.constants import Source, Status
from zhenwu.ledger.models import Problem
from zhenwu.suggestions import services
from zhenwu.suggestions.models import Feedback, ReopenRequest, Suggestion
from zhenwu.suggestions.selectors import satisfaction
from zhenwu.suggestions.services import suggestion_submit
from zhenwu.suggestions.tests.conftest import close

pytestmark = pytest.mark.django_db


def test_accepting_makes_a_ledger_problem_from_suggestions(suggestion, office, town):
    problem = services.suggestion_accept(
        actor=office,
        suggestion=suggestion,
        description="红岩村三组路灯损坏",
        category="infrastructure",
        village=town.village,
    )
    suggestion.refresh_from_db()
    assert problem.source == Source.SUGGESTION and problem.status == Status.PENDING
    assert suggestion.status == "accepted" and suggestion.problem == problem
    assert list(problem.suggestions.all()) == [suggestion]


def test_a_decided_suggestion_cannot_be_decided_again(suggestion, office, problem):
    services.suggestion_merge(actor=office, suggestion=suggestion, problem=problem)
    with pytest.raises(ValidationError) as caught:
        services.suggestion_reply(actor=office, suggestion=suggestion, action="decline", reply="重复")
    assert caught.value.messages == ["状态：该意见建议已处理（已合并到同类问题），不能再不予受理"]


def test_only_the_office_decides(suggestion, leader, problem):
    with pytest.raises(PermissionError, match="只有党政办可以处理意见建议"):
        services.suggestion_merge(actor=leader, suggestion=suggestion, problem=problem)
    assert Suggestion.objects.get().status == "received"


def test_merging_into_a_closed_problem_is_refused(suggestion, office, problem, department_staff):
    close(problem, department_staff, office)
    with pytest.raises(ValidationError) as caught:
        services.suggestion_merge(
            actor=office, suggestion=suggestion, problem=Problem.objects.get(pk=problem.pk)
        )
    assert caught.value.message_dict["problem"] == [
        f"对应问题：{problem.number} 已销号，不能合并；请受理为新问题或直接答复"
    ]
    assert Suggestion.objects.get().status == "received"


def test_an_answer_needs_words(suggestion, office):
    with pytest.raises(ValidationError) as caught:
        services.suggestion_reply(actor=office, suggestion=suggestion, action="answer", reply="  ")
    assert caught.value.message_dict["reply"] == ["答复内容：不能为空"]


def test_bulk_is_all_or_nothing(town, office, problem):
    fresh = [suggestion_submit(text=f"路灯坏了第{i}盏", village=town.village) for i in range(3)]
    services.suggestion_reply(actor=office, suggestion=fresh[1], action="answer", reply="已转供电所")
    with pytest.raises(ValidationError):
        services.suggestions_bulk(actor=office, suggestions=fresh, action="merge", problem=problem)
    assert sorted(Suggestion.objects.values_list("status", flat=True)) == ["answered", "received", "received"]


def test_bulk_accept_makes_one_problem_of_a_cluster(town, office):
    fresh = [suggestion_submit(text=f"红岩村路灯坏了{i}", village=town.village) for i in range(3)]
    made = services.suggestions_bulk(
        actor=office, suggestions=fresh, action="accept", description="红岩村路灯损坏", category="infrastructure",
        village=town.village,
    )  # fmt: skip
    statuses = dict(Suggestion.objects.values_list("pk", "status"))
    assert statuses[fresh[0].pk] == "accepted" and statuses[fresh[1].pk] == statuses[fresh[2].pk] == "merged"
    assert made is not None and made.suggestions.count() == 3


def _linked(town, office, problem, text="路灯坏了很久没人修"):
    s = suggestion_submit(text=text, village=town.village)
    services.suggestion_merge(actor=office, suggestion=s, problem=problem)
    return s


def test_residents_answer_once_per_closure_and_only_after_it(town, office, problem, department_staff):
    s = _linked(town, office, problem)
    with pytest.raises(ValidationError) as caught:
        services.feedback_submit(suggestion=s, verdict="satisfied")
    assert caught.value.message_dict["verdict"] == ["评价：对应问题尚未销号，暂不能评价"]
    close(problem, department_staff, office)
    services.feedback_submit(suggestion=s, verdict="basically", comment="修好了")
    with pytest.raises(ValidationError) as caught:
        services.feedback_submit(suggestion=s, verdict="satisfied")
    assert caught.value.message_dict["verdict"] == ["评价：您已对本次整改结果作出评价，不能重复评价"]
    assert Feedback.objects.count() == 1


def test_unsatisfied_becomes_a_reopen_request_the_office_decides(
    town, office, problem, department_staff, admin_user
):
    s = _linked(town, office, problem)
    close(problem, department_staff, office)
    services.feedback_submit(suggestion=s, verdict="unsatisfied", comment="只修了一盏")
    request = ReopenRequest.objects.get()
    assert request.status == "pending"
    # Every office account is told, once.
    assert set(
        Notice.objects.filter(key__startswith="reopen-request").values_list("recipient", flat=True)
    ) == {
        office.pk,
        admin_user.pk,
    }
    with pytest.raises(ValidationError) as caught:
        services.reopen_decide(actor=office, request=request, reopen=False, note="")
    assert caught.value.message_dict["note"] == ["处理说明：不能为空"]
    services.reopen_decide(actor=office, request=request, reopen=True, note="责成重新整改")
    problem.refresh_from_db()
    assert problem.status == Status.REOPENED and problem.closed_on is None
    follow = client_for(office).get(reverse("suggestions:public_follow", args=[s.receipt])).content.decode()
    assert "已重新打开整改" in follow and "责成重新整改" in follow
    with pytest.raises(ValidationError):
        services.reopen_decide(actor=office, request=request, reopen=False, note="再次")


def test_a_problem_closed_again_is_asked_about_again(town, office, problem, department_staff):
    s = _linked(town, office, problem)
    close(problem, department_staff, office)
    services.feedback_submit(suggestion=s, verdict="unsatisfied")
    services.reopen_decide(actor=office, request=ReopenRequest.objects.get(), reopen=True, note="")
    close(Problem.objects.get(pk=problem.pk), department_staff, office)
    # Same day in a test, so the second closure has the same date: the key is (suggestion, 销号日期).
    Problem.objects.filter(pk=problem.pk).update(closed_on=date(2026, 12, 30))
    services.feedback_submit(suggestion=s, verdict="satisfied")
    assert Feedback.objects.count() == 2


def test_the_rate_comes_from_answers_and_shows_who_did_not_answer(town, office, problem, department_staff):
    residents = [_linked(town, office, problem, f"路灯坏了第{i}盏没人修") for i in range(6)]
    close(problem, department_staff, office)
    for s, verdict in zip(residents, ["satisfied", "satisfied", "basically", "unsatisfied"], strict=False):
        services.feedback_submit(suggestion=s, verdict=verdict)
    closed_on = Problem.objects.get(pk=problem.pk).closed_on
    result = satisfaction(closed_on, closed_on)
    assert (result.answers, result.satisfied, result.not_answered) == (4, 3, 2)
    assert result.percent == "75.0%"
    with override_settings(ZHENWU_SATISFIED_VERDICTS=["satisfied"]):
        assert satisfaction(closed_on, closed_on).percent == "50.0%"
    assert satisfaction(date(2000, 1, 1), date(2000, 1, 2)).rate is None


def test_accepting_without_words_takes_the_residents_text_and_a_guessed_category(town, office):
    fresh = [suggestion_submit(text=t, village=town.village) for t in ("办证要跑县城好几趟", "办证太麻烦了")]
    made = services.suggestions_bulk(actor=office, suggestions=fresh, action="accept")
    assert made is not None
    assert (made.description, made.category, made.village) == ("办证要跑县城好几趟", "service", town.village)
