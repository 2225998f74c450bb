"""The ledger as the Excel sheet officials file: title, the standard columns, ready to print."""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.page import PageMargins

from zhenwu.core.timefmt import shown
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
    sheet.append([f"导出时间：{shown(timezone.now(), '%Y年%m月%d日 %H:%M')}"])
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


# The columns of the import template: the names the importer reads first (ledger.importer.layout).
TEMPLATE_COLUMNS = [
    ("序号", 6), ("问题来源", 12), ("问题类别", 10), ("问题描述", 34), ("整改目标", 18), ("整改措施", 24),
    ("责任领导", 9), ("责任部门", 12), ("配合单位", 12), ("责任人", 12), ("整改时限", 12), ("进度节点", 14),
    ("整改进展", 20), ("完成情况", 10), ("销号日期", 11), ("验收人", 9), ("村(社区)", 10), ("备注", 14),
]  # fmt: skip
_STATUS_WORDS = ["正在整改", "已完成", "未启动"]


def import_template_workbook(town_id: int) -> bytes:
    """The blank ledger a town may fill for the importer: the standard columns, drop-downs for
    source, category and status, the town's departments, and how to write a deadline."""
    from openpyxl.worksheet.datavalidation import DataValidation

    from zhenwu.ledger.policies import sheet_labels
    from zhenwu.org.constants import UnitKind
    from zhenwu.org.models import Unit

    book = Workbook()
    sheet = book.active
    sheet.title = "整改台账"
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    sheet.append(["××镇问题整改台账"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(TEMPLATE_COLUMNS))
    sheet["A1"].font = Font(name="方正小标宋简体", size=18)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(["填报单位：", None, None, None, None, None, None, None, "填报时间：    年  月  日"])
    sheet.append([name for name, _ in TEMPLATE_COLUMNS])
    for index, (_, width) in enumerate(TEMPLATE_COLUMNS, start=1):
        sheet.column_dimensions[sheet.cell(3, index).column_letter].width = width
        sheet.cell(3, index).font = Font(name="黑体", bold=True)
        sheet.cell(3, index).border = border
    departments = list(
        Unit.objects.filter(town_id=town_id, kind=UnitKind.DEPARTMENT, is_active=True)
        .order_by("path")
        .values_list("name", flat=True)
    )
    labels = sheet_labels()  # what the importer reads back, whatever the page's language
    sources, categories = list(labels.sources), list(labels.categories)
    example = ["1", sources[0] if sources else "", categories[0], "（示例，导入前请删除）某村某组道路破损，雨天无法通行",
               "道路硬化", "争取项目资金，硬化道路", "", departments[0] if departments else "", "", "", "6月底前", "",
               "", "正在整改", "", "", "", ""]  # fmt: skip
    sheet.append(example)
    notes = book.create_sheet("填写说明")
    for line in (
        ["填写说明"],
        ["整改时限", "可写 2009-05-31、2009年5月底前、6月中旬、第三季度末、年底前、15个工作日内、立行立改 或 长期坚持；不写年份的日期按“填报时间”的年份计"],
        ["完成情况", "写 已完成、正在整改 或 未启动；已完成的请填销号日期"],
        ["责任部门", "写组织机构中的部门名称，多个部门用顿号分开，第一个为责任部门，其余为配合单位"],
        ["责任人", "多人用顿号分开，须在人员名册中（也可在导入时选择自动新建）"],
        ["表尾", "审核人、制表人、联系电话等签字行和合计行会自动跳过"],
        [],
        ["本镇部门", *departments],
        ["问题来源", *sources],
        ["问题类别", *categories],
    ):  # fmt: skip
        notes.append(line)
    notes.column_dimensions["A"].width = 12
    notes.column_dimensions["B"].width = 90
    lists = book.create_sheet("选项")
    for index, values in enumerate((sources, categories, _STATUS_WORDS, departments), start=1):
        for row, value in enumerate(values, start=1):
            lists.cell(row, index, value)
    lists.sheet_state = "hidden"
    for letter, column, values in (
        ("B", "A", sources),
        ("C", "B", categories),
        ("N", "C", _STATUS_WORDS),
        ("H", "D", departments),
    ):
        if values:
            check = DataValidation(
                type="list", formula1=f"选项!${column}$1:${column}${len(values)}", allow_blank=True
            )
            check.add(f"{letter}4:{letter}2000")
            sheet.add_data_validation(check)
    as_text(sheet)
    sheet.print_title_rows = "3:3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A3
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
