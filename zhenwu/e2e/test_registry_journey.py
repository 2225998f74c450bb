"""The office signs in, opens the unit tree and a person, sees the ID masked, reveals it."""

import re

import pytest
from playwright.sync_api import Page, expect

from zhenwu.conftest import PASSWORD, build_town
from zhenwu.core.actors import DEMO
from zhenwu.org.constants import AccountRole
from zhenwu.org.services import account_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(live_server):
    town = build_town()
    account_create(
        actor=DEMO,
        username="office",
        password=PASSWORD,
        role=AccountRole.OFFICE,
        unit=town.office_dept,
        must_change_password=False,
    )
    return town


def test_the_office_finds_a_person_through_the_unit_tree(page: Page, live_server, seeded):
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/login/"))
    page.get_by_label("用户名").fill("office")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("再错4次将暂停登录1分钟")).to_be_visible()
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name=re.compile("您好"))).to_be_visible()

    page.get_by_role("link", name="组织机构").first.click()
    page.get_by_role("link", name="红岩村党支部").click()
    page.get_by_role("link", name="王建国").click()
    masked = page.locator("#id_number-value")
    expect(masked).to_have_text("110105********002X")
    expect(page.locator("#phone-value")).to_have_text("138****5678")
    assert "11010519491231002X" not in page.content()

    page.locator("#id_number-value + button").click()
    expect(page.locator("#id_number-value")).to_have_text("11010519491231002X")


def test_a_phone_sized_screen_gets_the_collapsed_menu(page: Page, live_server, seeded):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("office")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name="菜单")).to_be_visible()
    page.get_by_role("button", name="菜单").click()
    expect(page.get_by_role("link", name="人员", exact=True)).to_be_visible()
