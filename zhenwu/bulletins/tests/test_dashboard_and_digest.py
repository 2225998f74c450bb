"""The 驾驶舱's figures and their links, its fixed query count, and the half-monthly digest."""

from __future__ import annotations

import re
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhenwu.conftest import client_for
from zhenwu.core.actors import DEMO
from zhenwu.core.models import Notice
from zhenwu.ledger.services import problem_assign, problem_create
from zhenwu.ledger.tasks import leader_digests
from zhenwu.org.constants import AccountRole
from zhenwu.org.services import account_create

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def _problems(town, office, n: int, deadline) -> None:
    for i in range(n):
        made = problem_create(actor=office, source="self_check", category="other", description=f"问题{i}")
        problem_assign(
            actor=office, problem=made, leader=town.leader_person, department=town.economy_dept,
            assignees=[town.staff], deadline=deadline, assigned_on=deadline.replace(day=1),
        )  # fmt: skip


def test_the_dashboard_counts_link_to_the_same_rows_and_its_queries_are_fixed(
    town, office, leader, django_assert_max_num_queries
):
    from datetime import date

    with time_machine.travel(datetime(2026, 11, 25, 9, tzinfo=TZ), tick=False):
        _problems(town, office, 2, date(2026, 11, 10))  # overdue: red
        client = client_for(leader)
        with CaptureQueriesContext(connection) as few:
            page = client.get(reverse("bulletins:dashboard")).content.decode()
        assert len(few.captured_queries) <= 20
        assert 'id="fig-red" href="/ledger/?colour=red"' in page
        red = client.get("/ledger/?colour=red").content.decode()
        assert red.count('href="/ledger/') >= 2
        _problems(town, office, 12, date(2026, 11, 10))
        with CaptureQueriesContext(connection) as more:
            client.get(reverse("bulletins:dashboard"))
        assert len(more.captured_queries) == len(few.captured_queries)
        body = client.get(reverse("bulletins:dashboard")).content.decode()
    assert '<div class="value">14</div>' in body  # 14 red, and 14 problems in all


def test_each_leader_gets_one_digest_a_half_month(town, office):
    from datetime import date

    account_create(actor=DEMO, username="liu", password="Test-pass-2009", role=AccountRole.LEADER,
                   person=town.leader_person, must_change_password=False)  # fmt: skip
    _problems(town, office, 3, date(2026, 11, 10))
    with time_machine.travel(datetime(2026, 11, 25, 9, tzinfo=TZ), tick=False):
        assert leader_digests(datetime(2026, 11, 25, 9, tzinfo=TZ)) == 1
        assert leader_digests(datetime(2026, 11, 25, 10, tzinfo=TZ)) == 0  # idempotent
    notice = Notice.objects.get(key__startswith="digest:")
    assert notice.subject == "【半月督办】2026年11月下半月：未办结3个，红3个"
    assert "本期（2026年11月下半月）待报进度3个" in notice.body
    with time_machine.travel(datetime(2026, 12, 2, 9, tzinfo=TZ), tick=False):
        assert leader_digests(datetime(2026, 12, 2, 9, tzinfo=TZ)) == 1  # a new half-month


@pytest.mark.skipif(
    shutil.which("libreoffice") is None, reason="LibreOffice renders the .docx (installed by .ci/run)"
)
def test_the_docx_renders_to_a4_pages(town, office, tmp_path: Path):
    """Render as a clerk would see it; the PNGs are left in tmp_path for a person to look at."""
    import subprocess
    from datetime import date

    from zhenwu.bulletins import services
    from zhenwu.bulletins.rendering import docx_to_pdf, pdf_to_pngs

    _problems(town, office, 3, date(2026, 10, 10))
    with time_machine.travel(datetime(2026, 11, 2, 9, tzinfo=TZ), tick=False):
        bulletin = services.bulletin_generate(actor=office, month=date(2026, 10, 1))
    pdf = docx_to_pdf(services.render(bulletin), tmp_path)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "595.3" in info and "841.89" in info  # A4
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "中共××镇委员会办公室文件" in text and re.search(r"—\s*1\s*—", text)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "NotoSerifCJK" in fonts and "NotoSansCJK" in fonts  # 仿宋/小标宋 → serif, 黑体 → sans
    assert pdf_to_pngs(pdf)


def test_the_charts_legends_come_in_the_pages_language(town, office, leader):
    import json

    _problems(town, office, 1, datetime(2026, 11, 30, tzinfo=TZ).date())
    client = client_for(leader)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("bulletins:dashboard")).content.decode()
    data = json.loads(re.search(r'id="cockpit-data" type="application/json">(.*?)</script>', page).group(1))
    assert data["names"] == {
        "opened": "New", "closed_in_month": "Closed", "missed": "Overdue",
        "closed": "Closed", "open": "Open", "overdue": "Overdue",
    }  # fmt: skip
