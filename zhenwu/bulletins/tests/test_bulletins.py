"""The monthly 通报: figures as they stood at the month's end, numbering, refusals, the .docx."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from docx import Document
from docx.shared import Length

from zhenwu.bulletins import services
from zhenwu.bulletins.docx import CHAR_SPACING_TWIPS, LINE_TWIPS, cn_date, doc_number
from zhenwu.bulletins.figures import month_figures
from zhenwu.bulletins.models import Bulletin
from zhenwu.core.audit import ChainHead
from zhenwu.ledger.constants import DeadlineBasis
from zhenwu.ledger.models import Problem
from zhenwu.ledger.services import (
    problem_accept,
    problem_apply_close,
    problem_assign,
    problem_create,
    problem_resume,
    problem_suspend,
)

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def _at(text: str):
    return time_machine.travel(datetime.fromisoformat(text).replace(tzinfo=TZ), tick=False)


@pytest.fixture
def october(town, office, department_staff):
    """Three problems made in October 2026: one closed on time, one overdue, one pending."""
    made = []
    with _at("2026-10-05 10:00"):
        for text in ("村口路灯不亮", "垃圾清运不及时", "办证难"):
            made.append(problem_create(actor=office, source="self_check", category="other", description=text))
        for problem, deadline in ((made[0], date(2026, 10, 20)), (made[1], date(2026, 10, 15))):
            problem_assign(
                actor=office, problem=problem, leader=town.leader_person, department=town.economy_dept,
                assignees=[town.staff], deadline=deadline, assigned_on=date(2026, 10, 5),
            )  # fmt: skip
    with _at("2026-10-18 10:00"):
        problem_apply_close(
            actor=department_staff, problem=Problem.objects.get(pk=made[0].pk), completion="已修复",
            files=[SimpleUploadedFile("验收.pdf", b"%PDF-1.4")],
        )  # fmt: skip
        problem_accept(actor=office, problem=Problem.objects.get(pk=made[0].pk))
    return made


def test_figures_are_the_ledger_at_the_months_end_and_stay_so(october, office, department_staff):
    with _at("2026-11-02 09:00"):
        f = month_figures(date(2026, 10, 1))
    assert (f.total, f.closed, f.in_progress, f.pending, f.overdue) == (3, 1, 1, 1, 1)
    assert (f.new_this_month, f.closed_this_month, f.closed_on_time_this_month) == (3, 1, 1)
    assert f.rate == pytest.approx(1 / 3)
    assert [i["number"] for i in f.overdue_items] == [october[1].number] and f.overdue_items[0][
        "days"
    ] == "11个工作日"
    line = f.by_department[0]
    assert (line.name, line.total, line.closed, line.overdue) == ("经济发展办", 2, 1, 1)
    # Assigned on 10-05, the open one owes both halves' reports: the first half contains the
    # assignment (as the live ledger's 黄 says on 10-16), the second has ended by November.
    assert line.missing_reports == 2
    # November: the overdue one is closed too. October's figures do not change.
    with _at("2026-11-20 10:00"):
        problem_apply_close(
            actor=department_staff, problem=Problem.objects.get(pk=october[1].pk), completion="已清运",
            files=[SimpleUploadedFile("验收.pdf", b"%PDF-1.4")],
        )  # fmt: skip
        problem_accept(actor=office, problem=Problem.objects.get(pk=october[1].pk))
        again = month_figures(date(2026, 10, 1))
    assert again.as_json() == f.as_json()


def test_a_later_suspension_does_not_rewrite_a_past_month(october, office):
    """Overdue at the end of October (deadline 10-15); its clock is stopped in November for long
    enough to push the deadline past October. October rebuilt afterwards: still overdue."""
    overdue = october[1]
    with _at("2026-11-02 09:00"):
        before = month_figures(date(2026, 10, 1))
    with _at("2026-11-03 09:00"):
        problem_suspend(actor=office, problem=Problem.objects.get(pk=overdue.pk), reason="等待上级批复")
    with _at("2026-12-10 09:00"):
        problem_resume(actor=office, problem=Problem.objects.get(pk=overdue.pk))
        assert Problem.objects.get(pk=overdue.pk).deadline > date(2026, 10, 31)
        again = month_figures(date(2026, 10, 1))
    assert again.as_json() == before.as_json() and again.overdue == 1


def test_a_problem_whose_clock_is_stopped_at_the_months_end_is_not_overdue(october, office):
    """Stopped on 10-12 (before its 10-15 deadline) and still stopped on 10-31: like the live
    ledger, neither overdue nor owing reports. Resumed in November, October stays so."""
    stopped = october[1]
    with _at("2026-10-12 09:00"):
        problem_suspend(actor=office, problem=Problem.objects.get(pk=stopped.pk), reason="等待上级批复")
    with _at("2026-11-02 09:00"):
        f = month_figures(date(2026, 10, 1))
    assert f.overdue == 0 and f.overdue_items == [] and f.by_department[0].missing_reports == 0
    assert f.in_progress == 1  # still counted as in hand
    with _at("2026-11-09 09:00"):
        problem_resume(actor=office, problem=Problem.objects.get(pk=stopped.pk))
        assert month_figures(date(2026, 10, 1)).as_json() == f.as_json()
    # The 20 working days stopped move the deadline from 10-15 to 11-12; by November's end the
    # clock has run again for three weeks and it is overdue there.
    assert Problem.objects.get(pk=stopped.pk).deadline == date(2026, 11, 12)
    with _at("2026-12-01 09:00"):
        assert month_figures(date(2026, 11, 1)).overdue == 1


def test_a_long_term_problem_owes_its_reports_as_on_the_live_ledger(october, town, office):
    """The pending one becomes 长期坚持 on 10-05: no deadline, so never overdue, but like any
    problem being worked on it owes both half-months' reports, and it is named."""
    with _at("2026-10-05 11:00"):
        problem_assign(
            actor=office, problem=Problem.objects.get(pk=october[2].pk), leader=town.leader_person,
            department=town.economy_dept, assignees=[town.staff], deadline_basis=DeadlineBasis.LONG_TERM,
            assigned_on=date(2026, 10, 5),
        )  # fmt: skip
    with _at("2026-11-02 09:00"):
        f = month_figures(date(2026, 10, 1))
    assert (f.long_term, f.in_progress, f.overdue) == (1, 1, 1)
    assert october[2].number in [i["number"] for i in f.missing_items]
    assert f.by_department[0].missing_reports == 4


def test_generate_publish_number_and_refusals(october, office):
    with _at("2026-11-02 09:00"):
        with pytest.raises(ValidationError) as caught:
            services.bulletin_generate(actor=office, month=date(2026, 11, 1))
        assert caught.value.messages == ["通报月份：2026年11月尚未结束，不能生成通报"]
        with pytest.raises(ValidationError):
            services.bulletin_generate(actor=office, month=date(2027, 1, 1))
        draft = services.bulletin_generate(actor=office, month=date(2026, 10, 1))
        assert draft.status == "draft" and draft.number is None
        services.bulletin_generate(actor=office, month=date(2026, 10, 1))  # a draft may be regenerated
        assert Bulletin.objects.count() == 1
        published = services.bulletin_publish(actor=office, bulletin=draft)
        assert published.doc_number == "×党办〔2026〕1号" and published.published_on == date(2026, 11, 2)
        with pytest.raises(ValidationError) as caught:
            services.bulletin_publish(actor=office, bulletin=published)
        assert "不能再次印发" in caught.value.messages[0]
        with pytest.raises(ValidationError) as caught:
            services.bulletin_generate(actor=office, month=date(2026, 10, 1))
        assert caught.value.messages == ["通报月份：2026年10月的通报已印发（×党办〔2026〕1号），不能重新生成"]
        with pytest.raises(ValidationError):
            services.bulletin_edit(
                actor=office, bulletin=published, title="新标题", opening="", requirements=""
            )
        september = services.bulletin_generate(actor=office, month=date(2026, 9, 1))
        assert services.bulletin_publish(actor=office, bulletin=september).number == 2  # no gaps


def test_a_number_collision_is_refused_with_the_number_named(october, office):
    with _at("2026-11-02 09:00"):
        draft = services.bulletin_generate(actor=office, month=date(2026, 10, 1))
        # Another node published number 1 a moment ago (its row is not visible to our max()).
        Bulletin.objects.create(
            month=date(2026, 8, 1), title="x", figures=draft.figures, generated_at=draft.generated_at, status="published",
            year=2026, number=1, doc_number="×党办〔2026〕1号", published_on=date(2026, 11, 2),
        )  # fmt: skip
        from unittest import mock

        # Our max() is made to miss it, as a concurrent publisher's would.
        with (
            mock.patch("zhenwu.bulletins.services.max", return_value=0, create=True),
            pytest.raises(ValidationError) as caught,
        ):
            services.bulletin_publish(actor=office, bulletin=draft)
    assert caught.value.messages == ["发文字号：×党办〔2026〕1号已被使用，请刷新后重试"]
    assert Bulletin.objects.get(pk=draft.pk).status == "draft"


def test_only_the_office_generates(october, leader):
    with _at("2026-11-02 09:00"), pytest.raises(PermissionError):
        services.bulletin_generate(actor=leader, month=date(2026, 10, 1))


def test_the_document_states_the_thresholds_its_lists_were_drawn_with(october, office):
    """经济发展办 closed 1 of 2 (50 %). With the red list from 50 % it is named there, and the
    text says 50 %, not the default 90 %."""
    with _at("2026-11-02 09:00"), override_settings(ZHENWU_RED_LIST_MIN=0.5, ZHENWU_BLACK_LIST_BELOW=0.4):
        bulletin = services.bulletin_generate(actor=office, month=date(2026, 10, 1))
    text = "\n".join(p.text for p in Document(io.BytesIO(services.render(bulletin))).paragraphs)
    assert "整改率达到50%及以上的：经济发展办。" in text and "整改率低于40%的：无。" in text


def test_the_docx_follows_gb_t_9704(october, office):
    with _at("2026-11-02 09:00"):
        bulletin = services.bulletin_publish(
            actor=office, bulletin=services.bulletin_generate(actor=office, month=date(2026, 10, 1))
        )
    body = bulletin.document.read()
    doc = Document(io.BytesIO(body))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert (round(section.top_margin.mm), round(section.left_margin.mm)) == (37, 28)
    text_width = Length(section.page_width - section.left_margin - section.right_margin)
    text_height = Length(section.page_height - section.top_margin - section.bottom_margin)
    assert (round(text_width.mm), round(text_height.mm)) == (156, 225)
    # 22 lines of 225 mm; 28 三号 characters (16 pt less the spacing) in 156 mm, not 29.
    assert 22 * LINE_TWIPS / 20 <= text_height.pt < 23 * LINE_TWIPS / 20
    advance = 16 + CHAR_SPACING_TWIPS / 20
    assert 28 * advance <= text_width.pt < 29 * advance
    xml = zipfile.ZipFile(io.BytesIO(body)).read("word/document.xml").decode()
    assert 'w:type="lines"' in xml and f'w:linePitch="{LINE_TWIPS}"' in xml
    for font in ("方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"):
        assert f'w:eastAsia="{font}"' in xml
    assert 'w:color w:val="FF0000"' in xml  # the red issuer's mark
    assert '<w:bottom w:val="single" w:sz="12" w:space="1" w:color="FF0000"/>' in xml  # the red rule
    texts = [p.text for p in doc.paragraphs]
    assert "中共××镇委员会办公室文件" in texts and "×党办〔2026〕1号" in texts
    assert "关于2026年10月问题整改情况的通报" in texts and "2026年11月2日" in texts
    assert any(t.startswith("一、总体情况") for t in texts) and any(t.startswith("（一）红榜") for t in texts)
    summary = next(t for t in texts if t.startswith("截至2026年10月31日"))
    assert (
        "共有问题3个，已销号1个，整改中1个，长期坚持0个，待分派1个；逾期未完成整改1个。整改率33.3%" in summary
    )
    ranking = doc.tables[0]
    assert [c.text for c in ranking.rows[1].cells] == ["1", "经济发展办", "2", "1", "1", "1", "2", "50.0%"]
    by_source = doc.tables[2]
    assert [c.text for c in by_source.rows[1].cells][1:3] == ["自查", "3"]
    overdue = doc.tables[3]
    assert overdue.rows[1].cells[0].text == october[1].number
    settings_xml = zipfile.ZipFile(io.BytesIO(body)).read("word/settings.xml").decode()
    assert "w:evenAndOddHeaders" in settings_xml  # page numbers alternate sides
    footers = [
        zipfile.ZipFile(io.BytesIO(body)).read(n).decode()
        for n in zipfile.ZipFile(io.BytesIO(body)).namelist()
        if re.match(r"word/footer\d+\.xml", n)
    ]
    assert sum("PAGE" in f and "— " in f for f in footers) == 2


def test_number_and_date_formats():
    assert doc_number("×党办", 2009, 12) == "×党办〔2009〕12号"
    assert cn_date(date(2009, 7, 1)) == "2009年7月1日"


def test_control_characters_in_a_residents_text_do_not_break_the_document(october, office):
    Problem.objects.update(description="红岩村\x07道路\x1b破损")  # stored before input was cleaned
    with _at("2026-11-02 09:00"):
        bulletin = services.bulletin_generate(actor=office, month=date(2026, 10, 1))
    text = "\n".join(
        c.text
        for t in Document(io.BytesIO(services.render(bulletin))).tables
        for r in t.rows
        for c in r.cells
    )
    assert "红岩村道路破损" in text


def test_each_bulletin_prints_the_audit_log_s_head_as_published_on_page_and_docx(october, office):
    from zhenwu.conftest import client_for
    from zhenwu.core.audit import audit_verify, chain_head

    with _at("2026-11-02 09:00"):
        draft = services.bulletin_generate(actor=office, month=date(2026, 10, 1))
        head = chain_head()
        line = f"审计日志校验：第{head.seq}条 哈希前12位 {head.hash[:12]}"
        assert line in [p.text for p in Document(io.BytesIO(services.render(draft))).paragraphs]
        published = services.bulletin_publish(actor=office, bulletin=draft)
    assert published.audit_head == str(head)  # taken before the publication's own event
    texts = [p.text for p in Document(io.BytesIO(published.document.read())).paragraphs]
    assert texts[-1] == line
    page = client_for(office).get(f"/bulletins/{published.pk}/").content.decode()
    assert line in page
    # What the office reads off a printed copy checks the log later.
    assert audit_verify(expect_head=ChainHead.parse(f"{head.seq}:{head.hash[:12]}"), allow_later=True).ok


def test_long_tables_repeat_their_header_keep_rows_whole_and_dates_on_one_line(october, office):
    with _at("2026-11-02 09:00"):
        bulletin = services.bulletin_generate(actor=office, month=date(2026, 10, 1))
    doc = Document(io.BytesIO(services.render(bulletin)))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    for table in doc.tables:
        rows = table._tbl.tr_lst
        assert rows[0].find(f"{w}trPr/{w}tblHeader") is not None  # repeated on each new page
        assert all(r.find(f"{w}trPr/{w}cantSplit") is not None for r in rows)
    overdue = next(t for t in doc.tables if t.rows[0].cells[-1].text == "逾期")
    deadline_cell = overdue._tbl.tr_lst[1].tc_lst[4]
    assert deadline_cell.find(f"{w}tcPr/{w}noWrap") is not None
    assert overdue.rows[1].cells[5].text == "11个工作日"  # as the problem page counts, not calendar days
    assert any(p.text == "（逾期按工作日计算，计至2026年11月1日。）" for p in doc.paragraphs)


def test_the_document_is_the_offices_own_and_downloads_under_its_chinese_name(october, office):
    from zhenwu.conftest import client_for

    with _at("2026-11-02 09:00"):
        draft = services.bulletin_generate(actor=office, month=date(2026, 10, 1))
        published = services.bulletin_publish(actor=office, bulletin=draft)
    props = Document(io.BytesIO(published.document.read())).core_properties
    assert props.author == props.last_modified_by == settings.ZHENWU_BULLETIN_ISSUER
    assert props.title == published.title and props.subject == published.doc_number
    assert props.created.date() == date(2026, 11, 2)  # not python-docx's template date, 2013-12-23
    answer = client_for(office).get(f"/bulletins/{published.pk}/document.docx")
    from urllib.parse import quote

    assert (
        f"filename*=UTF-8''{quote(f'{published.doc_number} {published.title}.docx')}"
        in answer["Content-Disposition"]
    )
