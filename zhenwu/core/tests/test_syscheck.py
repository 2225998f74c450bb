"""系统检查: each check fails when it should and passes when fixed; the page and the command."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db.migrations.recorder import MigrationRecorder
from django.urls import reverse
from django.utils import timezone

from zhenwu.conftest import client_for
from zhenwu.core import syscheck
from zhenwu.core.audit import audit_record
from zhenwu.core.constants import CoreAudit
from zhenwu.core.models import CalendarYear, TickRun
from zhenwu.core.syscheck import CHECKS, FAIL, INFO, OK, Finding, run_checks

pytestmark = pytest.mark.django_db
BEIJING = ZoneInfo("Asia/Shanghai")
HOST = "zhenwu.example.gov.cn"


def _production(settings) -> None:
    settings.DEBUG = False
    settings.ZHENWU_PUBLIC_URL = f"https://{HOST}/"
    settings.SESSION_COOKIE_SECURE = True
    settings.ALLOWED_HOSTS = [HOST]


def test_debug_on_fails_and_off_passes(settings):
    settings.DEBUG = True
    finding = syscheck.check_debug()
    assert finding.status == FAIL and "调试模式已开启" in finding.detail and "ZHENWU_DEBUG" in finding.fix
    settings.DEBUG = False
    assert syscheck.check_debug().status == OK


@pytest.mark.parametrize(
    "url, words",
    [
        ("", "未设置对外地址"),
        ("http://127.0.0.1:8000/", "只能在服务器本机打开"),
        ("http://localhost/", "只能在服务器本机打开"),
    ],
)
def test_an_empty_or_loopback_public_url_fails(settings, url, words):
    settings.ZHENWU_PUBLIC_URL = url
    finding = syscheck.check_public_url()
    assert finding.status == FAIL and words in finding.detail and "ZHENWU_PUBLIC_URL=" in finding.fix


def test_a_public_url_residents_reach_passes(settings):
    settings.ZHENWU_PUBLIC_URL = f"https://{HOST}/"
    finding = syscheck.check_public_url()
    assert finding.status == OK and HOST in finding.detail


def test_https_off_fails_and_on_passes(settings):
    settings.SESSION_COOKIE_SECURE = False
    assert syscheck.check_https().status == FAIL
    settings.SESSION_COOKIE_SECURE = True
    assert syscheck.check_https().status == OK


@pytest.mark.parametrize(
    "hosts, status, words",
    [
        (["127.0.0.1", "localhost", "[::1]"], FAIL, "只允许本机地址"),
        (["*"], FAIL, "允许任何主机名"),
        ([HOST, "127.0.0.1"], OK, HOST),
    ],
)
def test_allowed_hosts(settings, hosts, status, words):
    settings.ALLOWED_HOSTS = hosts
    finding = syscheck.check_allowed_hosts()
    assert finding.status == status and words in finding.detail


def _backup_made() -> None:
    audit_record(actor=None, action=CoreAudit.BACKUP_MADE, object_type="system.backup", label="zhenwu backup")


def test_no_backup_ever_fails():
    finding = syscheck.check_backup()
    assert finding.status == FAIL and "从未做过备份" in finding.detail and "zhenwu backup" in finding.fix


def test_a_backup_within_48_hours_passes_and_an_older_one_fails():
    with time_machine.travel(datetime(2026, 12, 1, 2, 0, tzinfo=BEIJING), tick=False):
        _backup_made()
    with time_machine.travel(datetime(2026, 12, 3, 1, 0, tzinfo=BEIJING), tick=False):
        finding = syscheck.check_backup()
        assert finding.status == OK and "2026-12-01 02:00" in finding.detail
    with time_machine.travel(datetime(2026, 12, 3, 3, 0, tzinfo=BEIJING), tick=False):
        finding = syscheck.check_backup()
        assert finding.status == FAIL and "2026-12-01 02:00，已超过49小时" in finding.detail


def test_next_years_calendar_unconfirmed_in_december_fails_with_a_link():
    with time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=BEIJING), tick=False):
        finding = syscheck.check_calendar()
    assert finding.status == FAIL and "2027年" in finding.detail and finding.link == reverse("core:calendar")


def test_a_confirmed_calendar_passes():
    with time_machine.travel(datetime(2026, 6, 1, 9, 0, tzinfo=BEIJING), tick=False):
        assert syscheck.check_calendar().status == OK
    CalendarYear.objects.create(year=2027, source="手工录入")
    with time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=BEIJING), tick=False):
        assert syscheck.check_calendar().status == OK


def _tick_ran(at: datetime, *, task: str = "ledger.reminders", ok: bool = True) -> None:
    TickRun.objects.update_or_create(
        task=task, defaults={"started_at": at, "finished_at": at, "ok": ok, "error": "" if ok else "boom"}
    )


def test_tick_never_run_fails():
    finding = syscheck.check_tick()
    assert finding.status == FAIL and "从未运行" in finding.detail and "zhenwu-tick.timer" in finding.fix


def test_tick_run_within_the_hour_passes_and_an_older_run_fails():
    _tick_ran(timezone.now() - timedelta(minutes=5))
    assert syscheck.check_tick().status == OK
    _tick_ran(timezone.now() - timedelta(minutes=61))
    finding = syscheck.check_tick()
    assert finding.status == FAIL and "已超过1小时" in finding.detail


def test_a_failed_tick_task_fails_naming_it():
    _tick_ran(timezone.now() - timedelta(minutes=5))
    _tick_ran(timezone.now() - timedelta(minutes=5), task="suggestions.retrain", ok=False)
    finding = syscheck.check_tick()
    assert finding.status == FAIL and "suggestions.retrain" in finding.detail and "journalctl" in finding.fix


def test_an_unapplied_migration_fails_naming_it():
    assert syscheck.check_migrations().status == OK
    latest = MigrationRecorder.Migration.objects.filter(app="core").order_by("-id").first()
    latest.delete()
    finding = syscheck.check_migrations()
    assert (
        finding.status == FAIL and f"core.{latest.name}" in finding.detail and "zhenwu migrate" in finding.fix
    )


def test_the_secret_keys_source_is_information_only(monkeypatch):
    monkeypatch.delenv("ZHENWU_SECRET_KEY", raising=False)
    monkeypatch.delenv("ZHENWU_SECRET_KEY_FILE", raising=False)
    finding = syscheck.check_secret_key()
    assert finding.status == INFO and "secret_key" in finding.detail and "备份" in finding.fix
    monkeypatch.setenv("ZHENWU_SECRET_KEY", "x" * 60)
    assert "环境变量" in syscheck.check_secret_key().detail


def test_a_check_that_raises_is_reported_failed_and_the_others_still_run(monkeypatch):
    def broken() -> Finding:
        raise RuntimeError("探针坏了")

    monkeypatch.setitem(CHECKS, "broken", broken)
    findings = run_checks()
    assert findings[0].status == FAIL  # failed ones first
    broken_finding = next(f for f in findings if f.key == "broken")
    assert broken_finding.failed and "探针坏了" in broken_finding.detail
    assert {"debug", "migrations", "published_passwords"} <= {f.key for f in findings}


def _all_ready(settings) -> None:
    _production(settings)
    _backup_made()
    _tick_ran(timezone.now())
    year = timezone.localdate().year
    for wanted in (year, year + 1):
        CalendarYear.objects.get_or_create(year=wanted, defaults={"source": "手工录入"})


def test_the_command_exits_non_zero_while_something_fails(capsys):
    with pytest.raises(SystemExit) as exited:
        call_command("check_production")
    assert exited.value.code == 1
    out = capsys.readouterr().out
    assert "✗ 备份：从未做过备份" in out and "处理办法：" in out and "项未就绪" in out


def test_the_command_exits_zero_when_everything_is_ready(settings, capsys):
    _all_ready(settings)
    call_command("check_production")
    out = capsys.readouterr().out
    assert "各项检查均已通过" in out and "✗" not in out


def test_the_command_speaks_json_for_monitoring(settings, capsys):
    _all_ready(settings)
    call_command("check_production", json=True)
    answer = json.loads(capsys.readouterr().out)
    assert answer["ok"] is True and {c["key"] for c in answer["checks"]} >= {"debug", "backup", "tick"}


def test_the_administrator_reads_the_page(admin_user, settings):
    settings.DEBUG = False
    page = client_for(admin_user).get(reverse("core:system_check")).content.decode()
    assert "系统检查" in page and "项尚未达到正式使用的要求" in page
    assert "从未做过备份" in page and "处理办法：" in page and "调试模式已关闭" in page


def test_a_superuser_of_another_role_reads_it_and_the_office_does_not(office, department_staff):
    assert client_for(office).get(reverse("core:system_check")).status_code == 404
    department_staff.is_superuser = True
    department_staff.save(update_fields=["is_superuser"])
    assert client_for(department_staff).get(reverse("core:system_check")).status_code == 200
