"""Documents of 测评: QR slips to cut apart, and the tally sheet as Excel."""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from zhenwu.evaluation.constants import SLIPS_PER_PAGE
from zhenwu.evaluation.models import Survey, VotingCode
from zhenwu.evaluation.results import Tally
from zhenwu.lib.codes import format_code
from zhenwu.suggestions.posters import qr_svg_data_uri


def slips_pdf(survey: Survey, codes: Sequence[VotingCode], base_url: str) -> bytes:
    """A4 pages of 12 slips. The QR carries the code after '#', which browsers never send to a
    server: the code cannot end up in a log line beside the time it was used."""
    from weasyprint import HTML

    slips = [
        {
            "code": format_code(c.code),
            "category": c.category.name,
            "qr": qr_svg_data_uri(f"{base_url}/v/#{c.code}"),
        }
        for c in codes
    ]
    pages = [slips[i : i + SLIPS_PER_PAGE] for i in range(0, len(slips), SLIPS_PER_PAGE)]
    html = render_to_string("evaluation/slips.html", {"survey": survey, "pages": pages, "base": base_url})
    return HTML(string=html).write_pdf()


def tally_workbook(survey: Survey, result: Tally) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "计票表"
    bold = Font(bold=True)
    sheet.append([f"{survey.title} 计票表"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    weighted = ["权重"] if result.weighted else []
    sheet.append(["类别", "应到", "发出", "实到", "收回", "有效票", "无效票", *weighted])
    for cell in sheet[3]:
        cell.font = bold
    for c in result.categories:
        weight = [c.weight] if result.weighted else []
        sheet.append([c.name, c.expected, c.issued, c.present, c.returned, c.valid, c.void, *weight])
    totals = result.totals
    sheet.append(
        [
            "合计",
            totals["expected"],
            totals["issued"],
            totals["present"],
            totals["returned"],
            totals["valid"],
            totals["void"],
        ]
    )
    sheet.append([])
    for row in result.rows:
        sheet.append([f"{row.number}. {row.question}" + (f" — {row.subject}" if row.subject else "")])
        sheet.cell(sheet.max_row, 1).font = bold
        sheet.append(["等级", *row.labels, "有效", "本项无效", "满意率", "95%区间", "好评率"])
        sheet.append(
            [
                "票数",
                *row.counts,
                row.valid,
                row.void,
                row.satisfied.text,
                row.satisfied.interval,
                row.good.text,
            ]
        )
        sheet.append(["占比", *[row.share(i) for i in range(len(row.labels))]])
        names = {c.id: c.name for c in result.categories}
        for category_id, counts in row.by_category.items():
            sheet.append([names.get(category_id, ""), *counts, sum(counts)])
        sheet.append(
            [f"满意率计入：{'、'.join(row.satisfied_labels)}；好评率计入：{'、'.join(row.good_labels)}"]
        )
        if row.score is not None:
            sheet.append([f"测评得分（各等级分值 {row.points_text} 的平均分，不是满意率）：{row.score:.1f}"])
        if row.weighted_score is not None:
            sheet.append([f"加权测评得分（按类别权重合成，不是满意率）：{row.weighted_score:.1f}"])
        sheet.append([])
    sheet.append(
        [f"总体满意率 {result.overall.text}（n={result.overall.n}，95%区间 {result.overall.interval}）"]
    )
    for column in "BCDEFGHIJK":
        sheet.column_dimensions[column].width = 12
    sheet.column_dimensions["A"].width = 36
    for line in sheet.iter_rows():
        for cell in line:
            cell.alignment = Alignment(vertical="center")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
