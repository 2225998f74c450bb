"""A survey in the browser: a voter on a phone, two clerks keying paper with one mismatch,
a third person settling it, and the office publishing figures that match a hand count."""

import re
from datetime import date

import pytest
from playwright.sync_api import Browser, Page, expect

from zhenwu.conftest import PASSWORD
from zhenwu.core.actors import DEMO
from zhenwu.e2e.conftest import sign_in, sign_out
from zhenwu.evaluation import services
from zhenwu.evaluation.models import Ballot, Survey
from zhenwu.org.constants import AccountRole
from zhenwu.org.models import User
from zhenwu.org.services import account_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _clerks(town) -> None:
    for name in ("clerk1", "clerk2"):
        account_create(actor=DEMO, username=name, password=PASSWORD, role=AccountRole.OFFICE,
                       unit=town.office_dept, must_change_password=False)  # fmt: skip


def _key_paper(page: Page, base: str, survey: Survey, sheet: int, category: str, level: str) -> None:
    page.goto(f"{base}/evaluation/{survey.pk}/paper/")
    page.get_by_label("票号").fill(str(sheet))
    page.get_by_label("类别").select_option(label=category)
    page.locator(".ballot-row").first.get_by_text(level, exact=True).click()
    page.get_by_role("button", name="保存本票").click()


def test_vote_on_a_phone_key_paper_twice_reconcile_and_publish(
    browser: Browser, page: Page, live_server, people
):
    base = live_server.url
    _clerks(people)
    office = User.objects.get(username="office")
    survey = services.survey_create(
        actor=office, title="群众满意度测评", purpose="satisfaction",
        period_start=date(2026, 11, 1), period_end=date(2026, 11, 30),
    )  # fmt: skip
    services.survey_step(actor=office, survey=survey, action="open")
    category = survey.categories.get(name="群众代表")
    services.codes_generate(actor=office, survey=survey, category=category, count=3)
    code = survey.codes.order_by("id").values_list("code", flat=True)[0]

    # The voter scans the slip (the code rides after '#') and votes on a phone.
    phone = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", is_mobile=True)
    voter = phone.new_page()
    voter.goto(f"{base}/v/#{code}")
    expect(voter.get_by_label("测评码")).to_have_value(code)
    voter.get_by_role("button", name="下一步").click()
    voter.get_by_text("比较满意", exact=True).click()
    voter.get_by_role("button", name="提交测评").click()
    expect(voter.locator("#done")).to_have_text("投票已提交，谢谢您！")
    assert voter.evaluate("document.documentElement.scrollWidth") <= 360
    # The same code again is refused.
    voter.goto(f"{base}/v/")
    voter.get_by_label("测评码").fill(code)
    voter.get_by_role("button", name="下一步").click()
    expect(voter.get_by_text("该测评码已经使用过")).to_be_visible()
    phone.close()

    # Two clerks key paper ballots 1 and 2; they disagree on ballot 2.
    sign_in(page, base, "clerk1")
    _key_paper(page, base, survey, 1, "群众代表", "满意")
    expect(page.get_by_text("票号1：已录一遍")).to_be_visible()
    _key_paper(page, base, survey, 2, "群众代表", "不满意")
    sign_out(page)
    sign_in(page, base, "clerk2")
    _key_paper(page, base, survey, 1, "群众代表", "满意")
    expect(page.get_by_text("票号1：两遍一致，已计票")).to_be_visible()
    _key_paper(page, base, survey, 2, "群众代表", "基本满意")
    expect(page.get_by_text("票号2：两遍不一致，待核对")).to_be_visible()
    sign_out(page)

    # A third person looks at paper ballot 2: it says 不满意.
    sign_in(page, base, "office")
    page.goto(f"{base}/evaluation/{survey.pk}/paper/")
    page.get_by_role("link", name="票号 2").click()
    expect(page.locator("table.differences")).to_contain_text("基本满意")
    page.locator(".ballot-row").first.get_by_text("不满意", exact=True).click()
    page.get_by_role("button", name="核对完毕，计票").click()
    expect(page.get_by_text("票号2已核对并计票")).to_be_visible()

    # While the survey runs the office sees turnout, not figures: one phone vote and two
    # counted sheets, all three still waiting for their batch (ADR 0005).
    page.goto(f"{base}/evaluation/{survey.pk}/results/")
    expect(page.locator("#results-hidden")).to_contain_text("测评结束后才显示")
    expect(page.locator("#turnout-total")).to_contain_text("已投 3 张，其中 3 张待入账")
    expect(page.locator("#overall-rate")).to_have_count(0)

    # Close and publish; the figures are those of a hand count.
    page.goto(f"{base}/evaluation/{survey.pk}/")
    page.get_by_role("button", name="结束测评").click()
    page.get_by_role("button", name="公布结果").click()
    expect(page.locator("#survey-status")).to_have_text("已公布")
    page.goto(f"{base}/evaluation/{survey.pk}/results/")
    # Hand count: 比较满意 (phone), 满意 (paper 1), 不满意 (paper 2) -> 2 of 3 satisfied.
    expect(page.locator("#overall-rate")).to_have_text("66.7%")
    expect(page.get_by_text(re.compile(r"2 / 3 个有效评价"))).to_be_visible()
    row = page.locator(".tally-row").first
    expect(row.locator("tbody tr").first).to_contain_text("1")
    assert (
        Ballot.objects.filter(channel="paper").count() == 2
        and Ballot.objects.filter(channel="online").count() == 1
    )
