"""What every page needs to draw its navigation for the current account."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from zhenwu.org.constants import OFFICE_ROLES


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [("home", "工作台", reverse("home")), ("units", "组织机构", reverse("org:unit_tree"))]
    items.append(("people", "人员", reverse("org:person_list")))
    if user.role in OFFICE_ROLES:
        items.append(("audit", "审计日志", reverse("core:audit_list")))
        items.append(("calendar", "工作日历", reverse("core:calendar")))
    return {"nav_items": items, "role_label": user.get_role_display()}
