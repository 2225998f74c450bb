"""Where a sheet's table is: the header (one row, or two under merged group titles), what each
column holds, what the lines above it say (title, 填报时间), and the year its short dates mean."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from zhenwu.ledger.importer.reading import SheetError
from zhenwu.lib.cn_dates import DatePhraseError, PhraseKind, first_date, parse_date_phrase, years_named
from zhenwu.lib.ledger_text import clean_text, header_key

# Column names seen in real ledgers, per field (compared after header_key()).
COLUMNS: dict[str, tuple[str, ...]] = {
    "serial": ("序号",),
    "number": ("编号", "问题编号"),
    "source": ("问题来源", "来源"),
    "category": ("问题类别", "类别", "问题类型", "类型", "问题分类"),
    "description": ("问题描述", "存在问题", "问题内容", "问题", "问题表现", "主要问题", "具体问题",
                    "存在的问题", "反馈问题", "问题清单", "问题及表现"),
    "goal": ("整改目标", "目标"),
    "measures": ("整改措施", "措施", "整改举措", "具体措施", "整改具体措施", "主要措施", "整改措施及要求"),
    "leader": ("责任领导", "分管领导", "牵头领导", "包案领导", "包抓领导", "联系领导"),
    "department": ("责任部门", "责任单位", "牵头单位", "牵头部门", "责任科室", "承办单位", "主责单位",
                   "责任股室", "牵头责任单位"),
    "cooperating": ("配合单位", "协办单位", "配合部门", "协助单位"),
    "assignees": ("责任人", "具体责任人", "经办人", "直接责任人", "具体负责人"),
    "deadline": ("整改时限", "完成时限", "时限", "整改期限", "完成时间", "整改时间", "时限要求", "完成期限",
                 "计划完成时间", "整改完成时限"),
    "milestones": ("进度节点", "时间节点"),
    # A column that only says where the row stands; "status" wins over "completion" for that.
    "status": ("整改状态", "完成状态", "状态", "进展状态", "是否完成", "是否整改到位", "是否办结", "办结情况",
               "整改结果"),
    # 完成情况 mixes a status word and a narrative ("已完成。硬化道路500米").
    "completion": ("完成情况", "整改情况", "整改完成情况"),
    "progress": ("整改进展", "进展情况", "整改进度", "推进情况", "整改进展情况", "工作进展", "进度情况",
                 "目前进展", "进展"),
    "acceptor": ("验收人", "验收责任人"),
    "closed_on": ("销号日期", "销号时间", "办结日期", "办结时间", "实际完成时间", "完成日期"),
    "remarks": ("备注",),
    "village": ("村社区", "所在村", "村", "涉及村社区", "所属村", "村居"),
}  # fmt: skip
BY_HEADER = {alias: name for name, aliases in COLUMNS.items() for alias in aliases}
# Headers worded some other way ("存在的主要问题", "整改措施及要求", "问题整改时限"): the words
# that say what a column holds, tried in this order when no name above matches exactly.
_HEADER_WORDS = [
    ("source", re.compile("来源")),
    ("category", re.compile("类别|类型|分类")),
    ("closed_on", re.compile("销号")),
    ("measures", re.compile("措施|举措")),
    ("goal", re.compile("目标")),
    ("deadline", re.compile("时限|期限")),
    ("progress", re.compile("进展|进度")),
    ("status", re.compile("^是否|状态")),
    ("completion", re.compile("完成情况|整改情况")),
    ("leader", re.compile("领导")),
    ("cooperating", re.compile("配合|协办|协助")),
    ("department", re.compile("单位|部门|科室|股室")),
    ("assignees", re.compile("责任人|负责人|经办人")),
    ("acceptor", re.compile("验收")),
    ("description", re.compile("问题|事项")),
]


def header_field(cell: object) -> str | None:
    """The field a header cell names, by its exact wording or, failing that, its key words."""
    key = header_key(cell)
    if not key or len(key) > 20:
        return None
    if key in BY_HEADER:
        return BY_HEADER[key]
    return next((name for name, words in _HEADER_WORDS if words.search(key)), None)


# Labels of the line that dates the sheet: 填报时间：2009年4月2日.
_FILED = re.compile(r"(?:填报|填表|制表|报送|统计|上报|导出)(?:时间|日期)|截至|截止")


@dataclass
class Layout:
    header_index: int  # 0-based, the last header row
    header_rows: int  # 1, or 2 under merged group titles ("责任主体" over 责任领导/责任单位/责任人)
    columns: dict[int, str]  # column index → field
    above: list[str] = field(default_factory=list)  # the lines above the header, as text
    yes_no_status: bool = False  # the status column asks 是否完成: 是/否 answer it

    @property
    def header_line(self) -> int:
        return self.header_index + 1

    def column_of(self, name: str) -> int | None:
        return next((c for c, f in self.columns.items() if f == name), None)


def _mapping(row: list[object]) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for col, cell in enumerate(row):
        name = header_field(cell)
        if name and name not in mapping.values():
            mapping[col] = name
    return mapping


def find_layout(rows: list[list[object]]) -> Layout | None:
    """The header among the first 20 rows: the row naming most ledger columns (at least three,
    问题描述 among them), with the row below it when that row names more under merged titles."""
    best: tuple[int, int, dict[int, str]] = (-1, 1, {})
    for index, row in enumerate(rows[:20]):
        mapping = _mapping(row)
        rows_used = 1
        if index + 1 < len(rows):
            below = _mapping(rows[index + 1])
            combined = {**mapping, **below}
            # A two-row header: the row below names columns the row above only groups.
            if (
                len(mapping) >= 2
                and len(below) >= 2
                and len(set(combined.values())) > len(set(mapping.values()))
            ):
                mapping, rows_used = _dedupe(combined), 2
        if len(mapping) > len(best[2]):
            best = (index, rows_used, mapping)
    index, rows_used, mapping = best
    if len(mapping) < 3 or "description" not in mapping.values():
        return None
    last = index + rows_used - 1
    above = [line_text(row) for row in rows[:index]]
    status_col = next((c for c, f in mapping.items() if f == "status"), None)
    yes_no = status_col is not None and header_key(
        rows[last][status_col] or rows[index][status_col]
    ).startswith("是否")
    return Layout(last, rows_used, mapping, [line for line in above if line], yes_no)


def line_text(row: list[object]) -> str:
    """A row as one line of text, a merged cell's value once (it fills every cell it spans)."""
    parts: list[str] = []
    for cell in row:
        text = clean_text(cell)
        if text and (not parts or parts[-1] != text):
            parts.append(text)
    return " ".join(parts)


def _dedupe(mapping: dict[int, str]) -> dict[int, str]:
    seen: set[str] = set()
    kept = {}
    for col in sorted(mapping):
        if mapping[col] not in seen:
            kept[col] = mapping[col]
            seen.add(mapping[col])
    return kept


def no_header() -> SheetError:
    return SheetError(_("没有找到表头：前20行中没有一行同时包含“问题描述”等至少三个台账栏目"))


# ---------------------------------------------------------------------------------------
# The year of short dates ("6月底前")


@dataclass
class YearChoice:
    year: int | None  # None: the sheet mixes years and nobody chose one
    why: str  # shown in the preview: which year was assumed, and from what
    filed_on: date | None = None  # the sheet's 填报时间: durations count from it
    mixed: str = ""  # the sheet names several years: what it names


def filed_date(lines: list[str]) -> date | None:
    for line in lines:
        if _FILED.search(line) and (day := first_date(line)) is not None:
            return day
    return None


def row_years(values: list[object]) -> Counter[int]:
    """The years written in full in the date cells of the rows (6月底前 writes none)."""
    found: Counter[int] = Counter()
    for value in values:
        try:
            phrase = parse_date_phrase(value, year=None)
        except DatePhraseError:
            continue
        if phrase.kind == PhraseKind.DATE and phrase.year_written and phrase.day:
            found[phrase.day.year] += 1
    return found


def choose_year(
    *, chosen: int | None, lines: list[str], dated_cells: list[object], today: date
) -> YearChoice:
    """The year for dates that write none: the one the office chose, else the sheet's own —
    its 填报时间, its title, the years its other rows write — else this year, and say which.

    A sheet whose title and 填报时间 disagree, or whose rows write several years with neither
    to settle it, gets no year: the office must choose one (never a silent guess)."""
    filed_on = filed_date(lines)
    title_years = sorted({y for line in lines if not _FILED.search(line) for y in years_named(line)})
    rows = row_years(dated_cells)
    named = []
    if filed_on:
        named.append(_("填报时间%(y)s年") % {"y": filed_on.year})
    if title_years:
        named.append(_("标题%(y)s年") % {"y": "、".join(map(str, title_years))})
    if rows:
        named.append(
            _("各行日期%(y)s")
            % {"y": "、".join(_("%(y)s年%(n)s处") % {"y": y, "n": n} for y, n in sorted(rows.items()))}
        )
    mixed = (
        "；".join(named) if len({*(title_years or []), *([filed_on.year] if filed_on else [])}) > 1 else ""
    )
    if chosen:
        return YearChoice(
            chosen, _("不写年份的日期按%(y)s年计（导入时选定）") % {"y": chosen}, filed_on, mixed
        )
    if filed_on and not mixed:
        why = _("不写年份的日期按%(y)s年计（表头“填报时间”为%(d)s）") % {
            "y": filed_on.year,
            "d": filed_on.isoformat(),
        }
        return YearChoice(filed_on.year, why, filed_on)
    if len(title_years) == 1 and not mixed:
        return YearChoice(
            title_years[0], _("不写年份的日期按%(y)s年计（见标题）") % {"y": title_years[0]}, filed_on
        )
    if mixed:
        return YearChoice(None, "", filed_on, mixed)
    if len(rows) == 1:
        (year,) = rows
        return YearChoice(
            year, _("不写年份的日期按%(y)s年计（其他行的日期都是%(y)s年）") % {"y": year}, filed_on
        )
    if len(rows) > 1:
        return YearChoice(None, "", filed_on, "；".join(named))
    return YearChoice(
        today.year, _("台账没有写年份，不写年份的日期按今年（%(y)s年）计") % {"y": today.year}, filed_on
    )
