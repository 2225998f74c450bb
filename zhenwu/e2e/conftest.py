"""Browser tests: Playwright driving Debian's Chromium (it cannot download its own here)."""

import re
import shutil

import pytest
from playwright.sync_api import Page, expect

from zhenwu.conftest import PASSWORD, build_town
from zhenwu.core.actors import DEMO
from zhenwu.org.constants import AccountRole
from zhenwu.org.services import account_create

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def people(live_server):
    town = build_town()
    accounts = {}
    for username, role, unit, person in [
        ("office", AccountRole.OFFICE, town.office_dept, town.other_staff),
        ("leader", AccountRole.LEADER, None, town.leader_person),
        ("dept", AccountRole.DEPARTMENT, town.economy_dept, town.staff),
    ]:
        accounts[username] = account_create(
            actor=DEMO, username=username, password=PASSWORD, role=role, unit=unit, person=person,
            must_change_password=False,
        )  # fmt: skip
    return town


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name=re.compile("您好"))).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="退出").click()


def pick(page: Page, label: str, typed: str, *, choose: str) -> None:
    """Pick a person with the people picker: type into the field's box, click the entry that
    shows `choose` (a name, or a unit to tell namesakes apart), see it ticked."""
    box = page.get_by_label(label, exact=True)
    box.fill(typed)
    picker = page.locator("[data-picker]", has=box)
    picker.locator(".picker-option", has_text=choose).click()
    expect(picker.locator(".picker-chosen li", has_text=choose).locator("input")).to_be_checked()
