"""The top navigation, assembled from what each app registers, is the same for every role as
when the core hard-coded it: the same entries, in the same order."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from zhenwu.core.context_processors import navigation
from zhenwu.org.constants import AccountRole
from zhenwu.org.models import User

EVERYONE_BEFORE = ["home", "ledger"]
EVERYONE_AFTER = ["units", "people", "inbox"]
TOWN_READER = ["home", "dashboard", "ledger", "suggestions", "evaluation", "bulletins", *EVERYONE_AFTER]
OFFICE = [*TOWN_READER, "audit", "calendar", "accounts"]
UNIT_SCOPED = [*EVERYONE_BEFORE, *EVERYONE_AFTER]

EXPECTED = {
    AccountRole.OFFICE: OFFICE,
    AccountRole.ADMIN: [*OFFICE, "system_check"],
    AccountRole.LEADER: TOWN_READER,
    AccountRole.INSPECTOR: TOWN_READER,
    AccountRole.DEPARTMENT: UNIT_SCOPED,
    AccountRole.BRANCH: UNIT_SCOPED,
    AccountRole.SERVICE_CENTER: UNIT_SCOPED,
    AccountRole.RESETTLEMENT: UNIT_SCOPED,
}


def _nav(user: object) -> dict:
    request = RequestFactory().get("/")
    request.user = user  # type: ignore[attr-defined]
    return navigation(request)


def test_every_role_is_pinned():
    assert set(EXPECTED) == set(AccountRole)


@pytest.mark.parametrize("role", list(AccountRole))
def test_each_role_sees_the_same_navigation_entries_in_the_same_order(role):
    items = _nav(User(username=f"nav-{role}", role=role))["nav_items"]
    assert [key for key, _label, _url in items] == EXPECTED[role]


def test_navigation_entries_keep_their_labels_and_addresses():
    items = {key: (str(label), url) for key, label, url in _nav(User(role=AccountRole.OFFICE))["nav_items"]}
    assert items == {
        key: (label, reverse(name))
        for key, label, name in [
            ("home", "工作台", "home"),
            ("dashboard", "驾驶舱", "bulletins:dashboard"),
            ("ledger", "整改台账", "ledger:problem_list"),
            ("suggestions", "献言献策", "suggestions:inbox"),
            ("evaluation", "测评", "evaluation:list"),
            ("bulletins", "通报", "bulletins:list"),
            ("units", "组织机构", "org:unit_tree"),
            ("people", "人员", "org:person_list"),
            ("inbox", "消息", "core:inbox"),
            ("audit", "审计日志", "core:audit_list"),
            ("calendar", "工作日历", "core:calendar"),
            ("accounts", "账号", "org:account_list"),
        ]
    }


def test_an_anonymous_visitor_gets_no_navigation():
    from django.contrib.auth.models import AnonymousUser

    assert _nav(AnonymousUser()) == {"nav_items": []}
