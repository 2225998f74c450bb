"""A resident on a phone and the office at a desk: submit with a photo, follow by code,
accept into the ledger, close, answer 不满意, and the office sees the reopen request."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Browser, Page, expect

from zhenwu.e2e.conftest import pick, sign_in
from zhenwu.ledger.models import Problem, ReopenRequest
from zhenwu.ledger.services import problem_accept, problem_apply_close
from zhenwu.org.models import User
from zhenwu.suggestions.models import Suggestion
from zhenwu.suggestions.tests.images import png_upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_resident_submits_follows_and_is_unsatisfied_office_sees_it(
    browser: Browser, page: Page, live_server, people, tmp_path
):
    base = live_server.url
    photo = tmp_path / "路灯.png"
    photo.write_bytes(png_upload().read())
    phone = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", is_mobile=True)
    resident = phone.new_page()

    # The resident scans the village's poster and writes, with a photo.
    resident.goto(f"{base}/s/?village={people.village.pk}")
    expect(resident.get_by_label("所在村(社区)")).to_have_value(str(people.village.pk))
    resident.get_by_label("您的意见建议").fill("红岩村三组路口的路灯坏了，晚上看不见路")
    resident.get_by_label("联系电话（可不填，仅党政办可见）").fill("13812345678")
    resident.get_by_label(re.compile("照片")).set_input_files(str(photo))
    resident.get_by_role("button", name="提交").click()
    code = resident.locator("#receipt").inner_text()
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", code)
    # Nothing spills sideways on a 360 px screen.
    assert resident.evaluate("document.documentElement.scrollWidth") <= 360

    # Later the resident follows it by typing the code.
    resident.goto(f"{base}/s/find/")
    resident.get_by_label("回执码").fill(code.lower())
    resident.get_by_role("button", name="查询").click()
    expect(resident.locator("#status")).to_have_text("已收到")

    # The office accepts it into the ledger, and assigns it with the suggested owners.
    sign_in(page, base, "office")
    page.get_by_role("link", name="献言献策").first.click()
    page.get_by_role("link", name=code.replace("-", "")).click()
    expect(page.get_by_text("须人工确认")).to_be_visible()
    page.get_by_role("link", name="受理为新问题…").click()
    page.get_by_label("问题类别").select_option(label="基础设施")
    page.get_by_role("button", name="受理并分派").click()
    expect(page.get_by_text(re.compile("已受理为问题"))).to_be_visible()
    pick(page, "责任领导", "lzq", choose="刘志强")
    page.get_by_label("责任部门").select_option(label="经济发展办")
    pick(page, "责任人", "zhangming", choose="张明")
    page.get_by_label("整改时限", exact=True).fill("2027-03-31")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_text("已分派")).to_be_visible()
    problem = Problem.objects.get(source="suggestion")
    expect(page.get_by_text("群众意见建议")).to_be_visible()

    # The owners finish; the office accepts the closure (the ledger's own loop is tested elsewhere).
    evidence = SimpleUploadedFile("验收.pdf", b"%PDF-1.4")
    problem_apply_close(
        actor=User.objects.get(username="dept"), problem=problem, completion="已修", files=[evidence]
    )
    problem_accept(actor=User.objects.get(username="office"), problem=Problem.objects.get(pk=problem.pk))

    # The resident is asked, and is not satisfied.
    resident.reload()
    expect(resident.locator("#status")).to_have_text("已受理并转为问题")
    expect(resident.get_by_text("问题已整改销号，您满意吗？")).to_be_visible()
    resident.get_by_label("不满意").check()
    resident.get_by_label("意见（可不填）").fill("只修好了一盏，另一盏还是不亮")
    resident.get_by_role("button", name="提交评价").click()
    expect(resident.get_by_text("谢谢您的评价")).to_be_visible()
    expect(resident.get_by_text("待党政办处理")).to_be_visible()
    expect(resident.get_by_role("button", name="提交评价")).to_have_count(0)

    # The office sees the request on the home page and in the list.
    page.goto(f"{base}/")
    page.get_by_role("link", name="群众不满意待处理").click()
    expect(page.locator("table.reopen-table")).to_contain_text("只修好了一盏")
    expect(page.locator("table.reopen-table")).to_contain_text(problem.number)
    assert ReopenRequest.objects.get().status == "pending"
    assert Suggestion.objects.get().photos.count() == 1
    phone.close()
