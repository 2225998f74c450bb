"""The administrator's day with accounts, in a browser: open an account for a registered person
(the one-time password is shown once), the newcomer signs in and must change it first (the
rules are on the page, the menu that only bounced back is not), then reset a password, lift a
sign-in limit, and deactivate an account. Screenshots go to $ZHENWU_SCREENSHOTS when set."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Dialog, Page, expect

from zhenwu.conftest import PASSWORD
from zhenwu.core.actors import DEMO
from zhenwu.core.models import AuditEvent
from zhenwu.e2e.conftest import sign_in, sign_out
from zhenwu.org.constants import AccountRole, OrgAudit
from zhenwu.org.logins import LoginRefused, account_login_check
from zhenwu.org.models import User
from zhenwu.org.services import account_create, person_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shots(page: Page, name: str) -> None:
    folder = os.environ.get("ZHENWU_SCREENSHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    for width in (1366, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(Path(folder) / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def _row(page: Page, username: str):
    return page.locator("tr", has=page.locator("td.font-monospace", has_text=re.compile(f"^{username}$")))


def test_the_administrator_opens_resets_unlocks_and_deactivates_accounts(page: Page, live_server, people):
    base = live_server.url
    account_create(
        actor=DEMO, username="sysadmin", password=PASSWORD, role=AccountRole.ADMIN, must_change_password=False
    )
    person_create(actor=DEMO, name="周八", unit=people.economy_dept, title="干事")
    asked: list[str] = []

    def answer(dialog: Dialog) -> None:  # the list's 确认 prompts: note the question, say yes
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)

    # Open an account for 周八: found by initials, the username suggested from pinyin.
    sign_in(page, base, "sysadmin")
    page.get_by_role("link", name="账号").first.click()
    expect(page.get_by_role("link", name="系统管理（高级）")).to_be_visible()
    page.get_by_role("link", name="为人员开设账号").click()
    page.get_by_placeholder("姓名、拼音或首字母").fill("zb")
    page.get_by_role("button", name="查找").click()
    page.get_by_role("link", name=re.compile("周八")).click()
    expect(page.get_by_label("用户名")).to_have_value("zhouba")
    page.get_by_label("系统角色").select_option("department")
    page.get_by_label("所属单位").select_option(str(people.economy_dept.pk))
    page.get_by_role("button", name="开设账号").click()
    expect(page.get_by_role("heading", name=re.compile("账号已开设"))).to_be_visible()
    password = page.locator("#one-time-password").inner_text().strip()
    assert User.objects.get(username="zhouba").check_password(password)
    page.get_by_role("link", name="返回账号列表").click()
    expect(_row(page, "zhouba")).to_contain_text("待修改密码")
    expect(page.locator("body")).not_to_contain_text(password)
    sign_out(page)

    # The newcomer must change the password first; the rules are shown before anything is typed.
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill("zhouba")
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="修改密码")).to_be_visible()
    rules = page.locator("#password-rules")
    expect(rules).to_contain_text("密码至少8个字符")
    expect(rules).to_contain_text("不能包含用户名或姓名的拼音")
    expect(page.get_by_role("link", name="人员")).to_have_count(0)
    expect(page.get_by_role("link", name="接口令牌")).to_have_count(0)
    page.locator("#id_old_password").fill(password)
    page.locator("#id_new_password").fill("Hongyan#Road7")
    page.locator("#id_new_password2").fill("Hongyan#Road7")
    page.get_by_role("button", name="保存新密码").click()
    expect(page.get_by_role("heading", name=re.compile("周八，您好"))).to_be_visible()
    sign_out(page)

    # Reset 经济发展办's clerk's password, lift the leader's sign-in limit, deactivate the office.
    for _ in range(6):
        with pytest.raises(LoginRefused):
            account_login_check(username="leader", password="wrong", ip="10.0.0.66")
    sign_in(page, base, "sysadmin")
    page.goto(f"{base}/accounts/")
    _row(page, "dept").get_by_role("link", name="重置密码").click()
    page.get_by_role("button", name="确认重置").click()
    reset = page.locator("#one-time-password").inner_text().strip()
    assert User.objects.get(username="dept").check_password(reset)
    page.get_by_role("link", name="返回账号列表").click()
    page.get_by_label("状态").select_option("held_back")
    page.get_by_role("button", name="查询").click()
    expect(_row(page, "leader")).to_contain_text("登录受限")
    _row(page, "leader").get_by_role("button", name="解除限制").click()
    expect(page.get_by_text("已解除leader的登录限制")).to_be_visible()
    _row(page, "office").get_by_role("button", name="停用账号").click()
    expect(page.get_by_text("已停用账号office")).to_be_visible()
    assert asked == ["解除账号 leader 的登录限制？", "停用账号 office？其已登录的会话和接口令牌立即失效。"]
    expect(_row(page, "office")).to_contain_text("已停用")
    assert not User.objects.get(username="office").is_active
    actions = set(
        AuditEvent.objects.filter(actor_id=User.objects.get(username="sysadmin").pk).values_list(
            "action", flat=True
        )
    )
    assert {
        OrgAudit.ACCOUNT_CREATED,
        OrgAudit.PASSWORD_RESET,
        OrgAudit.ACCOUNT_UNLOCKED,
        OrgAudit.ACCOUNT_DEACTIVATED,
    } <= actions
