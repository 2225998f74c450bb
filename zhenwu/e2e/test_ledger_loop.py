"""The whole loop in a browser: import, assign, report, a missing report turns yellow,
closure with evidence, acceptance, and the audit trail showing every step."""

import pytest
import time_machine
from playwright.sync_api import Page, expect

from zhenwu.e2e.conftest import pick, sign_in, sign_out
from zhenwu.ledger.models import Problem
from zhenwu.ledger.tests.sheets import messy_ledger

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_import_assign_report_yellow_close_accept_and_audit(page: Page, live_server, people, tmp_path):
    base = live_server.url
    sheet = tmp_path / "台账.xlsx"
    sheet.write_bytes(messy_ledger().getvalue())
    with time_machine.travel("2026-11-25 09:00 +0800", tick=True) as clock:
        # The office imports the town's sheet: a preview first, then the commit.
        sign_in(page, base, "office")
        page.goto(f"{base}/ledger/import/")
        page.get_by_label("台账文件").set_input_files(str(sheet))
        page.get_by_role("button", name="上传并检查").click()
        expect(page.get_by_text("合计行")).to_be_visible()
        page.get_by_role("button", name="确认导入").click()
        expect(page.get_by_text("已导入3个问题")).to_be_visible()

        # A new problem is registered and assigned its three owners and a deadline.
        page.get_by_role("link", name="登记问题").click()
        page.get_by_label("问题描述").fill("村口路灯不亮")
        page.get_by_role("button", name="提交").click()
        pick(page, "责任领导", "lzq", choose="刘志强")
        page.get_by_label("责任部门").select_option(label="经济发展办")
        pick(page, "责任人", "zhangming", choose="张明")
        page.get_by_label("整改时限", exact=True).fill("2026-12-31")
        page.get_by_role("button", name="提交").click()
        expect(page.get_by_text("已分派")).to_be_visible()
        problem = Problem.objects.get(description="村口路灯不亮")
        sign_out(page)

        # The leader files this half-month's report.
        sign_in(page, base, "leader")
        page.goto(f"{base}/ledger/{problem.pk}/")
        page.get_by_role("link", name="填报半月进度").click()
        page.get_by_label("完成进度(%)").fill("40")
        page.get_by_label("本期完成情况").fill("已更换灯杆")
        page.get_by_role("button", name="提交").click()
        expect(page.get_by_text("进度报告已保存")).to_be_visible()
        sign_out(page)

        # Three weeks on, nobody has reported the first half of December: yellow.
        clock.move_to("2026-12-17 09:00 +0800")
        sign_in(page, base, "office")
        page.goto(f"{base}/ledger/?colour=yellow")
        expect(page.get_by_role("link", name=problem.number)).to_be_visible()
        page.goto(f"{base}/ledger/{problem.pk}/")
        expect(page.locator("#warning-badge")).to_have_text("黄")
        expect(page.get_by_text("缺少2026年12月上半月进度报告")).to_be_visible()
        sign_out(page)

        # The responsible person applies for closure with evidence.
        photo = tmp_path / "验收照片.pdf"
        photo.write_bytes(b"%PDF-1.4 photo")
        sign_in(page, base, "dept")
        page.goto(f"{base}/ledger/{problem.pk}/")
        page.get_by_role("link", name="申请销号").click()
        page.get_by_label("完成情况").fill("路灯已全部修复")
        page.get_by_label("佐证材料").set_input_files(str(photo))
        page.get_by_role("button", name="提交").click()
        expect(page.get_by_text("已申请销号，等待验收")).to_be_visible()
        sign_out(page)

        # The office accepts; the timeline shows every step.
        sign_in(page, base, "office")
        page.goto(f"{base}/ledger/{problem.pk}/")
        page.get_by_role("button", name="验收通过，销号").click()
        expect(page.get_by_text("已销号").first).to_be_visible()
        timeline = page.locator("ol.timeline")
        for step in ("登记问题", "分派", "提交进度报告", "申请销号", "验收销号"):
            expect(timeline).to_contain_text(step)
    assert Problem.objects.get(pk=problem.pk).status == "closed"
