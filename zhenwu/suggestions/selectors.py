"""Reads of 献言献策: who sees suggestions, the triage inbox, and a resident's answers.

Suggestions hold residents' contact details, so only the town-wide roles see them (the
office decides; leaders and the inspection group read). Everyone else gets a 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from zhenwu.ledger.models import FollowUp, Problem
from zhenwu.org.models import User
from zhenwu.org.roles import is_town_reader
from zhenwu.suggestions.models import Suggestion


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


def follow_ups_of(suggestion: Suggestion) -> list[FollowUp]:
    """The resident's answers given with this receipt code, oldest first, with the office's decisions."""
    return list(
        FollowUp.objects.filter(suggestion_link__suggestion=suggestion)
        .select_related("reopen_request")
        .order_by("at", "id")
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
