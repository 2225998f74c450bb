"""Panels on each person's home page, contributed by the modules (the core knows none of them).

A module registers a function in its AppConfig.ready(); the function returns a template name
and its context for this user, or None when it has nothing to show.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

Panel = Callable[[HttpRequest], tuple[str, dict[str, Any]] | None]
PANELS: list[Panel] = []


def register(panel: Panel) -> Panel:
    PANELS.append(panel)
    return panel


def panels_for(request: HttpRequest) -> list[tuple[str, dict[str, Any]]]:
    return [shown for panel in PANELS if (shown := panel(request)) is not None]
