"""The office's decisions and the resident's answer, through the ledger's own services."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from zhenwu.conftest import client_for
from zhenwu.core.models import Notice
from zhenwu.ledger.constants import Source, Status
from zhenwu.ledger.followup import reopen_request_decide, satisfaction
from zhenwu.ledger.models import FollowUp, Problem, ReopenRequest
from zhenwu.suggestions import services
from zhenwu.suggestions.models import Suggestion, SuggestionFollowUp
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


def test_a_resident_answers_through_the_receipt_code_once_per_closure(
    town, office, problem, department_staff
):
    s = _linked(town, office, problem)
    assert services.follow_up_question(s) is None
    with pytest.raises(ValidationError) as caught:
        services.follow_up_submit(suggestion=s, satisfaction="satisfied")
    assert caught.value.message_dict == {"verdict": ["评价：对应问题尚未销号，暂不能评价"]}
    close(problem, department_staff, office)
    s = Suggestion.objects.get(pk=s.pk)
    assert services.follow_up_question(s) is not None
    answer = services.follow_up_submit(suggestion=s, satisfaction="basically", comment="修好了")
    # The ledger keeps the answer; the suggestion links to it.
    assert (answer.channel, answer.respondent_key, answer.closure) == ("suggestion", str(s.pk), 1)
    assert SuggestionFollowUp.objects.get().follow_up == answer and s.follow_ups.count() == 1
    assert services.follow_up_question(s) is None
    with pytest.raises(ValidationError) as caught:
        services.follow_up_submit(suggestion=s, satisfaction="satisfied")
    assert caught.value.message_dict == {"verdict": ["评价：您已对本次整改结果作出评价，不能重复评价"]}
    assert FollowUp.objects.count() == SuggestionFollowUp.objects.count() == 1


def test_a_suggestion_not_fed_into_the_ledger_is_not_asked(town, suggestion):
    assert services.follow_up_question(suggestion) is None
    with pytest.raises(ValidationError):
        services.follow_up_submit(suggestion=suggestion, satisfaction="satisfied")
    assert FollowUp.objects.count() == 0


def test_unsatisfied_becomes_a_reopen_request_the_resident_sees_decided(
    town, office, problem, department_staff
):
    s = _linked(town, office, problem)
    close(problem, department_staff, office)
    services.follow_up_submit(suggestion=s, satisfaction="unsatisfied", comment="只修了一盏")
    request = ReopenRequest.objects.get()
    # The office's notice opens the decision page of 献言献策's desk.
    assert set(Notice.objects.filter(key__startswith="reopen-request").values_list("url", flat=True)) == {
        reverse("suggestions:reopen_decide", args=[request.pk])
    }
    reopen_request_decide(actor=office, request=request, reopen=True, note="责成重新整改")
    follow = client_for(office).get(reverse("suggestions:public_follow", args=[s.receipt])).content.decode()
    assert "已重新打开整改" in follow and "责成重新整改" in follow


def test_the_rate_counts_residents_asked_who_have_not_answered(town, office, problem, department_staff):
    residents = [_linked(town, office, problem, f"路灯坏了第{i}盏没人修") for i in range(6)]
    close(problem, department_staff, office)
    for s, verdict in zip(residents, ["satisfied", "satisfied", "basically", "unsatisfied"], strict=False):
        services.follow_up_submit(suggestion=s, satisfaction=verdict)
    closed_on = Problem.objects.get(pk=problem.pk).closed_on
    result = satisfaction(closed_on, closed_on)
    assert (result.answers, result.satisfied, result.not_answered) == (4, 3, 2)
    assert result.percent == "75.0%"


def test_accepting_without_words_takes_the_residents_text_and_a_guessed_category(town, office):
    fresh = [suggestion_submit(text=t, village=town.village) for t in ("办证要跑县城好几趟", "办证太麻烦了")]
    made = services.suggestions_bulk(actor=office, suggestions=fresh, action="accept")
    assert made is not None
    assert (made.description, made.category, made.village) == ("办证要跑县城好几趟", "service", town.village)
