"""The people picker without JavaScript: the 搜索 button posts the form back, the matches come
back as options to tick (namesakes told apart by unit), and the ticked person is assigned."""

import pytest
from playwright.sync_api import Browser, expect

from zhenwu.conftest import PASSWORD
from zhenwu.core.actors import DEMO
from zhenwu.ledger.models import Problem
from zhenwu.ledger.services import problem_create
from zhenwu.org.models import User
from zhenwu.org.services import person_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_without_javascript_the_office_searches_ticks_the_namesake_and_assigns(
    browser: Browser, live_server, people
):
    base = live_server.url
    namesake = person_create(
        actor=DEMO, name="张明", phone="13511113333", unit=people.village, title="村委委员"
    )
    made = problem_create(
        actor=User.objects.get(username="office"),
        source="self_check",
        category="other",
        description="路灯不亮",
    )
    context = browser.new_context(
        java_script_enabled=False, locale="zh-CN", viewport={"width": 360, "height": 740}
    )
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill("office")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"{base}/ledger/{made.pk}/assign/")
    page.get_by_label("责任部门").select_option(label="经济发展办")
    # Both boxes typed, one 搜索 pressed: the page answers both.
    page.get_by_label("责任领导", exact=True).fill("lzq")
    page.get_by_label("责任人", exact=True).fill("zm")
    picker = page.locator("[data-picker]", has=page.get_by_label("责任人", exact=True))
    picker.get_by_role("button", name="搜索").click()
    expect(page.get_by_text("“zm”的搜索结果（勾选后提交）：")).to_be_visible()
    assert Problem.objects.get(pk=made.pk).status == "pending"  # a search is not a submit
    page.get_by_label("刘志强 中共测试镇委员会 · 党委书记").check()
    page.get_by_label("张明 红岩村村民委员会 · 村委委员 · 135****3333").check()
    page.get_by_label("整改时限", exact=True).fill("2027-03-31")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_text("已分派")).to_be_visible()
    assert list(Problem.objects.get(pk=made.pk).assignees.all()) == [namesake]
    context.close()
