"""The results chart draws each scale with its own level names."""

from __future__ import annotations

from types import SimpleNamespace

from zhenwu.evaluation.views import tally_charts


def _row(number, subject, labels, counts):
    return SimpleNamespace(number=number, subject=subject, question="q", labels=labels, counts=counts)


def test_rows_on_different_scales_are_drawn_in_separate_charts_with_their_own_labels():
    four = ["满意", "基本满意", "不满意", "不了解"]
    two = ["不满意", "满意"]  # another scale whose first level is 不满意
    result = SimpleNamespace(
        rows=[
            _row(1, "党政办", four, [5, 1, 0, 0]),
            _row(2, "派出所", two, [6, 0]),
            _row(3, "财政所", four, [1, 1, 1, 1]),
        ]
    )
    charts = tally_charts(result)
    assert len(charts) == 2
    first, second = charts
    assert [s["name"] for s in first["series"]] == four and first["rows"] == ["1. 党政办", "3. 财政所"]
    assert [s["name"] for s in second["series"]] == two
    # 派出所's six answers stay 不满意, not the first scale's second label.
    assert second["series"][0] == {"name": "不满意", "data": [6]}


def test_the_ballot_list_shows_each_answer_in_its_levels_words(survey, office):
    import re

    from django.urls import reverse

    from zhenwu.conftest import client_for
    from zhenwu.evaluation import services
    from zhenwu.evaluation.tests.conftest import counted, key_of, open_with_codes

    codes = open_with_codes(survey, office)["党员代表"]
    services.ballot_cast(code=codes[0], marks={key_of(survey): "2"})
    services.survey_step(actor=office, survey=counted(survey), action="close")
    body = client_for(office).get(reverse("evaluation:ballots", args=[survey.pk])).content.decode()
    level_two = survey.questions.first().scale.labels[2]
    answers = re.findall(r'<span class="me-2">(.*?)</span>', body)
    assert answers == [f"1：{level_two}"]  # the level's words, not its 0-based number 2
