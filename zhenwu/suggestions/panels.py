"""What 献言献策 adds to other pages: the office's work-queue lines and a problem's residents."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from zhenwu.core.home import QueueItem
from zhenwu.ledger.followup import reopen_requests
from zhenwu.ledger.models import Problem
from zhenwu.lib.identity import mask_name
from zhenwu.org.constants import OFFICE_ROLES
from zhenwu.org.roles import has_role, is_town_reader
from zhenwu.suggestions.constants import SuggestionStatus
from zhenwu.suggestions.selectors import inbox, suggestions_for_problem


def office_queue(request: HttpRequest) -> list[QueueItem]:
    """The office's lines of the home page's work queue: each counts the selector its list shows
    (the inbox opens on 待处理 by default; the reopen list's first table is reopen_requests())."""
    user = request.user
    if not has_role(user, *OFFICE_ROLES):
        return []
    return [
        QueueItem(
            key="suggestions.received",
            label=_("待处理的意见建议"),
            count=inbox(user, {"status": SuggestionStatus.RECEIVED}).count(),  # type: ignore[arg-type]
            url=reverse("suggestions:inbox"),
        ),
        QueueItem(
            key="suggestions.reopen",
            label=_("群众不满意待处理"),
            count=reopen_requests(user).count(),
            url=reverse("suggestions:reopen_list"),
        ),
    ]


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
