"""The ledger on the home page: my open items with their warnings, reports due, and the
office's lines of the work queue (closures to accept, problems to assign, extensions)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from zhenwu.core.calendar import work_calendar
from zhenwu.core.home import QueueItem
from zhenwu.ledger.constants import Status
from zhenwu.ledger.rules import Facts, Today, report_due_now, report_missing, warning_for
from zhenwu.ledger.selectors import my_open_problems, problem_search
from zhenwu.org.roles import is_office


def my_work_panel(request: HttpRequest) -> tuple[str, dict[str, Any]] | None:
    user = request.user
    if getattr(user, "person_id", None) is None:
        return None
    today = Today.build(timezone.localdate(), work_calendar())
    items = []
    due = []
    for problem in my_open_problems(user)[:50]:  # type: ignore[arg-type]
        facts = Facts.of(problem)
        items.append((problem, warning_for(facts, today)))
        if (missing := report_missing(facts, today)) is not None:
            due.append((problem, missing, True))
        elif (current := report_due_now(facts, today)) is not None:
            due.append((problem, current, False))
    return "ledger/_home_panel.html", {"items": items, "due": due}


# Each line is a filter of the ledger list: the tile counts `problem_search` with it, and links
# to the list page, which runs `problem_search` with the same filter parsed back from the URL.
OFFICE_QUEUE: tuple[tuple[str, Any, dict[str, Any]], ...] = (
    ("ledger.closures", gettext_lazy("待验收销号"), {"status": Status.CLOSURE_REQUESTED.value}),
    ("ledger.pending", gettext_lazy("待分派"), {"status": Status.PENDING.value}),
    ("ledger.extensions", gettext_lazy("延期待审批"), {"extension": True}),
)


def office_queue(request: HttpRequest) -> list[QueueItem]:
    user = request.user
    if not is_office(user):
        return []
    today = Today.build(timezone.localdate(), work_calendar())
    base = reverse("ledger:problem_list")
    return [
        QueueItem(
            key=key,
            label=str(label),
            count=problem_search(user, filters, today).count(),  # type: ignore[arg-type]
            url=f"{base}?{urlencode({k: 'on' if v is True else v for k, v in filters.items()})}",
        )
        for key, label, filters in OFFICE_QUEUE
    ]
