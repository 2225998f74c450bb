"""Panels on each person's home page, contributed by the modules (the core knows none of them).

A module registers a function in its AppConfig.ready(); the function returns a template name
and its context for this user, or None when it has nothing to show.

The work queue (待办) is one panel the core draws from lines the modules register with
`register_queue`: each line says what waits for this user, how many, and the list it links
to. The count must be the length of that list: a module computes both from one selector (a
test walks every registered line and opens its list).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

Panel = Callable[[HttpRequest], tuple[str, dict[str, Any]] | None]
PANELS: list[Panel] = []


def register(panel: Panel) -> Panel:
    PANELS.append(panel)
    return panel


def panels_for(request: HttpRequest) -> list[tuple[str, dict[str, Any]]]:
    return [shown for panel in PANELS if (shown := panel(request)) is not None]


@dataclass(frozen=True)
class QueueItem:
    """One line of the work queue: `key` names it (tests, page anchors), `url` is its list."""

    key: str
    label: str
    count: int
    url: str


QueueSource = Callable[[HttpRequest], Iterable[QueueItem]]
QUEUE: list[QueueSource] = []


def register_queue(source: QueueSource) -> QueueSource:
    """A function giving this user's lines (none for a role the module has no work for)."""
    QUEUE.append(source)
    return source


def queue_for(request: HttpRequest) -> list[QueueItem]:
    return [item for source in QUEUE for item in source(request)]


def queue_panel(request: HttpRequest) -> tuple[str, dict[str, Any]] | None:
    items = queue_for(request)
    return ("core/_queue_panel.html", {"items": items}) if items else None
