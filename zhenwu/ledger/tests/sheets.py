"""Ledger spreadsheets as towns really keep them, built for the tests.

`messy_ledger` is the short sheet the first importer was built on. `town_ledger` is what a
town actually sends: a title with its year, a 填报单位/填报时间 line, a two-row header under a
merged 责任主体, group titles, a 责任领导 merged down over several rows, departments written
as 镇党政办 or 建设办, a 完成情况 column beside 整改进展, deadlines in a dozen forms, a 合计
row and a signature footer. Either renders as .xlsx (openpyxl) or .xls (xlwt).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime

from openpyxl import Workbook


def messy_ledger(rows: list[list[object]] | None = None) -> io.BytesIO:
    """Merged title, 填报单位 line, headers in a local order and wording, blank and 合计 rows."""
    book = Workbook()
    sheet = book.active
    sheet.append(["××镇学习实践活动问题整改台账"])
    sheet.merge_cells("A1:I1")
    sheet.append(["填报单位：党政办", None, None, None, "填报时间：2026年11月20日"])
    sheet.append(
        ["序号", "问题来源", "存在问题", "整改措施", "责任领导", "责任单位", "具体责任人", "完成时限", "备注"]
    )
    body = rows or [
        [
            "１",
            "群众献言献策",
            "红岩村道路破损",
            "硬化道路",
            "刘志强",
            "经济发展办",
            "张明",
            "2026年12月底",
            "",
        ],
        [None, None, None, None, None, None, None, None, None],
        [
            "2",
            "班子评议",
            "办事签字难",
            "集中签字",
            "刘　志强",
            "经发办",
            "张明、赵丽",
            datetime(2026, 12, 15),
            "急",
        ],
        ["3", "自查", "河道垃圾", "定期清理", "刘志强", "经济发展办", "张明", "长期坚持", ""],
        ["合计", None, None, None, None, None, None, None, "3项"],
    ]
    for row in body:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


# The town ledger's columns, left to right (row 4 of the header under the merged 责任主体).
TOWN_COLUMNS = ["序号", "问题来源", "问题描述", "整改措施", "责任领导", "责任单位", "责任人", "整改时限",
                "整改进展", "完成情况", "销号日期", "备注"]  # fmt: skip
WIDTH = len(TOWN_COLUMNS)

# Rows as a 2009 town clerk wrote them (leader "" under a merged 责任领导: see TownLedger.merge_leader).
TOWN_ROWS: list[list[object]] = [
    ["一、班子评议问题"],
    ["1", "班子评议", "班子成员深入基层调研不够，对群众反映的问题（特别是道路、饮水）回应不及时。",
     "建立班子成员联系村（社区）制度；每月不少于4天驻村。", "刘志强", "镇党政办", "赵丽", "6月底前",
     "已制定联系制度，4月起执行", "已完成", "2009年5月20日", ""],
    ["2", "班子评议", "机关干部作风不实：上班迟到早退，办事推诿。", "开展作风整顿，实行考勤通报；每月通报一次。",
     "", "党政办公室", "赵丽", "二〇〇九年十二月底", "考勤制度已印发；正在开展整顿", "正在整改", "", ""],
    ["3", "班子评议", "财务审批不规范，白条入账时有发生；", "严格执行财务制度，清理白条。", "", "镇财政所", "李强",
     "第三季度末", "", "推进中", "", "配合：党政办"],
    ["二、群众献言献策"],
    ["4", "群众献言献策", "红岩村三组道路破损（约2公里），雨天无法通行。", "争取项目资金，硬化道路；", "刘志强",
     "建设办", "王芳", "15个工作日内", "已完成勘测设计", "正在整改", "", ""],
    ["5", "群众献言献策", "集镇路灯损坏多处，夜间出行不便。", "立即组织维修。", "刘志强", "村镇建设办（牵头）、财政所",
     "王芳", "立行立改", "", "未启动", "", ""],
    ["6", "群众献言献策", "办事签字难，跑多次才能办成。", "实行集中签字、限时办结：", "刘志强", "经发办", "张明",
     "5月中旬", "已于4月实行", "已销号", "", ""],
    ["7", "群众献言献策", "河道垃圾清理不及时。", "建立保洁制度，定期清理。", "刘志强", "经济发展办", "张明",
     "长期坚持", "保洁员已到岗", "正在整改", "", ""],
    ["合计", None, None, None, None, None, None, None, None, "已完成2项", None, "7项"],
    [],
    ["审核人：　　　　　　制表人：赵丽　　　　　　联系电话：0838-6221234"],
]  # fmt: skip


@dataclass
class TownLedger:
    """A town's 整改台账 as a workbook. `rows` are cell values, one list per sheet row."""

    rows: list[list[object]] = field(default_factory=lambda: [list(r) for r in TOWN_ROWS])
    title: str = "××镇2009年深入学习实践科学发展观活动问题整改台账"
    filed: str = "2009年4月2日"
    # (first row, last row) of the data rows, 0-based within `rows`, whose 责任领导 is one merged cell.
    merge_leader: list[tuple[int, int]] = field(default_factory=lambda: [(1, 3)])

    def _top(self) -> list[list[object]]:
        title: list[object] = [self.title] + [None] * (WIDTH - 1)
        filed: list[object] = [
            "填报单位：（盖章）镇党政办",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            f"填报时间：{self.filed}",
            None,
            None,
            None,
        ]
        group: list[object] = [*TOWN_COLUMNS[:4], "责任主体", None, None, *TOWN_COLUMNS[7:]]
        under: list[object] = [*[None] * 4, *TOWN_COLUMNS[4:7], *[None] * (WIDTH - 7)]
        return [title, filed, group, under]

    def _merges(self) -> list[tuple[int, int, int, int]]:
        """(first row, last row, first column, last column), 0-based inclusive, of the workbook."""
        merges = [(0, 0, 0, WIDTH - 1), (1, 1, 0, 3), (1, 1, 8, 11), (2, 2, 4, 6)]
        merges += [(2, 3, c, c) for c in range(WIDTH) if not 4 <= c <= 6]
        for index, row in enumerate(self.rows, start=4):
            if len(row) == 1 and row[0] and str(row[0])[0] in "一二三四五六七八九":
                merges.append((index, index, 0, WIDTH - 1))
            if len(row) == 1 and str(row[0] or "").startswith("审核人"):
                merges.append((index, index, 0, WIDTH - 1))
        merges += [(4 + first, 4 + last, 4, 4) for first, last in self.merge_leader]
        return merges

    def xlsx(self) -> io.BytesIO:
        book = Workbook()
        sheet = book.active
        sheet.title = "整改台账"
        for row in [*self._top(), *self.rows]:
            sheet.append(row or [None])
        for r0, r1, c0, c1 in self._merges():
            sheet.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
        out = io.BytesIO()
        book.save(out)
        out.seek(0)
        return out

    def xls(self) -> io.BytesIO:
        import xlwt

        book = xlwt.Workbook(encoding="utf-8")
        sheet = book.add_sheet("整改台账")
        dates = xlwt.easyxf(num_format_str="YYYY-MM-DD")
        merged = {(r0, c0): (r1, c1) for r0, r1, c0, c1 in self._merges()}
        covered = {
            (r, c)
            for (r0, c0), (r1, c1) in merged.items()
            for r in range(r0, r1 + 1)
            for c in range(c0, c1 + 1)
        }
        for r, row in enumerate([*self._top(), *self.rows]):
            for c, value in enumerate(row):
                if (r, c) in merged:
                    r1, c1 = merged[(r, c)]
                    sheet.write_merge(r, r1, c, c1, value)
                elif (r, c) not in covered and value is not None:
                    sheet.write(r, c, value, dates) if isinstance(value, datetime) else sheet.write(
                        r, c, value
                    )
        out = io.BytesIO()
        book.save(out)
        out.seek(0)
        return out
