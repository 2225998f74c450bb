"""The leader's morning in a browser: the home page says what is owed, a late report is filed
for the period named in words, and the 驾驶舱 reads on a 360 px phone."""

from datetime import date

import pytest
import time_machine
from playwright.sync_api import Page, expect

from zhenwu.e2e.conftest import sign_in
from zhenwu.ledger.models import ProgressReport
from zhenwu.ledger.services import problem_assign, problem_create
from zhenwu.org.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_queue_a_late_report_by_its_period_in_words_and_the_dashboard_on_a_phone(
    page: Page, live_server, people
):
    office = User.objects.get(username="office")
    with time_machine.travel("2026-11-25 09:00 +0800", tick=True):
        made = problem_create(actor=office, source="self_check", category="other", description="村口路灯不亮")
        problem = problem_assign(
            actor=office, problem=made, leader=people.leader_person, department=people.economy_dept,
            assignees=[people.staff], deadline=date(2027, 3, 31), assigned_on=date(2026, 10, 26),
        )  # fmt: skip
        sign_in(page, live_server.url, "leader")

        # The home page's queue: the first half of November was never reported.
        due = page.locator("table.reports-due")
        expect(due).to_contain_text("2026年11月上半月")
        expect(due).to_contain_text("已逾期未报")
        due.get_by_role("link", name=problem.number).first.click()

        # The form says which period 本期 is and takes the owed one in words.
        expect(page.get_by_text("留空为本期（2026年11月下半月）")).to_be_visible()
        page.get_by_label("报告期").fill("2026年11月上半月")
        page.get_by_label("完成进度(%)").fill("30")
        page.get_by_label("本期完成情况").fill("已联系供电所，灯杆到货")
        page.get_by_role("button", name="提交").click()
        expect(page.get_by_text("进度报告已保存")).to_be_visible()
        assert ProgressReport.objects.get(problem=problem).period_key == "2026-11-1"
        expect(page.get_by_text("2026年11月上半月").first).to_be_visible()  # the timeline, in words

        # The 驾驶舱 on a phone: every figure visible, nothing wider than the screen.
        page.set_viewport_size({"width": 360, "height": 740})
        page.get_by_role("button", name="菜单").click()  # the navigation folds away on a phone
        page.get_by_role("link", name="驾驶舱").click()
        expect(page.locator("#fig-red .value")).to_be_visible()
        expect(page.locator("#chart-departments canvas")).to_have_count(1)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
