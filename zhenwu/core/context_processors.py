"""What every page needs to draw its navigation for the current account."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhenwu.org.constants import OFFICE_ROLES, TOWN_WIDE_ROLES, AccountRole


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [("home", _("工作台"), reverse("home")), ("units", _("组织机构"), reverse("org:unit_tree"))]
    items.append(("people", _("人员"), reverse("org:person_list")))
    items.insert(1, ("ledger", _("整改台账"), reverse("ledger:problem_list")))
    if user.role in (*TOWN_WIDE_ROLES, AccountRole.INSPECTOR):
        items.insert(2, ("suggestions", _("献言献策"), reverse("suggestions:inbox")))
        items.insert(3, ("evaluation", _("测评"), reverse("evaluation:list")))
        items.insert(1, ("dashboard", _("驾驶舱"), reverse("bulletins:dashboard")))
        items.insert(5, ("bulletins", _("通报"), reverse("bulletins:list")))
    items.append(("inbox", _("消息"), reverse("core:inbox")))
    if user.role in OFFICE_ROLES:
        items.append(("audit", _("审计日志"), reverse("core:audit_list")))
        items.append(("calendar", _("工作日历"), reverse("core:calendar")))
    return {"nav_items": items, "role_label": user.get_role_display()}
