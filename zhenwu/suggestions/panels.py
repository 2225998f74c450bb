"""What 献言献策 adds to other pages: the office's home panel and a problem's residents."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from zhenwu.ledger.followup import pending_reopen_count
from zhenwu.ledger.models import Problem
from zhenwu.lib.identity import mask_name
from zhenwu.org.constants import OFFICE_ROLES
from zhenwu.org.roles import is_town_reader
from zhenwu.suggestions.constants import SuggestionStatus
from zhenwu.suggestions.models import Suggestion
from zhenwu.suggestions.selectors import suggestions_for_problem


def office_panel(request: HttpRequest) -> tuple[str, dict[str, Any]] | None:
    if getattr(request.user, "role", None) not in OFFICE_ROLES:
        return None
    return "suggestions/_home_panel.html", {
        "new": Suggestion.objects.filter(status=SuggestionStatus.RECEIVED).count(),
        "reopen": pending_reopen_count(),
    }


def problem_suggestions_panel(request: HttpRequest, problem: Problem) -> tuple[str, dict[str, Any]] | None:
    """The suggestions behind a problem, residents masked; shown to those who read suggestions."""
    if not is_town_reader(request.user):
        return None
    rows = suggestions_for_problem(problem)
    if not rows:
        return None
    return "suggestions/_problem_panel.html", {
        "rows": [(s, mask_name(s.name) if s.name else "") for s in rows],
    }
