"""The monthly 通报 as a Word document in the GB/T 9704-2012 layout.

A4; margins 37 mm top, 28 mm left (so the text block is 156 × 225 mm); a document grid of
22 lines × 28 characters; the issuer's mark in red 方正小标宋简体; 发文字号 such as
×党办〔2026〕12号; a red rule; the title in 二号小标宋; the body in 三号仿宋_GB2312 with
headings 一、 in 黑体 and （一） in 楷体_GB2312; signature and date (2026年11月1日) four
characters from the right; page numbers "— 1 —" in 4号宋体, odd pages right, even pages left.

The fonts are named in the document (with w:eastAsia, or Word ignores them for Chinese), so a
clerk's Word uses the real ones; the server needs none of them.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from zhenwu.bulletins.figures import Figures
from zhenwu.ledger.rules import next_month
from zhenwu.lib.cells import xml_safe
from zhenwu.lib.stats import percent

if TYPE_CHECKING:
    from zhenwu.core.audit import ChainHead

XIAOBIAOSONG = "方正小标宋简体"
FANGSONG = "仿宋_GB2312"
KAITI = "楷体_GB2312"
HEITI = "黑体"
SONGTI = "宋体"
RED = RGBColor(0xFF, 0x00, 0x00)
SIZE_2 = Pt(22)  # 二号
SIZE_3 = Pt(16)  # 三号
SIZE_4 = Pt(14)  # 四号
SIZE_5 = Pt(10.5)  # 五号, for wide tables
LINE = Pt(28.9)  # 225 mm ÷ 22 lines
LINE_TWIPS = 578  # the same in twentieths of a point, rounded down so 22 lines fit
CHAR_SPACING_TWIPS = -5  # −0.25 pt a character: 28 × 15.75 pt = 441 pt ≤ 156 mm (442.2 pt)
TEXT_WIDTH_PT = Mm(156).pt
CHAR = Pt(16)


def cn_date(day: date) -> str:
    """2009年7月1日: Arabic numerals, the year in full, no leading zeros."""
    return f"{day.year}年{day.month}月{day.day}日"


def doc_number(prefix: str, year: int, number: int | None) -> str:
    """×党办〔2009〕12号; a draft keeps the place of the number empty."""
    serial = str(number) if number is not None else "\u3000\u3000"
    return f"{prefix}〔{year}〕{serial}号"


def _font(run: Run, name: str, size: Pt, *, bold: bool = False, color: RGBColor | None = None) -> Run:
    run.font.name = name
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    run.font.size = size
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    return run


def _para(doc: Any, text: str = "", *, font: str = FANGSONG, size: Pt = SIZE_3, align: Any = None,
          indent: bool = False, bold: bool = False, color: RGBColor | None = None) -> Paragraph:  # fmt: skip
    paragraph = doc.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
    fmt.space_before = fmt.space_after = Pt(0)
    if align is not None:
        paragraph.alignment = align
    if indent:
        fmt.first_line_indent = Pt(CHAR.pt * 2)
    if text:
        _font(paragraph.add_run(xml_safe(text)), font, size, bold=bold, color=color)
    return paragraph


def _grid(section: Any) -> None:
    """22 lines a page: a line grid of 225 mm ÷ 22. The 28 characters a line come from the body
    font's advance (16 pt less 0.25 pt of spacing: 28 fit in 156 mm, 29 do not), not from a
    character grid: with a 15.8 pt character grid LibreOffice and WPS give each 16 pt glyph two
    cells, and the page shows 14 characters a line."""
    sect = section._sectPr
    grid = sect.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_TWIPS))


def _tighten(rpr: Any) -> None:
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(CHAR_SPACING_TWIPS))
    rpr.append(spacing)


def _page_number(paragraph: Paragraph) -> None:
    """— PAGE — in 4号 宋体 (half-width digits)."""
    _font(paragraph.add_run("— "), SONGTI, SIZE_4)
    run = _font(paragraph.add_run(), SONGTI, SIZE_4)
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == "PAGE":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = " PAGE "
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._element.append(element)
    _font(paragraph.add_run(" —"), SONGTI, SIZE_4)


def _footers(doc: Any, section: Any) -> None:
    doc.settings.odd_and_even_pages_header_footer = True
    odd = section.footer.paragraphs[0]
    odd.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    odd.paragraph_format.right_indent = CHAR  # 右空一字
    _page_number(odd)
    even = section.even_page_footer.paragraphs[0]
    even.alignment = WD_ALIGN_PARAGRAPH.LEFT
    even.paragraph_format.left_indent = CHAR  # 左空一字
    _page_number(even)


def _red_rule(doc: Any) -> None:
    paragraph = _para(doc)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "12"), ("space", "1"), ("color", "FF0000")):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _cell_text(cell: Any, text: str, font: str) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule, fmt.space_before, fmt.space_after = WD_LINE_SPACING.SINGLE, Pt(0), Pt(0)
    snap = OxmlElement("w:snapToGrid")  # table text is 五号: it must not snap to the body's line grid
    snap.set(qn("w:val"), "0")
    paragraph._p.get_or_add_pPr().append(snap)
    _font(paragraph.add_run(xml_safe(text)), font, SIZE_5)


def _row_props(row: Any, *, header: bool = False) -> None:
    """A row is never split across pages; the header row repeats on each page a table runs onto."""
    props = row._tr.get_or_add_trPr()
    for name in ("w:cantSplit", *(("w:tblHeader",) if header else ())):
        element = OxmlElement(name)
        element.set(qn("w:val"), "true")
        props.append(element)


def _table(
    doc: Any,
    header: list[str],
    rows: list[list[Any]],
    widths_mm: list[float],
    nowrap: frozenset[int] = frozenset(),
) -> None:
    """`nowrap`: columns (dates, numbers) whose text must stay on one line: "2026-10-" / "13" misreads."""
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = [Mm(w) for w in widths_mm]
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width

    # A row's own cells, not `row.cells`: python-docx builds that from every cell of the table,
    # which made a 600-row table take seconds (each new row re-read all rows before it).
    def fill(row: Any, values: list[Any], font: str, *, is_header: bool = False) -> None:
        _row_props(row, header=is_header)
        for column, (tc, value, width) in enumerate(zip(row._tr.tc_lst, values, widths, strict=True)):
            cell = _Cell(tc, table)
            cell.width = width
            if column in nowrap and not is_header:
                tc.get_or_add_tcPr().append(OxmlElement("w:noWrap"))
            _cell_text(cell, str(value), font)

    fill(table.rows[0], header, HEITI, is_header=True)
    for values in rows:
        fill(table.add_row(), values, FANGSONG)


def _heading(doc: Any, text: str, level: int) -> None:
    _para(doc, text, font=HEITI if level == 1 else KAITI, indent=True)


def _ranking(doc: Any, lines: list[Any], who: str) -> None:
    rows = [
        [
            i,
            line.name,
            line.total,
            line.closed,
            line.closed_on_time,
            line.overdue,
            line.missing_reports,
            percent(line.rate),
        ]
        for i, line in enumerate(lines, start=1)
    ]
    header = ["序号", who, "问题数", "已销号", "本月按期销号", "逾期", "缺报进度报告", "整改率"]
    _table(doc, header, rows, [12, 38, 16, 16, 22, 14, 22, 16])


def _named(
    doc: Any, header: list[str], rows: list[list[Any]], widths_mm: list[float], of: int,
    nowrap: frozenset[int] = frozenset(),
) -> None:  # fmt: skip
    """Problems named one by one: a table (saying how many more the ledger holds), or 无."""
    if not rows:
        _para(doc, "无。", indent=True)
        return
    _table(doc, header, rows, widths_mm, nowrap)
    if of > len(rows):
        _para(doc, f"（以上列出{len(rows)}项，共{of}项，详见台账。）", indent=True)


def audit_line(head: ChainHead) -> str:
    """The 通报's last line: where the audit log stood, for anyone to check it against later."""
    return f"审计日志校验：第{head.seq}条 哈希前12位 {head.hash[:12]}"


def bulletin_docx(*, figures: Figures, title: str, number: str, issuer: str, opening: str, requirements: str,
                  published_on: date | None, made_at: datetime, audit_head: ChainHead | None = None,
                  ) -> bytes:  # fmt: skip
    doc = Document()
    # python-docx's template says author "python-docx", created 2013-12-23: the office's file is its own.
    props = doc.core_properties
    props.author = props.last_modified_by = issuer
    props.title, props.subject, props.category = title, number, "通报"
    props.comments = props.keywords = ""
    props.created = props.modified = made_at.astimezone(UTC).replace(tzinfo=None)  # the format stores UTC
    props.revision = 1
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(21)  # the page number sits about 7 mm below the text block
    _grid(section)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FANGSONG, SIZE_3
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FANGSONG)
    _tighten(normal.element.get_or_add_rPr())
    _footers(doc, section)

    _para(doc, f"{issuer}文件", font=XIAOBIAOSONG, size=Pt(26), align=WD_ALIGN_PARAGRAPH.CENTER, color=RED)
    _para(doc)
    _para(doc, number, align=WD_ALIGN_PARAGRAPH.CENTER)
    _red_rule(doc)
    _para(doc)
    _para(doc, title, font=XIAOBIAOSONG, size=SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc)
    _para(doc, "各村（社区）、镇属各单位：")
    for text in (opening or "").splitlines():
        if text.strip():
            _para(doc, text.strip(), indent=True)
    f = figures
    month = date.fromisoformat(f"{f.month}-01")
    # The figures are the ledger at the first moment of the next month: "as at the month's last day".
    as_of = cn_date(next_month(month) - timedelta(days=1))
    _heading(doc, "一、总体情况", 1)
    _para(
        doc,
        f"截至{as_of}，全镇问题整改台账共有问题{f.total}个，已销号{f.closed}个，整改中{f.in_progress}个，"
        f"长期坚持{f.long_term}个，待分派{f.pending}个；逾期未完成整改{f.overdue}个。整改率{percent(f.rate)}"
        f"（已销号数÷问题总数）。{month.month}月新增问题{f.new_this_month}个，销号{f.closed_this_month}个，"
        f"其中按期销号{f.closed_on_time_this_month}个。",
        indent=True,
    )
    _heading(doc, "二、各责任部门整改情况", 1)
    _ranking(doc, f.by_department, "责任部门")
    _heading(doc, "三、各责任领导整改情况", 1)
    _ranking(doc, f.by_leader, "责任领导")
    _heading(doc, "四、按问题来源整改情况", 1)
    _ranking(doc, f.by_source, "问题来源")
    _heading(doc, "五、红黑榜", 1)
    _heading(doc, "（一）红榜", 2)
    _para(doc, f"整改率达到{f.red_min * 100:g}%及以上的：{'、'.join(f.red_list) or '无'}。", indent=True)
    _heading(doc, "（二）黑榜", 2)
    _para(doc, f"整改率低于{f.black_below * 100:g}%的：{'、'.join(f.black_list) or '无'}。", indent=True)
    _heading(doc, "六、逾期未完成整改的问题", 1)
    _named(
        doc,
        ["编号", "问题", "责任部门", "责任领导", "整改时限", "逾期"],
        [
            [i["number"], i["description"], i["department"], i["leader"], i["deadline"], i["days"]]
            for i in f.overdue_items
        ],
        [24, 38, 22, 18, 27, 27],
        f.overdue_named_of,
        nowrap=frozenset({0, 4}),
    )
    if f.overdue_items:
        # The same count as the problem page's "逾期N个工作日", taken on the day the figures are.
        _para(doc, f"（逾期按工作日计算，计至{cn_date(next_month(month))}。）", indent=True)
    _heading(doc, "七、未按时报送进度报告的问题", 1)
    _named(
        doc,
        ["编号", "问题", "责任部门", "责任领导", "缺报期数"],
        [
            [i["number"], i["description"], i["department"], i["leader"], i["missing"]]
            for i in f.missing_items
        ],
        [25, 61, 26, 22, 22],
        f.missing_named_of,
        nowrap=frozenset({0}),
    )
    _heading(doc, "八、下步工作要求", 1)
    for text in (requirements or "").splitlines():
        if text.strip():
            _para(doc, text.strip(), indent=True)
    _para(doc)
    _para(doc)
    signature = _para(doc, issuer, align=WD_ALIGN_PARAGRAPH.RIGHT)
    signature.paragraph_format.right_indent = Pt(CHAR.pt * 4)  # 右空四字
    dated = _para(
        doc, cn_date(published_on) if published_on else "（公布时填写日期）", align=WD_ALIGN_PARAGRAPH.RIGHT
    )
    dated.paragraph_format.right_indent = Pt(CHAR.pt * 4)
    if audit_head is not None:
        _para(doc)
        _para(doc, audit_line(audit_head), size=SIZE_4)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
