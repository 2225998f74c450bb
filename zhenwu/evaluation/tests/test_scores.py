"""测评得分: points per level set before opening, the questions' order, and the weighted score
across respondent categories — counted by hand in each test, never called a 满意率."""

from __future__ import annotations

import io
import subprocess

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from zhenwu.evaluation import services
from zhenwu.evaluation.models import Question, Survey
from zhenwu.evaluation.results import from_snapshot, snapshot_of, tally, weighted_score
from zhenwu.evaluation.tests.conftest import counted, key_of, open_with_codes

pytestmark = pytest.mark.django_db


def test_points_are_set_per_level_and_cleared(survey, office):
    question = survey.questions.get()
    services.question_scores(actor=office, question=question, scores="100，80、60 0")
    assert Question.objects.get(pk=question.pk).scores == [100, 80, 60, 0]
    services.question_scores(actor=office, question=question, scores="100,87.5,60,0")
    assert Question.objects.get(pk=question.pk).scores == [100, 87.5, 60, 0]
    services.question_scores(actor=office, question=question, scores=" ")
    assert Question.objects.get(pk=question.pk).scores is None


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        ("100,80,60", "各等级分值：量表“满意/比较满意/基本满意/不满意”有4个等级，请填写4个分值"),
        ("100,80,60,0,0", "各等级分值：量表“满意/比较满意/基本满意/不满意”有4个等级，请填写4个分值"),
        ("100,八十,60,0", "各等级分值：应为数字，用逗号分开"),
        ("100,80,60,-1", "各等级分值：每个分值应在0到100之间"),
        ("120,80,60,0", "各等级分值：每个分值应在0到100之间"),
        ("nan,80,60,0", "各等级分值：每个分值应在0到100之间"),
        ("inf,80,60,0", "各等级分值：每个分值应在0到100之间"),
    ],
)
def test_bad_points_are_refused_and_the_old_ones_kept(survey, office, scores, message):
    question = survey.questions.get()
    services.question_scores(actor=office, question=question, scores="100,80,60,0")
    with pytest.raises(ValidationError) as caught:
        services.question_scores(actor=office, question=question, scores=scores)
    assert caught.value.messages == [message]
    assert Question.objects.get(pk=question.pk).scores == [100, 80, 60, 0]


def test_points_and_order_are_frozen_once_open(survey, office):
    services.question_add(actor=office, survey=survey, text="第二题", scale=survey.questions.get().scale)
    first, second = survey.questions.order_by("order")
    open_with_codes(survey, office)
    with pytest.raises(ValidationError) as caught:
        services.question_scores(actor=office, question=first, scores="100,80,60,0")
    assert caught.value.messages == ["各等级分值：测评已开始，题目和量表不能再修改"]
    with pytest.raises(ValidationError) as caught:
        services.question_move(actor=office, question=second, up=True)
    assert caught.value.messages == ["题目顺序：测评已开始，题目和量表不能再修改"]
    assert list(survey.questions.order_by("order").values_list("pk", flat=True)) == [first.pk, second.pk]
    assert Question.objects.get(pk=first.pk).scores is None


def test_questions_move_up_and_down_and_not_past_the_ends(survey, office):
    scale = survey.questions.get().scale
    services.question_add(actor=office, survey=survey, text="第二题", scale=scale)
    services.question_add(actor=office, survey=survey, text="第三题", scale=scale)
    a, b, c = survey.questions.order_by("order")
    services.question_move(actor=office, question=c, up=True)  # a c b
    services.question_move(actor=office, question=a, up=False)  # c a b
    assert list(survey.questions.order_by("order").values_list("text", flat=True)) == [c.text, a.text, b.text]
    rows = services.ballot_rows(Survey.objects.get(pk=survey.pk))
    assert [row.question.text for row in rows] == [c.text, a.text, b.text] and rows[0].number == 1
    with pytest.raises(ValidationError) as caught:
        services.question_move(actor=office, question=c, up=True)
    assert caught.value.messages == ["题目顺序：已经是第一题"]
    with pytest.raises(ValidationError) as caught:
        services.question_move(actor=office, question=b, up=False)
    assert caught.value.messages == ["题目顺序：已经是最后一题"]


def _weighted_votes(survey: Survey, office) -> Survey:
    """党员代表 (weight 0.3): 满意, 满意, 比较满意; 人大代表 (weight 0.7): 基本满意, 不满意."""
    services.question_scores(actor=office, question=survey.questions.get(), scores="100,80,60,0")
    for name, weight in (("党员代表", 0.3), ("人大代表", 0.7)):
        category = survey.categories.get(name=name)
        services.category_save(
            actor=office, survey=survey, name=name, expected=category.expected, weight=weight
        )
    codes = open_with_codes(survey, office)
    key = key_of(survey)
    for code, level in zip(codes["党员代表"][:3], [0, 0, 1], strict=True):
        services.ballot_cast(code=code, marks={key: str(level)})
    for code, level in zip(codes["人大代表"][:2], [2, 3], strict=True):
        services.ballot_cast(code=code, marks={key: str(level)})
    services.survey_step(actor=office, survey=survey, action="close")  # writes the waiting ballots
    return Survey.objects.get(pk=survey.pk)


def test_the_weighted_score_matches_a_hand_count(survey, office):
    """党员代表: (100+100+80)/3 = 93.33; 人大代表: (60+0)/2 = 30.
    Weighted: 0.3 × 93.33 + 0.7 × 30 = 49.0. Unweighted over the 5 answers: 340/5 = 68.0.
    The other categories have no weight and no ballots: they change nothing."""
    result = tally(_weighted_votes(survey, office))
    row = result.rows[0]
    assert row.score == pytest.approx(68.0)
    assert row.weighted_score == pytest.approx(49.0)
    assert (row.satisfied.k, row.satisfied.n) == (4, 5)  # the 满意率 is its own, unweighted figure
    assert row.points_text == "满意 100、比较满意 80、基本满意 60、不满意 0"
    again = from_snapshot(snapshot_of(result))
    assert again.rows[0].weighted_score == pytest.approx(49.0) and again.weighted


def test_the_tally_sheet_and_the_print_carry_the_weights_and_scores(survey, office):
    survey = _weighted_votes(survey, office)
    client = Client()
    client.force_login(office)
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("evaluation:results_xlsx", args=[survey.pk])).content)
    )
    lines = [[c for c in row if c is not None] for row in book.active.iter_rows(values_only=True)]
    assert ["类别", "应到", "发出", "实到", "收回", "有效票", "无效票", "权重"] in lines
    assert any(line[:1] == ["党员代表"] and line[-1] == 0.3 for line in lines)
    assert ["票数", 2, 1, 1, 1, 5, 0, "80.0%", "37.6%–96.4%", "60.0%"] in lines
    assert [
        "测评得分（各等级分值 满意 100、比较满意 80、基本满意 60、不满意 0 的平均分，不是满意率）：68.0"
    ] in lines
    assert ["加权测评得分（按类别权重合成，不是满意率）：49.0"] in lines
    pdf = client.get(reverse("evaluation:results_pdf", args=[survey.pk])).content
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "测评得分 68.0" in text and "按类别权重加权 49.0" in text


def test_without_weights_or_points_there_is_no_score(survey, office):
    codes = open_with_codes(survey, office)
    services.ballot_cast(code=codes["党员代表"][0], marks={key_of(survey): "0"})
    row = tally(counted(survey)).rows[0]
    assert row.score is None and row.weighted_score is None and row.points_text == ""


def test_the_weighted_score_does_not_depend_on_the_order_the_counts_came_back_in():
    """The tally's GROUP BY comes back in the order PostgreSQL's plan gives; summed in that
    order these counts gave 67.79968805704098 one way and …101 the other (one survey, two
    figures in the upgrade's dump). Summed in the categories' order, one figure."""
    counts = {1: [2, 9, 1, 4], 2: [1, 7, 7, 7], 3: [6, 3, 1, 7]}
    weights = {1: 0.3, 2: 0.2, 3: 0.1}
    orders = [[1, 2, 3], [1, 3, 2], [2, 1, 3], [2, 3, 1], [3, 1, 2], [3, 2, 1]]
    scores = {weighted_score([100, 80, 60, 40], {c: counts[c] for c in order}, weights) for order in orders}
    assert len(scores) == 1


def test_a_snapshot_published_before_weighted_scores_still_reads(survey, office):
    codes = open_with_codes(survey, office)
    services.ballot_cast(code=codes["党员代表"][0], marks={key_of(survey): "0"})
    snapshot = snapshot_of(tally(counted(survey)))
    for row in snapshot["tally"]["rows"]:
        del row["weighted_score"], row["points"]
    assert from_snapshot(snapshot).rows[0].weighted_score is None


def test_the_survey_page_sets_points_and_names_a_bad_value(survey, office):
    client = Client()
    client.force_login(office)
    question = survey.questions.get()
    url = reverse("evaluation:question_change", args=[survey.pk, question.pk, "scores"])
    page = client.post(url, {"scores": "100,80"}, follow=True).content.decode()
    assert "各等级分值：量表“满意/比较满意/基本满意/不满意”有4个等级，请填写4个分值" in page
    assert Question.objects.get(pk=question.pk).scores is None
    page = client.post(url, {"scores": "100,80,60,0"}, follow=True).content.decode()
    assert "已保存分值" in page and "满意 100、比较满意 80、基本满意 60、不满意 0" in page
    assert (
        client.post(reverse("evaluation:question_change", args=[survey.pk, question.pk, "nope"])).status_code
        == 404
    )
