"""The ledger's panel on the home page: my open items with their warnings, and reports due."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from zhenwu.core.calendar import work_calendar
from zhenwu.ledger.constants import WORKING
from zhenwu.ledger.rules import Today, report_missing, warning_for
from zhenwu.ledger.selectors import my_open_problems
from zhenwu.lib.cadence import Cadence, period_containing


def my_work_panel(request: HttpRequest) -> tuple[str, dict[str, Any]] | None:
    user = request.user
    if getattr(user, "person_id", None) is None:
        return None
    today = Today.build(timezone.localdate(), work_calendar())
    items = []
    due = []
    for problem in my_open_problems(user)[:50]:  # type: ignore[arg-type]
        warning = warning_for(problem, today)
        items.append((problem, warning))
        if problem.status in WORKING and problem.cadence != Cadence.NONE:
            missing = report_missing(problem, today)
            current = period_containing(today.day, Cadence(problem.cadence))
            if missing is not None:
                due.append((problem, missing, True))
            elif problem.last_report_period < current.key:
                due.append((problem, current, False))
    return "ledger/_home_panel.html", {"items": items, "due": due}
