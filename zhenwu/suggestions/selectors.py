"""Reads of 献言献策: who sees suggestions, the triage inbox, and the satisfaction rate.

Suggestions hold residents' contact details, so only the town-wide roles see them (the
office decides; leaders and the inspection group read). Everyone else gets a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from zhenwu.ledger.constants import Status
from zhenwu.ledger.models import Problem
from zhenwu.lib.stats import percent
from zhenwu.org.models import User
from zhenwu.org.roles import is_town_reader
from zhenwu.suggestions.constants import LINKED, ReopenStatus, Verdict
from zhenwu.suggestions.models import Feedback, ReopenRequest, Suggestion


def suggestions_visible_to(user: User) -> QuerySet[Suggestion]:
    if not is_town_reader(user):
        return Suggestion.objects.none()
    return Suggestion.objects.all()


def get_suggestion_for_user(user: User, pk: int) -> Suggestion:
    found = (
        suggestions_visible_to(user).select_related("village", "problem", "campaign").filter(pk=pk).first()
    )
    if found is None:
        raise Http404
    return found


def inbox(user: User, filters: dict[str, Any]) -> QuerySet[Suggestion]:
    found = (
        suggestions_visible_to(user)
        .select_related("village", "problem")
        .annotate(photo_count=Count("photos"))
    )
    if filters.get("status"):
        found = found.filter(status=filters["status"])
    if filters.get("village"):
        found = found.filter(village=filters["village"])
    if filters.get("category"):
        found = found.filter(category=filters["category"])
    if filters.get("campaign"):
        found = found.filter(campaign=filters["campaign"])
    if filters.get("q"):
        q = filters["q"].strip()
        found = found.filter(Q(text__contains=q) | Q(receipt=q.upper().replace("-", "")))
    return found.order_by("-created_at", "-id")


def suggestions_for_problem(problem: Problem) -> list[Suggestion]:
    return list(Suggestion.objects.filter(problem=problem).select_related("village").order_by("created_at"))


def reopen_requests(status: str | None = ReopenStatus.PENDING) -> QuerySet[ReopenRequest]:
    found = ReopenRequest.objects.select_related("problem", "feedback", "feedback__suggestion")
    return found.filter(status=status) if status else found


@dataclass(frozen=True)
class Satisfaction:
    """解决突出问题群众满意率 for a period, with every count behind it."""

    start: date
    end: date
    counts: dict[str, int]  # verdict -> answers
    answers: int
    satisfied: int
    not_answered: int  # residents asked (their problem closed in the period) who have not answered
    counted_as_satisfied: tuple[str, ...]

    @property
    def rate(self) -> float | None:
        return self.satisfied / self.answers if self.answers else None

    @property
    def percent(self) -> str:
        return percent(self.rate)

    @property
    def asked(self) -> int:
        return self.answers + self.not_answered

    def rows(self) -> list[tuple[str, str, int]]:
        return [(v.value, str(v.label), self.counts.get(v.value, 0)) for v in Verdict]


def satisfaction(start: date, end: date) -> Satisfaction:
    """Answers about problems closed from `start` to `end` (inclusive): two GROUP BY queries.

    Which answers count as satisfied is the ZHENWU_SATISFIED_VERDICTS setting.
    """
    counted = tuple(settings.ZHENWU_SATISFIED_VERDICTS)
    by_verdict = dict(
        Feedback.objects.filter(closed_on__range=(start, end))
        .values_list("verdict")
        .annotate(n=Count("id"))
        .values_list("verdict", "n")
    )
    answered = Feedback.objects.filter(suggestion=OuterRef("pk"), closed_on=OuterRef("problem__closed_on"))
    not_answered = (
        Suggestion.objects.filter(
            status__in=LINKED, problem__status=Status.CLOSED, problem__closed_on__range=(start, end)
        )
        .filter(~Exists(answered))
        .count()
    )
    answers = sum(by_verdict.values())
    return Satisfaction(
        start=start,
        end=end,
        counts=by_verdict,
        answers=answers,
        satisfied=sum(n for v, n in by_verdict.items() if v in counted),
        not_answered=not_answered,
        counted_as_satisfied=counted,
    )


def leader_for_department(department_id: int) -> int | None:
    """The leader who has most often been named 责任领导 for this department's problems."""
    row = (
        Problem.objects.filter(department_id=department_id, leader__isnull=False)
        .values("leader_id")
        .annotate(n=Count("id"))
        .order_by("-n", "leader_id")
        .first()
    )
    return row["leader_id"] if row else None
