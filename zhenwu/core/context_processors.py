"""What every page needs to draw its navigation for the current account."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from zhenwu.core.navigation import entries_for
from zhenwu.org.roles import is_office


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    # user_is_office: the one role rule templates need (org.roles), so none compares role strings.
    return {
        "nav_items": entries_for(user),
        "role_label": user.get_role_display(),
        "user_is_office": is_office(user),
    }
