"""Who sees a survey's figures when (ADR 0005 §8): nobody reads the tally or the ballots while
the survey runs (the office sees turnout); after the close a rated leader does not see the rows
about them until the results are published; the busiest minute is in Beijing time."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse

from zhenwu.conftest import client_for
from zhenwu.evaluation import services
from zhenwu.evaluation.models import Survey
from zhenwu.evaluation.tests.conftest import counted, open_with_codes

pytestmark = pytest.mark.django_db

READERS = ("office", "leader", "inspector", "admin_user")
HIDDEN = "测评结束后才显示计票结果和选票明细"


def _vote(survey: Survey, office, n: int = 3) -> Survey:
    codes = open_with_codes(survey, office)["党员代表"]
    rows = services.ballot_rows(Survey.objects.get(pk=survey.pk))
    for code in codes[:n]:
        services.ballot_cast(code=code, marks={r.key: "1" for r in rows})
    return Survey.objects.get(pk=survey.pk)


def _pages(user, survey: Survey) -> dict[str, object]:
    client = client_for(user)
    return {
        name: client.get(reverse(f"evaluation:{name}", args=[survey.pk]))
        for name in ("results", "ballots", "results_xlsx", "results_pdf")
    }


@pytest.mark.parametrize("persona", READERS)
def test_while_open_no_reader_sees_a_figure_or_a_ballot(request, team_review, office, persona):
    survey = counted(_vote(team_review, office))  # written ballots exist: still nothing shows
    user = request.getfixturevalue(persona)
    for name, response in _pages(user, survey).items():
        body = response.content.decode()
        assert response.status_code == 200 and response["Content-Type"].startswith("text/html"), name
        assert HIDDEN in body and 'id="overall-rate"' not in body and "ballots-table" not in body, name
        assert "— 刘志强" not in body, name
    turnout = _pages(user, survey)["results"].content.decode()
    if persona in ("office", "admin_user"):  # the office runs the day: who has voted, by category
        assert "投票进度" in turnout and "3/5" in turnout and "已投 3 张，其中 0 张待入账" in turnout
    else:
        assert "投票进度" not in turnout and "3/5" not in turnout


@override_settings(ZHENWU_SURVEY_LIVE_RESULTS=True)
def test_live_results_count_written_batches_and_say_how_many_wait(survey, inspector, office):
    survey = counted(_vote(survey, office, n=2))
    codes = list(survey.codes.filter(used=False).values_list("code", flat=True))
    services.ballot_cast(code=codes[0], marks={services.ballot_rows(survey)[0].key: "3"})
    body = client_for(inspector).get(reverse("evaluation:results", args=[survey.pk])).content.decode()
    assert 'id="overall-rate">100.0%' in body  # the two written ballots; the third waits
    assert "另有 1 张选票待入账" in body and HIDDEN not in body


def test_after_the_close_a_rated_leader_does_not_see_their_own_rows(team_review, office, leader, inspector):
    survey = _vote(team_review, office)
    services.survey_step(actor=office, survey=survey, action="close")
    own = "— 刘志强</div>"  # the row title of the leader's own rating
    seen = _pages(inspector, survey)
    assert own in seen["results"].content.decode() and "ballots-table" in seen["ballots"].content.decode()
    mine = _pages(leader, survey)
    body = mine["results"].content.decode()
    assert own not in body and "— 镇领导班子" in body and 'id="overall-rate"' in body
    assert "涉及您本人的 1 个测评项目在结果公布前不向您显示" in body
    assert "选票明细含有对您本人的评价" in mine["ballots"].content.decode()
    assert mine["results_xlsx"]["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(mine["results_xlsx"].content))
    cells = {str(c) for row in book.active.iter_rows(values_only=True) for c in row if c is not None}
    assert not any("刘志强" in c for c in cells) and any("镇领导班子" in c for c in cells)
    with override_settings(ZHENWU_SURVEY_HIDE_OWN_RESULTS=False):
        assert own in _pages(leader, survey)["results"].content.decode()
    services.survey_step(actor=office, survey=survey, action="publish")
    published = _pages(leader, Survey.objects.get(pk=survey.pk))
    assert own in published["results"].content.decode()
    assert "ballots-table" in published["ballots"].content.decode()


def test_the_busiest_minute_is_in_beijing_time(survey, office, inspector):
    codes = open_with_codes(survey, office)["党员代表"]
    key = services.ballot_rows(Survey.objects.get(pk=survey.pk))[0].key
    with time_machine.travel(datetime(2026, 11, 10, 9, 3, 40, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        for code in codes[:2]:
            services.ballot_cast(code=code, marks={key: "0"})
    with time_machine.travel(datetime(2026, 11, 10, 10, 17, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        services.survey_step(actor=office, survey=survey, action="close")
    body = client_for(inspector).get(reverse("evaluation:results", args=[survey.pk])).content.decode()
    assert "投票最集中的分钟（北京时间）：2026-11-10 09:03（2）" in body  # 01:03 in UTC
    ballots = client_for(inspector).get(reverse("evaluation:ballots", args=[survey.pk])).content.decode()
    # Each ballot shows when its batch was written (the close), not when it was cast.
    assert ballots.count("2026-11-10 10:17") == 2 and "09:03" not in ballots
