"""The 驾驶舱 in a browser: a figure leads to the ledger rows it counts."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import Page, expect

from zhenwu.e2e.conftest import sign_in
from zhenwu.ledger.models import Problem
from zhenwu.ledger.services import problem_assign, problem_create
from zhenwu.org.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_red_figure_opens_the_overdue_rows(page: Page, live_server, people):
    office = User.objects.get(username="office")
    with time_machine.travel(datetime(2026, 11, 25, 9, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        for text, deadline in (
            ("村口路灯不亮", date(2026, 11, 10)),
            ("垃圾清运不及时", date(2026, 11, 12)),
            ("办证难", date(2027, 3, 1)),
        ):
            made = problem_create(actor=office, source="self_check", category="other", description=text)
            problem_assign(
                actor=office, problem=made, leader=people.leader_person, department=people.economy_dept,
                assignees=[people.staff], deadline=deadline, assigned_on=date(2026, 11, 1),
            )  # fmt: skip
        sign_in(page, live_server.url, "leader")
        page.get_by_role("link", name="驾驶舱").click()
        expect(page.locator("#fig-red .value")).to_have_text("2")
        expect(page.locator("#chart-departments canvas")).to_have_count(1)  # ECharts drew it
        page.locator("#fig-red").click()
        rows = page.locator("table tbody tr")
        expect(rows).to_have_count(2)
        overdue = set(
            Problem.objects.filter(deadline__lt=date(2026, 11, 25)).values_list("number", flat=True)
        )
        assert {rows.nth(i).locator("td").first.inner_text() for i in range(2)} == overdue
