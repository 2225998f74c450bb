"""Sections other modules add to a problem's page (the ledger knows none of them).

A module registers a function in its AppConfig.ready(); it returns a template and its
context for this problem, or None when it has nothing to add.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from zhenwu.ledger.models import Problem

ProblemPanel = Callable[[HttpRequest, Problem], tuple[str, dict[str, Any]] | None]
PROBLEM_PANELS: list[ProblemPanel] = []


def register_problem_panel(panel: ProblemPanel) -> ProblemPanel:
    PROBLEM_PANELS.append(panel)
    return panel


def problem_panels(request: HttpRequest, problem: Problem) -> list[tuple[str, dict[str, Any]]]:
    return [shown for panel in PROBLEM_PANELS if (shown := panel(request, problem)) is not None]
