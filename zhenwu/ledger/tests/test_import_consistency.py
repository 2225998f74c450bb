"""The importer says the same whatever the clerk's language, and the commit writes what the
preview showed: one decision per row, made in planning, carried out by the services."""

import io

import pytest
from django.utils import translation
from openpyxl import Workbook

from zhenwu.core.actors import IMPORT
from zhenwu.ledger.constants import Category, Source
from zhenwu.ledger.importer import commit_import, plan_import
from zhenwu.ledger.policies import sheet_labels

pytestmark = pytest.mark.django_db

HEADER = ["序号", "问题来源", "问题类别", "问题描述", "整改措施", "责任领导", "责任单位", "责任人", "整改时限",
          "完成情况", "销号日期"]  # fmt: skip


def _sheet(rows: list[list[object]], filed: str = "2026年11月20日") -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(["××镇问题整改台账"])
    sheet.append(["填报单位：党政办", None, None, None, f"填报时间：{filed}"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def _row(n: int, **cells: object) -> list[object]:
    values = {
        "序号": str(n), "问题来源": "班子评议", "问题类别": "干部作风", "问题描述": f"第{n}个问题：办事推诿",
        "整改措施": "作风整顿", "责任领导": "刘志强", "责任单位": "经济发展办", "责任人": "张明",
        "整改时限": "2026年12月31日", "完成情况": "正在整改", "销号日期": None,
    } | cells  # fmt: skip
    return [values[h] for h in HEADER]


def test_the_sheets_sources_and_categories_are_read_in_the_towns_language(town):
    with translation.override("en"):
        labels = sheet_labels()
        plan = plan_import(_sheet([_row(1), _row(2, 问题来源="群众献言献策", 问题类别="基础设施")]))
    assert labels.sources["班子评议"] == Source.LEADERSHIP_REVIEW
    first, second = (r for r in plan.rows if r.fields.get("description"))
    assert (first.fields["source"], first.fields["category"]) == (Source.LEADERSHIP_REVIEW, Category.CONDUCT)
    assert (second.fields["source"], second.fields["category"]) == (
        Source.SUGGESTION,
        Category.INFRASTRUCTURE,
    )
    assert not any("未识别" in note for r in plan.rows for note in r.notes)


@pytest.mark.parametrize("column", ["deadline", "closed_on"])
def test_a_date_without_a_year_asks_for_the_year_in_english_too(ledger_town, column):
    from zhenwu.ledger.tests.sheets import TownLedger

    deadline, closed_on = ("6月底前", "") if column == "deadline" else ("2009年12月31日", "5月20日")
    row = [
        "1",
        "自查",
        "排水沟堵塞",
        "清淤",
        "刘志强",
        "村镇建设办",
        "王芳",
        deadline,
        "",
        "已完成",
        closed_on,
        "",
    ]
    sheet = TownLedger(title="××镇2009年整改台账", filed="2010年1月5日", rows=[row])
    with translation.override("en"):
        plan = plan_import(sheet.xlsx())
    assert plan.year.year is None and not plan.ok
    # The sheet-wide message that says to choose the year (in English here, so by its figures).
    assert len(plan.messages) == 1 and "2010" in plan.messages[0] and "2009" in plan.messages[0]


def test_the_commit_assigns_on_the_day_the_preview_showed(town):
    rows = [
        _row(1, 整改时限="2026年10月31日"),  # a fixed deadline before the sheet's 填报时间
        _row(2, 整改时限="2026年12月31日", 完成情况="已完成", 销号日期="2026年11月5日"),
        _row(3, 整改时限="10个工作日内"),
        _row(4),
    ]
    plan = plan_import(_sheet(rows))
    shown = {r.fields["serial"]: r.fields["assigned_on"] for r in plan.rows if r.fields.get("serial")}
    assert shown == {"1": "2026-10-31", "2": "2026-11-05", "3": "2026-11-20", "4": "2026-11-20"}
    assert "分派日期记为2026-10-31" in "".join(next(r for r in plan.rows if r.line == 4).notes)
    created = commit_import(plan, actor=IMPORT).created
    assert {p.imported_rows.get().serial: p.assigned_on.isoformat() for p in created} == shown
