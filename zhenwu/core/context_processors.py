"""What every page needs to draw its navigation for the current account."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from zhenwu.core.navigation import entries_for
from zhenwu.org.roles import is_office, role_label
from zhenwu.org.scope import scope_of
from zhenwu.org.selectors import towns_of


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    # user_is_office: the one role rule templates need (org.roles), so none compares role strings.
    return {
        "nav_items": entries_for(user),
        "role_label": role_label(user),  # the active grant's role
        "user_is_office": is_office(user),
        "town_choices": _town_choices(user),
    }


def _town_choices(user: Any) -> list[tuple[int, str, bool]]:
    """The header's town switcher: (town id, name, active) for an account with grants in other
    towns (org.middleware loaded them), else nothing — no query for everyone else."""
    grants = getattr(user, "town_grants", None)
    if not grants:
        return []
    active = scope_of(user).town_id
    return [(town.pk, town.name, town.pk == active) for town in towns_of(user, grants)]
