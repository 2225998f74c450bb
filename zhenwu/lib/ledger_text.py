"""Normalising what clerks type into ledger spreadsheets: dates, names, numbers, headers.

Pure functions with no Django models, tested on the shapes real sheets contain:
full-width digits and spaces, several names in one cell, and deadlines written as
2009-05-31, 2009.5.31, 2009/05/31, 2009年5月31日, 2009年5月底, 5月底前, an Excel serial
date, or 长期坚持.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

_EXCEL_EPOCH = date(1899, 12, 30)
_SPLIT_NAMES = re.compile(r"[、,，;；/\\|]+")
_FULL_DATE = re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?\s*(前|之前)?$")
_MONTH_END = re.compile(r"^(?:(\d{4})\s*年)?\s*(\d{1,2})\s*月\s*(底|末|份)\s*(前|之前)?$")
_LONG_TERM = {"长期坚持", "长期", "持续推进", "长期推进"}


def clean_text(value: object) -> str:
    """NFKC (full-width digits and letters become half-width), trimmed, inner newlines kept."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return text.replace("\r\n", "\n").strip()


def header_key(value: object) -> str:
    """A header cell reduced to compare: no spaces, brackets or line breaks."""
    text = clean_text(value)
    return re.sub(r"[\s()（）\[\]【】:：*]", "", text)


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


@dataclass(frozen=True)
class ParsedDeadline:
    day: date | None
    long_term: bool = False


class DeadlineError(ValueError):
    pass


def parse_deadline(value: object, *, default_year: int) -> ParsedDeadline:
    """Read a 整改时限 cell; raises DeadlineError (Chinese message) when it cannot."""
    if isinstance(value, datetime):
        return ParsedDeadline(value.date())
    if isinstance(value, date):
        return ParsedDeadline(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20000 <= value <= 80000:  # an Excel serial date (1954–2119)
            return ParsedDeadline(_EXCEL_EPOCH + timedelta(days=int(value)))
        raise DeadlineError(f"整改时限“{value}”不是日期")
    text = clean_text(value)
    if not text:
        raise DeadlineError("整改时限为空")
    if text in _LONG_TERM:
        return ParsedDeadline(None, long_term=True)
    if match := _FULL_DATE.match(text):
        year, month, day = (int(g) for g in match.groups()[:3])
        try:
            return ParsedDeadline(date(year, month, day))
        except ValueError as exc:
            raise DeadlineError(f"整改时限“{text}”不是有效日期") from exc
    if match := _MONTH_END.match(text):
        year = int(match.group(1)) if match.group(1) else default_year
        month = int(match.group(2))
        if not 1 <= month <= 12:
            raise DeadlineError(f"整改时限“{text}”月份无效")
        return ParsedDeadline(date(year, month, calendar.monthrange(year, month)[1]))
    raise DeadlineError(f"整改时限“{text}”无法识别（可写 2009-05-31、2009年5月底 或 长期坚持）")


def is_total_row(cells: list[object]) -> bool:
    """合计/小计/总计 rows summarise the sheet; they are not problems."""
    joined = "".join(clean_text(c) for c in cells[:3])
    return any(word in joined for word in ("合计", "小计", "总计"))
