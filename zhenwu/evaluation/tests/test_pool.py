"""The pool of waiting ballots (ADR 0005): tick writes full batches and leaves k behind, the
close writes the rest, nothing is written twice or lost, and old ballots are reshuffled."""

from __future__ import annotations

import importlib
from collections import Counter
from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.db import connection
from django.test import override_settings

from zhenwu.core.models import TickRun
from zhenwu.core.tick import run_tick
from zhenwu.evaluation import pool, services
from zhenwu.evaluation.models import Answer, Ballot, CastMinute, PendingBallot, Survey
from zhenwu.evaluation.results import tally
from zhenwu.evaluation.tests.conftest import key_of, open_with_codes

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 10, 20, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _cast(survey: Survey, codes: list[str], level: int = 0) -> None:
    for code in codes:
        services.ballot_cast(code=code, marks={key_of(survey): str(level)})


@override_settings(ZHENWU_BALLOT_BATCH=3)
def test_tick_writes_a_category_once_it_holds_2k_and_leaves_k(survey, office):
    codes = open_with_codes(survey, office, per_category=10)
    _cast(survey, codes["党员代表"][:5])
    _cast(survey, codes["人大代表"][:2])
    assert run_tick(NOW)["evaluation.ballot_batches"] == 0  # 5 < 2k: nobody's batch is full
    _cast(survey, codes["党员代表"][5:6])
    assert run_tick(NOW)["evaluation.ballot_batches"] == 3  # 6 = 2k: all but a random k
    assert Ballot.objects.filter(category__name="党员代表").count() == 3
    assert PendingBallot.objects.filter(category__name="党员代表").count() == 3
    assert PendingBallot.objects.filter(category__name="人大代表").count() == 2
    assert TickRun.objects.get(task="evaluation.ballot_batches").count == 3
    # The close writes everything left, whatever the count: the 3 kept back and the 2.
    services.survey_step(actor=office, survey=survey, action="close")
    assert not PendingBallot.objects.exists() and Ballot.objects.count() == 8
    assert tally(Survey.objects.get(pk=survey.pk)).rows[0].counts == [8, 0, 0, 0]
    # A ballot's time is its batch's: tick's three at tick's minute, the close's five at the close's.
    batches = Counter(Ballot.objects.values_list("at", flat=True))
    assert batches[NOW] == 3 and sorted(batches.values()) == [3, 5]


def test_a_ballot_that_raced_the_close_is_written_by_tick_or_before_publishing(survey, office):
    open_with_codes(survey, office)
    services.survey_step(actor=office, survey=survey, action="close")
    rows = services.ballot_rows(Survey.objects.get(pk=survey.pk))
    category = survey.categories.first()

    def late(level: int) -> None:  # what a cast whose claim saw the survey still open leaves
        pool.put(
            survey_id=survey.pk, category_id=category.pk, channel="online", rows=rows,
            answers=[(rows[0].question.pk, None, level, "")], minute=NOW.isoformat(), uniform=False,
        )  # fmt: skip

    late(0)
    assert run_tick(NOW)["evaluation.ballot_batches"] == 1  # a closed survey's pool: all of it
    late(3)
    services.survey_step(actor=office, survey=Survey.objects.get(pk=survey.pk), action="publish")
    published = Survey.objects.get(pk=survey.pk)
    assert published.snapshot["tally"]["rows"][0]["counts"] == [1, 0, 0, 1]
    assert not PendingBallot.objects.exists()
    assert CastMinute.objects.get().ballots == 2


def test_ballots_stored_before_the_pool_are_reshuffled(survey, office):
    """Migration 0004 on ballots as the old path stored them: ids and answers in casting order,
    each with its minute. Afterwards: new random ids, one minute for the survey, the same counts,
    and the per-minute figure kept."""
    open_with_codes(survey, office)
    question, category = survey.questions.get(), survey.categories.first()
    start = datetime(2026, 11, 10, 9, 0, tzinfo=ZoneInfo("UTC"))
    for i in range(1, 13):
        ballot = Ballot.objects.create(
            id=i, survey=survey, category=category, channel="online", at=start + timedelta(minutes=i // 4)
        )
        Answer.objects.create(
            ballot=ballot, survey=survey, category=category, question=question, level=i % 4, comment=f"#{i}"
        )
    before = tally(Survey.objects.get(pk=survey.pk))
    migration = importlib.import_module("zhenwu.evaluation.migrations.0004_reshuffle_ballots")
    migration.reshuffle(apps, SimpleNamespace(connection=connection))
    ballots = list(Ballot.objects.all())
    assert len(ballots) == 12 and not {b.pk for b in ballots} & set(range(1, 13))
    assert {b.at for b in ballots} == {start + timedelta(minutes=3)}
    comments = dict(Answer.objects.values_list("comment", "level"))
    assert comments == {f"#{i}": i % 4 for i in range(1, 13)}
    after = tally(Survey.objects.get(pk=survey.pk))
    assert after.rows[0].counts == before.rows[0].counts
    assert sorted(n for _m, n in after.integrity.busiest_minutes) == [1, 3, 4, 4]
