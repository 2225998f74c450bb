"""The ledger's panel on the home page: my open items with their warnings, and reports due."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from zhenwu.core.calendar import work_calendar
from zhenwu.ledger.rules import Facts, Today, report_due_now, report_missing, warning_for
from zhenwu.ledger.selectors import my_open_problems


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
