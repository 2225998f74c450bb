"""Reads of 测评: who sees surveys and results, and the anonymous ballots behind a figure."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from zhenwu.evaluation.constants import SheetStatus
from zhenwu.evaluation.models import Answer, Ballot, PaperSheet, Survey
from zhenwu.org.roles import is_town_reader

# The town-wide roles and the inspection group read surveys and results; the office runs them.


def surveys_visible_to(user: Any) -> QuerySet[Survey]:
    return Survey.objects.all() if is_town_reader(user) else Survey.objects.none()


def get_survey_for_user(user: Any, pk: int) -> Survey:
    found = surveys_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


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
    answers = Answer.objects.select_related("question", "subject").order_by(
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
