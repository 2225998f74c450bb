"""系统检查: what still stands between this installation and production, in plain Chinese.

Each check is a small function returning a Finding, registered here (or by a module from its
AppConfig.ready(), as the demo does for its initial password). The administrator's 系统检查
page and `zhenwu check-production` (for the IT office's monitoring) run the same list.
A check that raises is reported as failed, never as a broken page.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from zhenwu.core.calendar import unconfirmed_years
from zhenwu.core.constants import CoreAudit
from zhenwu.core.models import AuditEvent
from zhenwu.core.passwords import PUBLISHED_PASSWORDS, register_published_password  # noqa: F401
from zhenwu.core.tick import failed_tasks, last_run
from zhenwu.lib.hosts import is_loopback_host, is_loopback_url
from zhenwu.org.models import User

logger = logging.getLogger("zhenwu.syscheck")

OK, FAIL, INFO = "ok", "fail", "info"
BACKUP_MAX_AGE = timedelta(hours=48)
TICK_MAX_AGE = timedelta(hours=1)


@dataclass(frozen=True)
class Finding:
    key: str
    title: str
    status: str  # OK, FAIL or INFO (informational: never fails the command)
    detail: str  # what was found
    fix: str = ""  # what to do about it
    link: str = ""  # a page of the application where it is fixed

    @property
    def failed(self) -> bool:
        return self.status == FAIL

    @property
    def informational(self) -> bool:
        return self.status == INFO


Check = Callable[[], Finding]
CHECKS: dict[str, Check] = {}


def register(key: str) -> Callable[[Check], Check]:
    def decorator(check: Check) -> Check:
        CHECKS[key] = check
        return check

    return decorator


# Seconds a slow check may spend when a page waits for it; None (the command) means no limit.
time_budget: ContextVar[float | None] = ContextVar("time_budget", default=None)


def run_checks(*, budget: float | None = None) -> list[Finding]:
    """Every registered check in order of registration; failed ones first."""
    token = time_budget.set(budget)
    try:
        return _run_all()
    finally:
        time_budget.reset(token)


def _run_all() -> list[Finding]:
    findings = []
    for key, check in CHECKS.items():
        try:
            findings.append(check())
        except Exception as exc:  # noqa: BLE001 — one broken check must not hide the others
            logger.exception("system check %s failed", key)
            findings.append(
                Finding(
                    key, key, FAIL, _("检查本身出错：%(error)s") % {"error": f"{type(exc).__name__}: {exc}"}
                )
            )
    order = {FAIL: 0, INFO: 1, OK: 2}
    return sorted(findings, key=lambda f: order[f.status])


# ---------------------------------------------------------------------------------------
# The core's checks


@register("debug")
def check_debug() -> Finding:
    title = _("调试模式")
    if settings.DEBUG:
        return Finding(
            "debug", title, FAIL,
            _("调试模式已开启：程序出错时，页面会向任何访问者显示设置、代码和数据库查询。"),
            _("在设置文件中删除 ZHENWU_DEBUG 或设为 0，然后重启服务。"),
        )  # fmt: skip
    return Finding("debug", title, OK, _("调试模式已关闭。"))


@register("public_url")
def check_public_url() -> Finding:
    title = _("对外访问地址")
    url = settings.ZHENWU_PUBLIC_URL
    fix = _(
        "在设置文件中写明群众访问的地址，例如 ZHENWU_PUBLIC_URL=https://zhenwu.example.gov.cn/（deploy-config 生成的设置文件已包含），然后重启服务。"
    )
    if not url.strip():
        return Finding(
            "public_url", title, FAIL,
            _("未设置对外地址（ZHENWU_PUBLIC_URL）：二维码海报和测评票会印上打开下载页时的地址，在服务器本机打开时就是 http://127.0.0.1…，群众扫码打不开。"),
            fix,
        )  # fmt: skip
    if is_loopback_url(url):
        return Finding(
            "public_url", title, FAIL,
            _("对外地址是 %(url)s，只能在服务器本机打开：印在二维码海报和测评票上，群众扫码打不开。") % {"url": url},
            fix,
        )  # fmt: skip
    return Finding("public_url", title, OK, _("对外地址：%(url)s") % {"url": url})


@register("https")
def check_https() -> Finding:
    title = _("HTTPS 加密")
    if not settings.SESSION_COOKIE_SECURE:
        return Finding(
            "https", title, FAIL,
            _("未启用 HTTPS：密码、会话和群众的联系方式在网络上明文传输，途经的设备都能看到。"),
            _("按 zhenwu deploy-config 生成的 nginx 配置安装证书，并在设置文件中设 ZHENWU_HTTPS=1，然后重启服务。"),
        )  # fmt: skip
    return Finding("https", title, OK, _("已启用 HTTPS（会话 Cookie 仅经加密连接发送，并开启 HSTS）。"))


@register("allowed_hosts")
def check_allowed_hosts() -> Finding:
    title = _("允许的主机名")
    hosts = list(settings.ALLOWED_HOSTS)
    fix = _("在设置文件中设 ZHENWU_ALLOWED_HOSTS=群众访问的域名，然后重启服务。")
    if "*" in hosts:
        return Finding(
            "allowed_hosts", title, FAIL,
            _("允许任何主机名（*）：伪造的主机名可能被写进密码重置等链接。"),
            fix,
        )  # fmt: skip
    if all(is_loopback_host(h) for h in hosts):
        return Finding(
            "allowed_hosts", title, FAIL,
            _("只允许本机地址（%(hosts)s）：用域名访问时，每个页面都会显示“Bad Request (400)”。")
            % {"hosts": "、".join(hosts) or _("无")},
            fix,
        )  # fmt: skip
    return Finding("allowed_hosts", title, OK, _("允许的主机名：%(hosts)s") % {"hosts": "、".join(hosts)})


@register("backup")
def check_backup() -> Finding:
    title = _("备份")
    fix = _("每晚运行 zhenwu backup（cron 命令见 README），并把备份文件复制到另一台机器。")
    latest = (
        AuditEvent.objects.filter(action=CoreAudit.BACKUP_MADE)
        .order_by("-seq")
        .values_list("created_at", flat=True)
        .first()
    )
    if latest is None:
        return Finding("backup", title, FAIL, _("从未做过备份：硬盘损坏或误删后，所有记录都无法找回。"), fix)
    age = timezone.now() - latest
    when = date_format(timezone.localtime(latest), "Y-m-d H:i")
    if age > BACKUP_MAX_AGE:
        return Finding(
            "backup", title, FAIL,
            _("最近一次备份在 %(when)s，已超过%(hours)s小时。") % {"when": when, "hours": int(age.total_seconds() // 3600)},
            fix,
        )  # fmt: skip
    return Finding("backup", title, OK, _("最近一次备份在 %(when)s。") % {"when": when})


@register("calendar")
def check_calendar() -> Finding:
    title = _("工作日历")
    missing = unconfirmed_years(timezone.localdate())
    if missing:
        years = "、".join(str(y) for y in missing)
        return Finding(
            "calendar", title, FAIL,
            _("%(years)s年的放假安排尚未确认：落在这些年度的整改时限不能按正式安排计算。") % {"years": years},
            _("国务院办公厅公布放假安排后，在“工作日历”页录入或导入并确认该年度。"),
            reverse("core:calendar"),
        )  # fmt: skip
    return Finding("calendar", title, OK, _("本年度（及11月起的下一年度）的放假安排已确认。"))


@register("tick")
def check_tick() -> Finding:
    title = _("定时任务")
    fix = _(
        "启用每5分钟运行一次的定时任务：systemctl enable --now zhenwu-tick.timer（或在 cron 中每5分钟运行 zhenwu tick）。"
    )
    finished = last_run()
    if finished is None:
        return Finding(
            "tick", title, FAIL, _("定时任务从未运行：不会发送报告提醒、红色预警和每半月的督办汇总。"), fix
        )
    age = timezone.now() - finished
    if age > TICK_MAX_AGE:
        return Finding(
            "tick", title, FAIL,
            _("定时任务最近一次运行在 %(when)s，已超过1小时：提醒和预警已停止发送。")
            % {"when": date_format(timezone.localtime(finished), "Y-m-d H:i")},
            fix,
        )  # fmt: skip
    failed = failed_tasks()
    if failed:
        return Finding(
            "tick", title, FAIL,
            _("定时任务中有任务最近一次运行失败：%(tasks)s（其余任务照常运行）。") % {"tasks": "、".join(failed)},
            _("查看日志（journalctl -u zhenwu-tick）找出原因并处理；下次成功运行后此项自动恢复。"),
        )  # fmt: skip
    return Finding(
        "tick", title, OK,
        _("定时任务最近一次运行在 %(when)s，各项任务均成功。")
        % {"when": date_format(timezone.localtime(finished), "Y-m-d H:i")},
    )  # fmt: skip


def unapplied_migrations(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """'app.name' of every migration in the code that the database has not recorded."""
    connection = connections[alias]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


@register("migrations")
def check_migrations() -> Finding:
    title = _("数据库迁移")
    pending = unapplied_migrations()
    if pending:
        return Finding(
            "migrations", title, FAIL,
            _("有%(n)s个数据库迁移尚未执行（%(names)s）：相关页面可能出错。")
            % {"n": len(pending), "names": "、".join(pending[:5]) + ("…" if len(pending) > 5 else "")},
            _("停止服务，运行 zhenwu migrate，再启动服务。"),
        )  # fmt: skip
    return Finding("migrations", title, OK, _("数据库迁移已全部执行。"))


@register("secret_key")
def check_secret_key() -> Finding:
    title = _("密钥来源")
    if os.environ.get("ZHENWU_SECRET_KEY"):
        detail = _("密钥来自环境变量 ZHENWU_SECRET_KEY。")
    elif path := os.environ.get("ZHENWU_SECRET_KEY_FILE"):
        detail = _("密钥来自文件 %(path)s（ZHENWU_SECRET_KEY_FILE）。") % {"path": path}
    else:
        detail = _("密钥由系统生成，保存在 %(path)s。") % {"path": settings.VAR_DIR / "secret_key"}
    return Finding(
        "secret_key", title, INFO, detail,
        _("密钥用于会话和限流记录：备份时须一并保存；丢失后所有人须重新登录。不要把它写进代码或发给他人。"),
    )  # fmt: skip


# ---------------------------------------------------------------------------------------
# Published passwords: a module that prints an initial password for everyone to read (the
# demo's README and seed output) registers it, and no account may still open with it.

# The registry is the password rules' (core.passwords.PUBLISHED_PASSWORDS), which also refuse
# these as anyone's own password; register_published_password is imported here for callers.


# (account id, stored hash) → opens with a published password. A hash check costs ~0.3 s by
# design, so each account is checked once per stored hash: a changed password is a new key,
# so an answer is never stale, and the page costs nothing after its first visit per worker.
_verdicts: dict[tuple[int, str], bool] = {}
_MAX_REMEMBERED = 10_000


def _opens_with_published(user_id: int, stored: str) -> bool:
    key = (user_id, stored)
    if key not in _verdicts:
        if len(_verdicts) >= _MAX_REMEMBERED:
            _verdicts.clear()
        _verdicts[key] = any(check_password(password, stored) for password in sorted(PUBLISHED_PASSWORDS))
    return _verdicts[key]


def published_password_accounts() -> tuple[list[str], int]:
    """Usernames of active accounts whose password is still one that was published, and how
    many candidates were left unchecked because the time budget (a waiting page) ran out.

    Only accounts that never chose a password of their own can still have it: those told to
    change it at first login (must_change_password) and those whose password was never changed
    in the application (password_changed_at empty; account_change_password sets it). The
    others chose a password the validators checked, and are not hashed at all.
    """
    if not PUBLISHED_PASSWORDS:
        return [], 0
    candidates = list(
        User.objects.filter(is_active=True)
        .filter(Q(must_change_password=True) | Q(password_changed_at__isnull=True))
        .exclude(password__startswith="!")  # unusable passwords
        .order_by("username")
        .values_list("pk", "username", "password")
    )
    budget = time_budget.get()
    deadline = None if budget is None else time.monotonic() + budget
    found, unchecked, hashed = [], 0, 0
    for pk, name, stored in candidates:
        if (pk, stored) not in _verdicts:
            # At least one new account per visit, so each refresh gets further.
            if hashed and deadline is not None and time.monotonic() > deadline:
                unchecked += 1
                continue
            hashed += 1
        if _opens_with_published(pk, stored):
            found.append(name)
    return found, unchecked


@register("published_passwords")
def check_published_passwords() -> Finding:
    title = _("公开的初始密码")
    found, unchecked = published_password_accounts()
    later = (
        _("另有%(n)s个账号这次来不及检查（每个约需0.3秒），刷新本页继续检查。") % {"n": unchecked}
        if unchecked
        else ""
    )
    if found:
        shown = "、".join(found[:10]) + ("…" if len(found) > 10 else "")
        return Finding(
            "published_passwords", title, FAIL,
            _("%(n)s个账号仍在使用公开发布过的初始密码（如演示数据的密码）：%(names)s。知道这个密码的人都能登录。")
            % {"n": len(found), "names": shown} + later,
            _("请这些账号的使用者立即登录并修改密码；不用的演示账号请在后台管理（/admin/）停用。"),
        )  # fmt: skip
    if unchecked:
        return Finding("published_passwords", title, INFO, later)
    return Finding("published_passwords", title, OK, _("没有账号使用公开发布过的初始密码。"))
