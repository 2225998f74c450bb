"""Reading what clerks type into ledger spreadsheets: names, headers, status words, footers.

Pure functions with no Django models. Two kinds of cell are told apart: cells the importer
*parses* (序号, names, departments, headers, status words) are normalised with NFKC, so
full-width digits and spaces compare equal; cells it *keeps* (问题描述, 整改措施 and the other
text) are stored exactly as the clerk wrote them — `keep_text` only trims the ends, so
`，：；（）` stay full-width. Date phrases are read by zhenwu.lib.cn_dates.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime
from enum import StrEnum

_SPLIT_NAMES = re.compile(r"[、,，;；/\\|]+")


def clean_text(value: object) -> str:
    """A cell that is parsed: NFKC (full-width digits and letters become half-width), trimmed."""
    if value is None:
        return ""
    if type(value) is int:
        return str(value)
    text = unicodedata.normalize("NFKC", cell_text(value))
    return text.replace("\r\n", "\n").strip()


def keep_text(value: object) -> str:
    """A cell that is kept: exactly as written, only the line ends unified and the ends trimmed."""
    if value is None:
        return ""
    return cell_text(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def cell_text(value: object) -> str:
    """A cell's value as text: 3.0 (how Excel stores 序号 3) is "3", a date is 2009-05-31."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def squeeze(value: object) -> str:
    """NFKC with every space removed: for comparing what two sheets wrote."""
    if value is None:
        return ""
    return _SPACES.sub("", clean_text(value))


_SPACES = re.compile(r"\s+")


def header_key(value: object) -> str:
    """A header cell reduced to compare: no spaces, brackets or line breaks."""
    return re.sub(r"[\s()（）\[\]【】:：*]", "", clean_text(value))


def person_names(value: object) -> list[str]:
    """'李四、王五' → ['李四', '王五']; '王　五' and '刘　志强' → one name each.

    Spaces separate names only when every piece is a whole name: a single character
    is never a name on its own, so it marks padding ("王　五") rather than two people.
    """
    text = clean_text(value)
    names: list[str] = []
    for chunk in _SPLIT_NAMES.split(text):
        parts = chunk.split()
        if not parts:
            continue
        if any(len(part) == 1 for part in parts):
            names.append("".join(parts))
        else:
            names.extend(parts)
    return names


def unit_names(value: object) -> list[str]:
    """'党政办、财政所' → ['党政办', '财政所']; a note in brackets ('村镇建设办（牵头）') is dropped."""
    text = re.sub(r"[(（][^)）]*[)）]", "", clean_text(value))
    return [part for part in (re.sub(r"\s+", "", p) for p in _SPLIT_NAMES.split(text)) if part]


_LEADING_LEVEL = re.compile(r"^(?:镇|乡|街道)(?=..)")


def unit_key(text: str, towns: Sequence[str] = ()) -> str:
    """A department's name as compared: 镇党政办, 测试镇党政办公室, 党 政 办 → 党政办.

    `towns` are the town's own names (测试镇, 测试), longest first, dropped from the front."""
    key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))
    key = re.sub(r"[(（][^)）]*[)）]$", "", key)
    for town in towns:
        if key.startswith(town) and len(key) > len(town) + 1:
            key = key[len(town) :]
            break
    key = _LEADING_LEVEL.sub("", key)
    return key.replace("办公室", "办")


# ---------------------------------------------------------------------------------------
# Rows that are not problems


def _first_text(cells: list[object]) -> str:
    for cell in cells:
        text = squeeze(cell)
        if text:
            return text
    return ""


def is_total_row(cells: list[object]) -> bool:
    """合计/小计/总计 rows summarise the sheet: their first filled cell starts with the word.

    Only the first filled cell counts, so a description that mentions 合计 ("资金合计3万元")
    is still a problem."""
    return is_total_text(_first_text(cells))


def is_total_text(first: str) -> bool:
    """is_total_row on a row's first filled cell, squeezed (the importer squeezes each row once)."""
    return first.startswith(("合计", "小计", "总计", "共计"))


_FOOTER = re.compile(
    r"^[(（]?(?:审核人|审核|制表人|制表|填表人|填表|填报人|统计人|核稿|联系人|联系电话|电话|负责人|"
    r"单位负责人|主要负责人|分管领导签字|领导签字|签字|签名|单位盖章|盖章|单位\(盖章\)|填报日期|制表日期|"
    r"报送日期|填报单位|填报时间|报送单位|制表单位|注|说明|备注说明)[)）]?(?:[(（][^)）]{0,8}[)）])?(?:[:：]|$)"
)


def is_footer_row(cells: list[object]) -> bool:
    """The lines under the table: 审核人：　制表人：, 联系电话：, （单位盖章）, 注：…"""
    return is_footer_text(_first_text(cells))


def is_footer_text(first: str) -> bool:
    return bool(_FOOTER.match(first))


_SECTION = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十]+[部分类])"
)


def is_section_row(cells: list[object]) -> bool:
    """A group title spanning the table ("一、班子评议问题（12项）"): one filled text only."""
    return is_section_texts({squeeze(c) for c in cells} - {""})


def is_section_texts(filled: set[str]) -> bool:
    """is_section_row on the set of a row's filled cells, squeezed."""
    return len(filled) == 1 and bool(_SECTION.match(next(iter(filled))))


# ---------------------------------------------------------------------------------------
# Status words of the 完成情况 / 整改状态 column


class StatusWord(StrEnum):
    DONE = "done"  # 已完成, 已销号, 完成
    WORKING = "working"  # 正在整改, 推进中
    NOT_STARTED = "not_started"  # 未启动: in progress or pending, as the office chooses


_STATUS_WORDS: dict[str, StatusWord] = {
    **dict.fromkeys(
        ("已完成", "已销号", "完成", "已整改", "已整改到位", "整改到位", "已办结", "办结", "已解决", "已落实",
         "已完成整改", "整改完成", "已结案", "销号", "完结", "已经完成", "全部完成", "已全部完成", "全面完成",
         "已验收", "验收销号"),
        StatusWord.DONE,
    ),
    **dict.fromkeys(
        ("正在整改", "整改中", "推进中", "正在推进", "部分整改", "部分完成", "基本完成", "进行中", "正在进行",
         "已启动", "未完成", "持续整改", "整改推进中", "正在实施", "实施中", "序时推进", "按序时推进",
         "已部分整改", "部分整改到位", "长期坚持", "持续推进", "申请销号", "退回整改", "重新打开", "正在办理",
         "办理中", "正在落实"),
        StatusWord.WORKING,
    ),
    **dict.fromkeys(
        ("未启动", "未开始", "尚未启动", "未整改", "待整改", "暂未启动", "尚未开始", "未动工", "待分派", "待启动"),
        StatusWord.NOT_STARTED,
    ),
}  # fmt: skip
_BY_LENGTH = sorted(_STATUS_WORDS, key=len, reverse=True)
_AFTER_WORD = re.compile(r"^(?:$|[，,。.；;（(：:、!！])")


def status_word(value: object, *, yes_no: bool = False, leading: bool = True) -> StatusWord | None:
    """The status a cell states: the whole cell, or (`leading`) a status word that starts it and
    ends at punctuation ("已完成。投入资金3万元"). "已完成设计，正在施工" states none.
    `yes_no`: a 是否完成 column, where 是/否 answer the question."""
    text = squeeze(value).rstrip("。.;；")
    if yes_no and text in ("是", "否"):
        return StatusWord.DONE if text == "是" else StatusWord.WORKING
    if text in _STATUS_WORDS:
        return _STATUS_WORDS[text]
    if leading:
        for word in _BY_LENGTH:
            if text.startswith(word) and _AFTER_WORD.match(text[len(word) :]):
                return _STATUS_WORDS[word]
    return None


def is_status_word_only(value: object) -> bool:
    """The cell says a status and nothing else ("已完成", "正在整改。")."""
    return status_word(value, leading=False) is not None


# ---------------------------------------------------------------------------------------
# Recognising a row imported before


def row_identity(*, serial: str, description: str, department_id: int) -> str:
    """The key a sheet's row is known by: its 序号, its description and its department.

    Spaces and full-width forms do not count (a sheet saved again by another program stays
    the same sheet); a changed description is a different problem."""
    text = "\x1f".join((squeeze(serial), squeeze(description), str(department_id)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
