"""The ledger as the Excel sheet officials file: title, the standard columns, ready to print."""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.page import PageMargins

from zhenwu.ledger.constants import DeadlineBasis
from zhenwu.ledger.models import Problem
from zhenwu.lib.cells import as_text, text_row

COLUMNS = [
    ("序号", 6),
    ("编号", 11),
    ("问题来源", 12),
    ("问题类别", 10),
    ("问题描述", 34),
    ("整改目标", 20),
    ("整改措施", 24),
    ("责任领导", 9),
    ("责任部门", 12),
    ("配合单位", 12),
    ("责任人", 12),
    ("整改时限", 11),
    ("进度节点", 16),
    ("完成情况", 20),
    ("状态", 9),
    ("验收人", 9),
    ("销号日期", 11),
    ("备注", 14),
]


def ledger_workbook(problems: Iterable[Problem], *, title: str) -> bytes:
    """One sheet, landscape A3, header repeated on every printed page. Names only: no phone or ID."""
    book = Workbook()
    sheet = book.active
    sheet.title = "整改台账"
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    sheet["A1"].font = Font(name="方正小标宋简体", size=18)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append([f"导出时间：{timezone.localtime():%Y年%m月%d日 %H:%M}"])
    sheet.append([name for name, _ in COLUMNS])
    for index, (_, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[sheet.cell(3, index).column_letter].width = width
        sheet.cell(3, index).font = Font(name="黑体", bold=True)
    for n, p in enumerate(problems, start=1):
        sheet.append(
            text_row(
                [
                    n,
                    p.number,
                    p.get_source_display(),
                    p.get_category_display(),
                    p.description,
                    p.goal,
                    p.measures,
                    p.leader.name if p.leader else "",
                    p.department.name if p.department else "",
                    "、".join(u.name for u in p.cooperating_units.all()),
                    "、".join(a.name for a in p.assignees.all()),
                    (p.deadline.isoformat() + ("（暂定）" if p.deadline_provisional else ""))
                    if p.deadline
                    else (
                        str(DeadlineBasis.LONG_TERM.label)
                        if p.deadline_basis == DeadlineBasis.LONG_TERM
                        else ""
                    ),
                    p.milestones,
                    p.completion,
                    p.get_status_display(),
                    p.acceptor.name if p.acceptor else "",
                    p.closed_on.isoformat() if p.closed_on else "",
                    p.remarks,
                ]
            )
        )
    as_text(sheet)  # a resident's "=HYPERLINK(…)" stays words
    for row in sheet.iter_rows(min_row=3, max_row=sheet.max_row):
        for cell in row:
            cell.border = border
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.print_title_rows = "3:3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A3
    sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
