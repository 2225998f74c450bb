"""Paper double entry, the tally against a hand count, publishing, and the 人大 verdict."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from zhenwu.evaluation import services
from zhenwu.evaluation.models import Ballot, PaperSheet, PendingBallot, Survey
from zhenwu.evaluation.results import results_for, tally
from zhenwu.evaluation.tests.conftest import counted, key_of, open_with_codes

pytestmark = pytest.mark.django_db


def test_two_matching_keyings_count_a_paper_ballot(survey, office, clerks):
    open_with_codes(survey, office)
    key, category = key_of(survey), survey.categories.first()
    a, b, _c = clerks
    services.paper_enter(actor=a, survey=survey, category=category, sheet_no=7, marks={key: "2"})
    assert not PendingBallot.objects.exists()  # one keying counts nothing
    with pytest.raises(ValidationError) as caught:
        services.paper_enter(actor=a, survey=survey, category=category, sheet_no=7, marks={key: "2"})
    assert caught.value.messages == ["票号：7 的第二遍须由另一名录入员录入"]
    sheet = services.paper_enter(actor=b, survey=survey, category=category, sheet_no=7, marks={key: "2"})
    assert sheet.status == "matched"
    assert PendingBallot.objects.count() == 1  # counted: its ballot waits for its batch
    counted(survey)
    ballot = Ballot.objects.get()
    assert ballot.channel == "paper" and list(ballot.answers.values_list("level", flat=True)) == [2]
    with pytest.raises(ValidationError) as caught:
        services.paper_enter(actor=b, survey=survey, category=category, sheet_no=7, marks={key: "1"})
    assert "已录入两遍" in caught.value.messages[0]


def test_a_mismatch_waits_for_a_third_person(survey, office, clerks):
    open_with_codes(survey, office)
    key, category = key_of(survey), survey.categories.first()
    a, b, c = clerks
    services.paper_enter(actor=a, survey=survey, category=category, sheet_no=1, marks={key: "0"})
    sheet = services.paper_enter(actor=b, survey=survey, category=category, sheet_no=1, marks={key: "3"})
    assert sheet.status == "mismatch" and not PendingBallot.objects.exists()
    with pytest.raises(ValidationError) as caught:
        services.paper_resolve(actor=a, sheet=sheet, category=category, marks={key: "0"})
    assert caught.value.messages == ["票号：核对须由两名录入员以外的人完成"]
    services.paper_resolve(actor=c, sheet=sheet, category=category, marks={key: "0"})
    assert PaperSheet.objects.get().status == "reconciled"
    counted(survey)
    assert list(Ballot.objects.get().answers.values_list("level", flat=True)) == [0]


def test_blank_rows_void_only_that_row_and_a_void_ballot_needs_a_reason(team_review, office, clerks):
    open_with_codes(team_review, office)
    category = team_review.categories.first()
    a, b, _c = clerks
    team_key = key_of(team_review, 0)
    services.paper_enter(actor=a, survey=team_review, category=category, sheet_no=1, marks={team_key: "1"})
    services.paper_enter(actor=b, survey=team_review, category=category, sheet_no=1, marks={team_key: "1"})
    counted(team_review)
    ballot = Ballot.objects.get()
    levels = list(
        ballot.answers.order_by("subject__question__order", "subject__order").values_list("level", flat=True)
    )
    assert levels[0] == 1 and levels[1:] == [None] * (len(levels) - 1)  # the unmarked leaders' rows are void
    with pytest.raises(ValidationError) as caught:
        services.paper_enter(actor=a, survey=team_review, category=category, sheet_no=2, marks={}, void=True)
    assert caught.value.messages == ["废票原因：标为废票须写明原因"]
    services.paper_enter(
        actor=a, survey=team_review, category=category, sheet_no=2, marks={}, void=True, void_reason="有签名"
    )
    services.paper_enter(
        actor=b, survey=team_review, category=category, sheet_no=2, marks={}, void=True, void_reason="有签名"
    )
    counted(team_review)
    void = Ballot.objects.get(void=True)
    assert void.void_reason == "有签名" and not void.answers.exists()


def test_paper_cannot_be_keyed_into_a_closed_survey(survey, office, clerks):
    open_with_codes(survey, office)
    services.survey_step(actor=office, survey=survey, action="close")
    with pytest.raises(ValidationError) as caught:
        services.paper_enter(
            actor=clerks[0], survey=survey, category=survey.categories.first(), sheet_no=1, marks={}
        )
    assert caught.value.messages == ["纸质票录入：测评当前为“已结束”，只有测评中可以录入"]


def test_the_tally_matches_a_hand_count(survey, office, clerks):
    """8 online ballots and 2 paper (one void): 满意 3, 比较满意 2, 基本满意 2, 不满意 1 on 8 valid."""
    codes = open_with_codes(survey, office, per_category=5)
    key = key_of(survey)
    online = codes["党员代表"] + codes["人大代表"][:3]
    for code, level in zip(online, [0, 0, 0, 1, 1, 2, 2, 3], strict=True):
        services.ballot_cast(code=code, marks={key: str(level)})
    category = survey.categories.get(name="人大代表")
    category.paper_issued = 4
    category.save()
    a, b, _c = clerks
    for clerk in (a, b):
        services.paper_enter(actor=clerk, survey=survey, category=category, sheet_no=1, marks={key: ""})
        services.paper_enter(
            actor=clerk,
            survey=survey,
            category=category,
            sheet_no=2,
            marks={},
            void=True,
            void_reason="多处涂改",
        )
    assert tally(Survey.objects.get(pk=survey.pk)).pending == 10  # cast, waiting for their batch
    result = tally(counted(survey))
    assert result.pending == 0
    row = result.rows[0]
    assert row.counts == [3, 2, 2, 1] and row.void == 1 and row.valid == 8
    # 满意 + 比较满意 + 基本满意 = 7 of 8 valid answers.
    assert (row.satisfied.k, row.satisfied.n, row.satisfied.text) == (7, 8, "87.5%")
    assert row.satisfied.interval == "52.9%–97.8%"
    assert (row.good.k, row.good.text) == (5, "62.5%")
    line = {c.name: c for c in result.categories}["人大代表"]
    assert (line.codes_issued, line.codes_used, line.paper_issued, line.paper_counted) == (5, 3, 4, 2)
    assert (line.issued, line.present, line.valid, line.void) == (9, 5, 4, 1)
    assert result.totals["expected"] == 100 and result.totals["valid"] == 9
    assert result.integrity.online == 8 and result.integrity.paper == 2


def test_publishing_freezes_the_results(survey, office):
    codes = open_with_codes(survey, office)
    key = key_of(survey)
    services.ballot_cast(code=codes["党员代表"][0], marks={key: "0"})
    services.survey_step(actor=office, survey=survey, action="close")
    services.survey_step(actor=office, survey=survey, action="publish")
    published = Survey.objects.get(pk=survey.pk)
    assert published.snapshot["sha256"] and results_for(published).rows[0].counts == [1, 0, 0, 0]
    # Even a ballot slipped into the database afterwards does not change published figures.
    Ballot.objects.create(
        survey=published, category=published.categories.first(), channel="paper", at=published.created_at
    )
    assert results_for(published).totals["valid"] == 1
    with pytest.raises(ValidationError) as caught:
        services.survey_step(actor=office, survey=published, action="publish")
    assert caught.value.messages == ["状态：测评当前为“已公布”，不能公布结果"]
    with pytest.raises(ValidationError):
        services.category_save(actor=office, survey=published, name="党员代表", expected=1)


def test_the_npc_verdict_counts_against_all_members(team_review, office):
    codes = open_with_codes(team_review, office, per_category=5)
    team_key = key_of(team_review, 0)
    rows = services.ballot_rows(Survey.objects.get(pk=team_review.pk))
    everyone = {r.key: "1" for r in rows}
    # 5 of 10 members say 好: not more than half, so the verdict falls to the next level.
    for code in codes["党员代表"]:
        services.ballot_cast(code=code, marks={**everyone, team_key: "0"})
    for code in codes["人大代表"][:1]:
        services.ballot_cast(code=code, marks={**everyone, team_key: "1"})
    result = tally(counted(team_review))
    team = result.rows[0]
    assert team.counts[:2] == [5, 1]
    assert result.verdicts[f"{team.question_id}:{team.subject_id}"] == "较好"
    assert result.integrity.uniform == 0  # two rows in the test town: too few to call straight-lining


def test_the_tally_costs_the_same_queries_for_more_ballots(survey, office, django_assert_num_queries):
    codes = open_with_codes(survey, office, per_category=10)
    key = key_of(survey)
    fresh = Survey.objects.get(pk=survey.pk)
    services.ballot_cast(code=codes["党员代表"][0], marks={key: "0"})
    counted(fresh)
    with django_assert_num_queries(9):
        tally(fresh)
    for code in codes["党员代表"][1:] + codes["人大代表"]:
        services.ballot_cast(code=code, marks={key: "1"})
    counted(fresh)
    with django_assert_num_queries(9):
        tally(fresh)


def test_a_sheet_number_out_of_range_is_named(survey, office, clerks):
    open_with_codes(survey, office)
    with pytest.raises(ValidationError) as caught:
        services.paper_enter(
            actor=clerks[0], survey=survey, category=survey.categories.first(), sheet_no=10**7, marks={}
        )
    assert caught.value.messages == ["票号：请填写纸质票上的编号（1至999999）"]
    assert not PaperSheet.objects.exists()
