"""Ledger spreadsheets as towns really keep them, built for the tests."""

from __future__ import annotations

import io
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
