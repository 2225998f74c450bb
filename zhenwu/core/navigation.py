"""The entries of the top navigation, contributed by the apps (the core knows none but its own).

An app registers its entries in its AppConfig.ready(): a key (the `nav_active` a page sets),
a label, a URL name, an order (the place in the bar, lowest first) and a predicate on the
account deciding who sees the entry. The context processor draws the ones the account sees.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise


def everyone(user: Any) -> bool:
    return True


@dataclass(frozen=True)
class NavEntry:
    key: str
    label: str | Promise
    url_name: str
    order: int
    visible: Callable[[Any], bool] = everyone


ENTRIES: dict[str, NavEntry] = {}


def register(entry: NavEntry) -> NavEntry:
    """Add an entry; registering a key twice is a mistake (two apps claiming one place)."""
    if entry.key in ENTRIES and ENTRIES[entry.key] != entry:
        raise ValueError(f"navigation entry {entry.key!r} is already registered")
    ENTRIES[entry.key] = entry
    return entry


def entries_for(user: Any) -> list[tuple[str, str | Promise, str]]:
    """(key, label, url) of every entry this signed-in account sees, in order."""
    shown = sorted((e for e in ENTRIES.values() if e.visible(user)), key=lambda e: (e.order, e.key))
    return [(e.key, e.label, reverse(e.url_name)) for e in shown]
