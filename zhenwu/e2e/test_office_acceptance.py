"""The office's day in a browser: it triages a resident's suggestion into a problem and assigns
it with the people picker (initials typed, the namesake told apart by unit, by keyboard); the
责任人 finds the assignment in their messages; the home queue leads to the closure waiting for
it; it opens the closure's photo and scanned form from the acceptance panel, then accepts; at
month end it publishes the 通报. Screenshots go to $ZHENWU_SCREENSHOTS when it is set."""

import io
import os
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from zhenwu.bulletins.models import Bulletin, BulletinStatus
from zhenwu.core.actors import DEMO
from zhenwu.core.models import AuditEvent
from zhenwu.e2e.conftest import pick, sign_in, sign_out
from zhenwu.ledger.constants import LedgerAudit
from zhenwu.ledger.models import Problem
from zhenwu.ledger.services import problem_apply_close, problem_create
from zhenwu.org.models import User
from zhenwu.org.services import person_create
from zhenwu.suggestions.services import suggestion_submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _photo() -> SimpleUploadedFile:
    image = Image.new("RGB", (800, 600), "#9ec9e8")
    ImageDraw.Draw(image).rectangle((0, 380, 800, 600), fill="#6f6f6f")
    out = io.BytesIO()
    image.save(out, "JPEG")
    return SimpleUploadedFile("修复后的路面.jpg", out.getvalue())


def _scan() -> SimpleUploadedFile:
    page = Image.new("L", (595, 842), 245)
    ImageDraw.Draw(page).rectangle((50, 120, 545, 700), outline=30, width=3)
    out = io.BytesIO()
    page.save(out, "PDF", resolution=72)
    return SimpleUploadedFile("整改销号验收单.pdf", out.getvalue())


def _shot(page: Page, name: str, width: int) -> None:
    folder = os.environ.get("ZHENWU_SCREENSHOTS")
    if folder:
        page.set_viewport_size({"width": width, "height": 900})
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}-{width}.png"), full_page=True)


def _both_widths(page: Page, name: str) -> None:
    for width in (1366, 360):
        _shot(page, name, width)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_the_office_triages_assigns_with_the_picker_accepts_after_the_evidence_and_publishes(
    page: Page, live_server, people
):
    base = live_server.url
    staff = User.objects.get(username="dept")
    # A resident's suggestion waits on the triage desk; the town has two 张明 (issue 14: the
    # native select showed them as two identical lines).
    suggestion = suggestion_submit(text="红岩村三组道路破损，雨天无法通行", village=people.village)
    namesake = person_create(
        actor=DEMO, name="张明", phone="13511113333", unit=people.village, title="村委委员"
    )
    office = User.objects.get(username="office")
    problem_create(actor=office, source="self_check", category="other", description="还没有分派的问题")

    # Triage: the office accepts the suggestion as a new problem and goes on to assign it.
    sign_in(page, base, "office")
    page.get_by_role("link", name="献言献策").first.click()
    page.locator(f'a[href="{reverse("suggestions:detail", args=[suggestion.pk])}"]').click()
    page.get_by_role("link", name="受理为新问题…").click()
    page.get_by_label("问题类别").select_option(label="基础设施")
    page.get_by_role("button", name="受理并分派").click()
    expect(page.get_by_text(re.compile("已受理为问题"))).to_be_visible()

    # The picker: the leader by a click; the department; then the 责任人 by keyboard alone —
    # initials typed, ↓ through the two 张明 to the economy office's, Enter.
    pick(page, "责任领导", "lzq", choose="刘志强")
    page.get_by_label("责任部门").select_option(label="经济发展办")
    box = page.get_by_label("责任人", exact=True)
    box.press_sequentially("zm")
    picker = page.locator("[data-picker]", has=box)
    entries = picker.locator(".picker-option")
    expect(entries).to_have_count(2)
    expect(entries.nth(0)).to_contain_text("经济发展办")  # the chosen department's staff first
    expect(entries.nth(1)).to_contain_text("红岩村村民委员会 · 村委委员 · 135****3333")
    _both_widths(page, "assign-picker")
    box.press("ArrowDown")
    expect(entries.nth(0)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(entries.nth(1)).to_be_focused()
    page.keyboard.press("ArrowUp")  # back to the economy office's 张明
    page.keyboard.press("Enter")
    chosen = picker.locator(".picker-chosen li")
    expect(chosen).to_have_count(1)
    expect(chosen.first).to_contain_text("经济发展办")
    expect(chosen.first.locator("input")).to_be_checked()
    expect(box).to_be_focused()
    pick(page, "验收人", "zl", choose="赵丽")
    page.get_by_label("整改时限", exact=True).fill((timezone.localdate() + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_text("已分派")).to_be_visible()
    problem = Problem.objects.get(description="红岩村三组道路破损，雨天无法通行")
    assert list(problem.assignees.all()) == [people.staff] and namesake not in problem.assignees.all()
    assert problem.acceptor == people.other_staff and problem.leader == people.leader_person
    sign_out(page)

    # The 责任人 was told: the notice is in their messages and leads to the problem.
    sign_in(page, base, "dept")
    page.get_by_role("link", name="消息").click()
    notice = page.locator("li", has_text=f"【新分派】{problem.number} 请您作为责任人牵头整改")
    notice.get_by_role("button", name="查看").click()
    expect(page.get_by_role("heading", name=problem.number)).to_be_visible()
    sign_out(page)
    problem_apply_close(actor=staff, problem=problem, completion="路面已全部硬化", files=[_photo(), _scan()])

    # The office's home: its queue, each figure a link to its list.
    sign_in(page, base, "office")
    waiting = page.locator("#queue-ledger\\.closures")
    expect(waiting.locator("[data-count]")).to_have_text("1")
    expect(page.locator("#queue-ledger\\.pending [data-count]")).to_have_text("1")
    _both_widths(page, "home-office")
    waiting.click()
    expect(page.locator("#result-count")).to_have_text("共 1 个问题")
    page.get_by_role("link", name=problem.number).click()

    # The acceptance panel shows the photo's thumbnail and the scanned form's first page.
    panel = page.locator(".card.border-success")
    thumbs = panel.locator(".evidence-thumb img")
    expect(thumbs).to_have_count(2)
    for i in range(2):
        thumbs.nth(i).scroll_into_view_if_needed()
        expect(thumbs.nth(i)).to_have_js_property("complete", True)
        assert thumbs.nth(i).evaluate("img => img.naturalWidth") > 100  # drawn, not a broken image
    _both_widths(page, "acceptance-panel")

    # Opening the photo: a new tab shows it.
    with page.context.expect_page() as opened:
        panel.get_by_title("打开修复后的路面.jpg").click()
    photo_tab = opened.value
    photo_tab.wait_for_load_state()
    assert photo_tab.evaluate("document.images[0].naturalWidth") == 800
    photo_tab.close()
    # The scanned form (headless Chromium downloads a PDF rather than showing it: ask for it as the tab would).
    form = next(e for e in problem.evidence.all() if e.original_name.endswith(".pdf"))
    answer = page.request.get(f"{base}/ledger/evidence/{form.pk}/")
    assert answer.ok and answer.headers["content-type"] == "application/pdf"
    assert answer.body().startswith(b"%PDF")
    opened_by_office = AuditEvent.objects.filter(action=LedgerAudit.EVIDENCE_OPENED, actor=office)
    assert set(opened_by_office.values_list("object_label", flat=True)) == {
        f"{problem.number} 修复后的路面.jpg", f"{problem.number} 整改销号验收单.pdf",
    }  # fmt: skip

    # Then it accepts, and the queue has one closure fewer.
    panel.get_by_role("button", name="验收通过，销号").click()
    expect(page.get_by_text("已销号").first).to_be_visible()
    assert Problem.objects.get(pk=problem.pk).closed_on == date.today()  # noqa: DTZ011 - the server's local day
    page.get_by_role("link", name="工作台").click()
    expect(page.locator("#queue-ledger\\.closures [data-count]")).to_have_text("0")

    # Month end: the office drafts last month's 通报 from the ledger and publishes it.
    page.get_by_role("link", name="通报").first.click()
    last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
    page.get_by_label("通报月份").fill(last_month.strftime("%Y-%m"))
    page.get_by_role("button", name="按月末台账生成草稿").click()
    expect(page.get_by_text("已生成草稿")).to_be_visible()
    page.get_by_role("button", name="编号并印发").click()
    expect(page.get_by_text(re.compile("已印发："))).to_be_visible()
    published = Bulletin.objects.get(month=last_month.replace(day=1))
    assert published.status == BulletinStatus.PUBLISHED and published.document
