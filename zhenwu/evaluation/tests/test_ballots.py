"""Casting ballots: one code, one ballot; every refusal leaves the code unused and nothing stored."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from zhenwu.core.models import ThrottleHit
from zhenwu.core.throttle import Throttled, throttle_key
from zhenwu.evaluation import services
from zhenwu.evaluation.models import Answer, Ballot, PendingBallot, Survey, VotingCode
from zhenwu.evaluation.services import CODE_MISS
from zhenwu.evaluation.tests.conftest import counted, key_of, open_with_codes

pytestmark = pytest.mark.django_db


def test_a_code_casts_one_ballot_and_then_is_used(survey, office):
    codes = open_with_codes(survey, office)
    code = codes["党员代表"][0]
    key = key_of(survey)
    services.ballot_cast(code=code.lower(), marks={key: "1"}, comments={})
    assert VotingCode.objects.get(code=code).used
    # The ballot waits, sealed, for its batch: nothing readable is written with the claim.
    assert PendingBallot.objects.count() == 1 and not Ballot.objects.exists()
    with pytest.raises(ValidationError) as caught:
        services.ballot_cast(code=code, marks={key: "0"})
    assert caught.value.messages == ["测评码：该测评码已经使用过，每个测评码只能投票一次"]
    counted(survey)
    ballot = Ballot.objects.get()
    assert ballot.channel == "online" and ballot.category.name == "党员代表" and ballot.at.second == 0
    assert list(Answer.objects.values_list("level", flat=True)) == [1]
    assert not PendingBallot.objects.exists()


@pytest.mark.parametrize(
    ("marks", "message"),
    [
        ({}, "第1题：请选择一项"),
        ({"KEY": "4"}, "第1题：选项不在量表范围内"),
        ({"KEY": "-1"}, "第1题：选项不在量表范围内"),
        ({"KEY": "满意"}, "第1题：选项不在量表范围内"),
        ({"KEY": "0", "q999": "1"}, "答卷：含有不属于本测评的题目"),
    ],
)
def test_bad_ballots_are_refused_and_the_code_stays_unused(survey, office, marks, message):
    code = open_with_codes(survey, office)["党员代表"][0]
    key = key_of(survey)
    marks = {key if k == "KEY" else k: v for k, v in marks.items()}
    with pytest.raises(ValidationError) as caught:
        services.ballot_cast(code=code, marks=marks)
    assert caught.value.messages == [message]
    assert not VotingCode.objects.get(code=code).used and not PendingBallot.objects.exists()


def test_unknown_codes_and_surveys_not_open_are_refused(survey, office):
    with pytest.raises(ValidationError) as caught:
        services.ballot_cast(code="ABCD-EFGH", marks={})
    assert caught.value.messages == ["测评码：没有这个测评码，请核对后重新输入"]
    code = open_with_codes(survey, office)["党员代表"][0]
    services.survey_step(actor=office, survey=survey, action="close")
    with pytest.raises(ValidationError) as caught:
        services.ballot_cast(code=code, marks={key_of(survey): "0"})
    assert caught.value.messages == ["测评码：本次测评不在进行中（已结束）"]


def test_a_burst_of_code_guesses_is_throttled(survey, office):
    code = open_with_codes(survey, office)["党员代表"][0]
    with override_settings(ZHENWU_PUBLIC_MISSES_PER_HOUR=5):
        for _ in range(5):
            with pytest.raises(ValidationError):
                services.ballot_cast(code="ZZZZZZZZ", marks={}, ip="10.1.1.1")
        with pytest.raises(Throttled) as caught:
            services.ballot_cast(code="ZZZZZZZZ", marks={}, ip="10.1.1.1")
        # A guesser who has used up the hour gains nothing by hitting a real code: refused alike.
        with pytest.raises(Throttled):
            services.ballot_cast(code=code, marks={key_of(survey): "0"}, ip="10.1.1.1")
        services.ballot_cast(code=code, marks={key_of(survey): "0"}, ip="10.1.1.2")
    assert "输入测评码过于频繁" in str(caught.value)
    assert PendingBallot.objects.count() == 1


def test_only_the_last_hours_misses_count_against_an_address(survey, office):
    codes = open_with_codes(survey, office)["党员代表"]
    key, now = throttle_key("10.1.1.3"), timezone.now()

    def misses(minutes_ago: int) -> None:
        at = now - timedelta(minutes=minutes_ago)
        ThrottleHit.objects.bulk_create(ThrottleHit(scope=CODE_MISS, key=key, at=at) for _ in range(5))

    misses(61)
    with override_settings(ZHENWU_PUBLIC_MISSES_PER_HOUR=5):
        services.ballot_cast(code=codes[0], marks={key_of(survey): "0"}, ip="10.1.1.3")
        misses(59)
        with pytest.raises(Throttled):
            services.ballot_cast(code=codes[1], marks={key_of(survey): "0"}, ip="10.1.1.3")
    assert PendingBallot.objects.count() == 1 and not VotingCode.objects.get(code=codes[1]).used


def test_every_row_is_stored_with_its_subject_and_the_comment_once(team_review, office):
    services.question_add(
        actor=office, survey=team_review, text="对班子成员的评价", scale=team_review.questions.first().scale,
        subjects="甲\n乙\n丙", allow_comment=True,
    )  # fmt: skip
    code = open_with_codes(team_review, office)["党员代表"][0]
    rows = services.ballot_rows(Survey.objects.get(pk=team_review.pk))
    question = rows[-1].question
    marks = {row.key: "1" for row in rows}
    first = rows[0].question
    comments = {f"c{question.pk}": "希望多下村", f"c{first.pk}": "这题不收意见"}
    services.ballot_cast(code=code, marks=marks, comments=comments)
    counted(team_review)
    ballot = Ballot.objects.get()
    assert ballot.uniform and ballot.category.name == "党员代表"
    stored = {(a.question_id, a.subject_id): (a.level, a.comment) for a in ballot.answers.all()}
    assert len(stored) == len(rows)
    subjects = [row.subject for row in rows if row.question == question]
    assert [s.label for s in subjects] == ["甲", "乙", "丙"]
    assert [stored[(question.pk, s.pk)] for s in subjects] == [(1, "希望多下村"), (1, ""), (1, "")]
    assert not first.allow_comment and stored[(first.pk, rows[0].subject.pk)] == (1, "")
    assert all(a.survey_id == team_review.pk for a in ballot.answers.all())


def test_a_survey_closed_between_looking_up_and_casting_takes_no_ballot(survey, office):
    code = open_with_codes(survey, office)["党员代表"][0]
    found = services.code_lookup(code, ip=None)
    services.survey_step(actor=office, survey=survey, action="close")
    with pytest.raises(ValidationError) as caught:
        services.ballot_cast_for(found, marks={key_of(survey): "0"})
    assert caught.value.messages == ["测评码：本次测评已结束"]
    assert not VotingCode.objects.get(code=code).used and not PendingBallot.objects.exists()


def test_questions_are_frozen_once_open(survey, office):
    open_with_codes(survey, office)
    scale = survey.questions.get().scale
    with pytest.raises(ValidationError) as caught:
        services.question_add(actor=office, survey=survey, text="新题", scale=scale)
    assert caught.value.messages == ["题目：测评已开始，题目和量表不能再修改"]
    with pytest.raises(ValidationError):
        services.question_delete(actor=office, question=survey.questions.get())
    assert Survey.objects.get(pk=survey.pk).questions.count() == 1


def test_the_phone_page_votes_and_refuses_a_second_vote(survey, office):
    code = open_with_codes(survey, office)["党员代表"][0]
    client = Client()
    page = client.post(reverse("evaluation:vote"), {"code": code})
    body = page.content.decode()
    assert page.status_code == 200 and "满意" in body and "不记名" in body
    key = key_of(survey)
    cast = client.post(reverse("evaluation:vote_cast"), {"code": code, key: "0"})
    assert cast.status_code == 302 and cast["Location"] == reverse("evaluation:vote_done")
    done = client.get(cast["Location"])  # a refresh of this page posts nothing
    assert done.status_code == 200 and "投票已提交" in done.content.decode()
    again = client.post(reverse("evaluation:vote"), {"code": code})
    assert again.status_code == 400 and "已经使用过" in again.content.decode()


def test_a_missing_answer_on_the_phone_page_is_named_and_nothing_is_stored(survey, office):
    code = open_with_codes(survey, office)["党员代表"][0]
    response = Client().post(reverse("evaluation:vote_cast"), {"code": code})
    assert response.status_code == 400 and "第1题：请选择一项" in response.content.decode()
    assert not PendingBallot.objects.exists() and not VotingCode.objects.get(code=code).used


def test_the_office_extends_the_scale_library(office):
    scale = services.scale_create(
        actor=office, name="很好/好/一般/差", levels="很好\n好\n一般\n差", satisfied=2, good=1
    )
    assert [level["satisfied"] for level in scale.levels] == [True, True, False, False]
    with pytest.raises(ValidationError) as caught:
        services.scale_create(actor=office, name="单一", levels="好", satisfied=1, good=1)
    assert caught.value.messages == ["等级：每行一个，2至7个"]
    with pytest.raises(ValidationError) as caught:
        services.scale_create(actor=office, name="很好/好/一般/差", levels="甲\n乙", satisfied=1, good=1)
    assert caught.value.messages == ["量表名称：“很好/好/一般/差”已存在"]
    with pytest.raises(ValidationError) as caught:
        services.scale_create(actor=office, name="新", levels="甲\n乙", satisfied=3, good=1)
    assert caught.value.messages == ["计入满意的等级数：应在0至2之间"]


def test_survey_page_forms_name_the_field_they_refuse(survey, office):
    from zhenwu.conftest import client_for

    client = client_for(office)
    url = reverse("evaluation:category_save", args=[survey.pk])
    page = client.post(url, {"name": "党员代表", "expected": "-1"}, follow=True).content.decode()
    assert "应到人数：不能小于0" in page
    page = client.post(
        reverse("evaluation:codes", args=[survey.pk]), {"count": "5"}, follow=True
    ).content.decode()
    assert "类别：请选择" in page and not VotingCode.objects.exists()
