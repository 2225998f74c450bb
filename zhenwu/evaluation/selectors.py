"""Reads of 测评: who sees surveys and results, and the anonymous ballots behind a figure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from zhenwu.evaluation.constants import SheetStatus, SurveyStatus
from zhenwu.evaluation.models import Answer, Ballot, PaperSheet, Subject, Survey
from zhenwu.evaluation.results import Tally, Turnout, results_for, turnout, without_rows
from zhenwu.org.roles import is_office, is_town_reader
from zhenwu.org.scope import in_town_q, scope_of

# The town-wide roles and the inspection group read their town's surveys and results; the
# office runs them. Another town's survey does not exist for them (404), nor its questions,
# codes, sheets and ballots, which every page reaches through the survey found here.


def surveys_visible_to(user: Any) -> QuerySet[Survey]:
    if not is_town_reader(user):
        return Survey.objects.none()
    return Survey.objects.filter(in_town_q(scope_of(user)))


def get_survey_for_user(user: Any, pk: int) -> Survey:
    found = surveys_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@dataclass(frozen=True)
class ResultsShown:
    """What one reader may see of a survey's results now (ADR 0005 §8)."""

    result: Tally | None  # None: hidden until the survey is closed
    turnout: Turnout | None  # while hidden, the office still sees who has voted, by category
    ballots: bool  # may read the per-ballot list
    withheld: int  # rows about the reader, left out until the results are published


def results_shown_to(user: Any, survey: Survey) -> ResultsShown:
    """While a survey runs nobody reads its tally or its ballots (ZHENWU_SURVEY_LIVE_RESULTS
    turns that off): a figure that moves while people vote tells the watcher how the last
    ones voted, and invites pressure on those still to vote. The office sees turnout. Until
    publication a rated person never sees the rows about them (ZHENWU_SURVEY_HIDE_OWN_RESULTS),
    nor the per-ballot list that holds them."""
    if survey.status in (SurveyStatus.DRAFT, SurveyStatus.OPEN) and not settings.ZHENWU_SURVEY_LIVE_RESULTS:
        return ResultsShown(None, turnout(survey) if is_office(user) else None, False, 0)
    result = results_for(survey)
    own = own_subjects(user, survey) if survey.status != SurveyStatus.PUBLISHED else set()
    if own and settings.ZHENWU_SURVEY_HIDE_OWN_RESULTS:
        result = without_rows(result, own)
        return ResultsShown(result, None, False, len(own))
    return ResultsShown(result, None, True, 0)


def own_subjects(user: Any, survey: Survey) -> set[int]:
    """The rows of this survey that rate the reader (a leader in a 班子评议), by subject id."""
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return set()
    return set(
        Subject.objects.filter(question__survey=survey, person_id=person_id).values_list("pk", flat=True)
    )


def ballots_behind(survey: Survey, filters: dict[str, Any]) -> QuerySet[Ballot]:
    """The anonymous ballots behind one cell of the tally (question, subject, level, category)."""
    found = Ballot.objects.filter(survey=survey)
    answer = {}
    if filters.get("question"):
        answer["question_id"] = filters["question"]
    if filters.get("subject"):
        answer["subject_id"] = filters["subject"]
    if filters.get("level") is not None and filters.get("level") != "":
        answer["level"] = filters["level"]
    if answer:
        found = found.filter(pk__in=Answer.objects.filter(survey=survey, **answer).values("ballot_id"))
    if filters.get("category"):
        found = found.filter(category_id=filters["category"])
    answers = Answer.objects.select_related("question__scale", "subject").order_by(
        "question__order", "subject__order"
    )
    return (
        found.select_related("category")
        .prefetch_related(Prefetch("answers", queryset=answers))
        .order_by("at", "id")
    )


def sheets_to_check(survey: Survey) -> QuerySet[PaperSheet]:
    return survey.sheets.filter(status=SheetStatus.MISMATCH).select_related(
        "category", "entry_a_by", "entry_b_by"
    )
