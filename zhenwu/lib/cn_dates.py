"""Reading the date phrases Chinese ledgers write in their 整改时限 and 销号日期 cells.

Pure: no Django, no database, no "today". A town's 整改台账 writes deadlines as dates
(2009-05-31, 2009.5.31, 09年5月31日, 二〇〇九年五月三十一日 — with 〇 or ○, sometimes the
letter O), as parts of a year (5月底前, 6月中旬, 第三季度末, 上半年, 年底前), as durations
(15个工作日内, 30天, 3个月内), as 立行立改 (at once) or as 长期坚持 (no deadline).

`parse_date_phrase` returns what the cell says — a day, a duration to count from some start,
"immediate" or "long term" — and whether the year was written or taken from the `year` the
caller supplies (the sheet's). It never guesses: a phrase it does not understand raises
DatePhraseError with a suggestion of what to write instead. Counting a duration in working
days needs the holiday calendar, which is the caller's business (zhenwu.lib.workdays).
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from django.utils.translation import gettext as _

_EXCEL_EPOCH = date(1899, 12, 30)
# An Excel serial day number between 1954 and 2119: anything else in a date cell is not a date.
_SERIAL_RANGE = (20_000, 80_000)


class PhraseKind(StrEnum):
    DATE = "date"
    DURATION = "duration"
    IMMEDIATE = "immediate"  # 立行立改: the office sets a short deadline
    LONG_TERM = "long_term"  # 长期坚持: no deadline


class DurationUnit(StrEnum):
    WORKDAYS = "workdays"
    DAYS = "days"
    MONTHS = "months"


@dataclass(frozen=True)
class DatePhrase:
    kind: PhraseKind
    day: date | None = None
    # False when the cell wrote no year and `year` supplied it ("6月底前" in a 2009 sheet).
    year_written: bool = True
    amount: int | None = None  # a duration's count
    unit: DurationUnit | None = None
    text: str = ""  # the cell as read (after NFKC and numerals), for messages

    def duration_end(self, start: date) -> date:
        """The end of a calendar-day or month duration counted from `start` (not working days)."""
        assert self.kind == PhraseKind.DURATION and self.amount is not None
        if self.unit == DurationUnit.DAYS:
            return start + timedelta(days=self.amount)
        if self.unit == DurationUnit.MONTHS:
            return add_months(start, self.amount)
        raise ValueError("working days are counted on the holiday calendar")


class DatePhraseError(ValueError):
    """The cell cannot be read; `str()` says why and what to write instead, in Chinese.
    `yearless`: it names no year and none was given — choosing the year would read it (the
    message is translated, so callers ask this, never the text)."""

    def __init__(self, message: str, *, yearless: bool = False) -> None:
        super().__init__(message)
        self.yearless = yearless


def suggestion() -> str:
    return _(
        "可写 2009-05-31、2009年5月底前、6月中旬、第三季度末、年底前、15个工作日内、立行立改 或 长期坚持"
    )


LONG_TERM_WORDS = frozenset(
    {
        "长期坚持",
        "长期",
        "持续推进",
        "长期推进",
        "常态化",
        "常态化推进",
        "持续整改",
        "长期整改",
        "长期坚持整改",
        "持续",
    }
)
IMMEDIATE_WORDS = frozenset(
    {
        "立行立改",
        "立即整改",
        "立即",
        "立改",
        "即知即改",
        "立查立改",
        "即查即改",
        "马上整改",
        "马上就改",
        "立即落实",
    }
)

# Chinese numerals: 〇 and ○ both occur for zero, and typists use the letter O inside a year.
_DIGITS = {"〇": 0, "○": 0, "零": 0, "O": 0, "o": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
_TENS = {"十": 10, "廿": 20, "卅": 30}
_NUMERAL_RUN = re.compile(r"[〇○零Oo一二两三四五六七八九十廿卅]+")
_GENUINE = re.compile(r"[〇○零一二两三四五六七八九十廿卅]")


def numeral_value(run: str) -> int | None:
    """二〇〇九 → 2009 (digit by digit); 三十一 → 31, 十二 → 12, 廿五 → 25 (with tens); None if neither."""
    if not any(ch in _TENS for ch in run):
        return int("".join(str(_DIGITS[ch]) for ch in run))
    match = re.fullmatch(r"([一二两三四五六七八九])?([十廿卅])([一二三四五六七八九])?", run)
    if match is None:
        return None
    lead, tens, unit = match.groups()
    if tens == "十":
        value = (_DIGITS[lead] if lead else 1) * 10
    elif lead:
        return None  # 二廿 is not a number
    else:
        value = _TENS[tens]
    return value + (_DIGITS[unit] if unit else 0)


def arabic(text: str) -> str:
    """Chinese numerals in `text` as Arabic digits; a run of only O letters is left alone."""

    def replace(match: re.Match[str]) -> str:
        run = match.group(0)
        if not _GENUINE.search(run):
            return run
        value = numeral_value(run)
        return run if value is None else str(value)

    return _NUMERAL_RUN.sub(replace, text)


def normalise(text: str) -> str:
    """NFKC (full-width digits and letters), no spaces, Arabic digits, one kind of dash."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s+", "", text)
    text = re.sub("[—–－‐―]", "-", text)
    return arabic(text)


_LEADING = re.compile(r"^(?:自即日起|从即日起|即日起|自收到之日起|收到后|交办后|于|在|截止|截至|到)")
_TRAILING = re.compile(
    r"(?:前完成整改|前整改到位|前完成|完成整改|整改到位|整改完毕|完成|前|之前|以前|为止|止|以内|之内|内|[。.;；,，、])$"
)
_SEPARATORS = re.compile(r"[、,，;；/]|并且|并|和|及")
# "年前" and "节前" name a festival (the Spring Festival), not a date.
_BEFORE_FESTIVAL = re.compile(r"(?<![底末])年前$|节前|节后")
_Y = r"(\d{4}|\d{2})"
_FULL = re.compile(rf"^{_Y}[-./年](\d{{1,2}})[-./月](\d{{1,2}})[日号]?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_YEAR_PREFIX = r"(?:(\d{4}|\d{2})年度?|(今年|本年度|本年|当年|明年|次年))?"
_MONTH = re.compile(rf"^{_YEAR_PREFIX}(\d{{1,2}})月(?:份|底|末|末底)?$")
_MONTH_DOTTED = re.compile(r"^(\d{4})[-./](\d{1,2})$")
_TEN_DAYS = re.compile(rf"^{_YEAR_PREFIX}(\d{{1,2}})月(上|中|下|上中|中下)旬(?:末)?$")
_MONTH_DAY = re.compile(r"^(今年|本年|当年|明年|次年)?(\d{1,2})月(\d{1,2})[日号]$")
_YEAR_END = re.compile(rf"^{_YEAR_PREFIX}(年底|年末|年终|年度|年|底|末)?$")
_ALONE_YEAR_END = ("年底", "年末", "年终", "年度", "年")  # with no year before them
_QUARTER = re.compile(rf"^{_YEAR_PREFIX}第?([1-4])季度(?:末|底)?$")
_HALF = re.compile(rf"^{_YEAR_PREFIX}(上半年|下半年)(?:末|底)?$")
_DURATION = re.compile(r"^(\d{1,3})(?:个)?(工作日|自然日|天|日|周|星期|个月|年)$")


def parse_date_phrase(value: object, *, year: int | None) -> DatePhrase:
    """What a deadline cell says. `year` fills in a phrase that writes none (the sheet's year);
    None refuses such a phrase. Raises DatePhraseError naming the text and a form to use."""
    if isinstance(value, datetime):
        return DatePhrase(PhraseKind.DATE, value.date(), text=value.date().isoformat())
    if isinstance(value, date):
        return DatePhrase(PhraseKind.DATE, value, text=value.isoformat())
    if isinstance(value, bool):
        raise DatePhraseError(_("“%(text)s”不是日期；%(hint)s") % {"text": value, "hint": suggestion()})
    if isinstance(value, int | float):
        if _SERIAL_RANGE[0] <= value <= _SERIAL_RANGE[1] and float(value).is_integer():
            day = _EXCEL_EPOCH + timedelta(days=int(value))
            return DatePhrase(PhraseKind.DATE, day, text=day.isoformat())
        raise DatePhraseError(_("“%(text)s”不是日期；%(hint)s") % {"text": value, "hint": suggestion()})
    raw = "" if value is None else str(value)
    text = normalise(raw)
    if not text:
        raise DatePhraseError(_("为空；%(hint)s") % {"hint": suggestion()})
    if text in LONG_TERM_WORDS:
        return DatePhrase(PhraseKind.LONG_TERM, text=text)
    if text in IMMEDIATE_WORDS:
        return DatePhrase(PhraseKind.IMMEDIATE, text=text)
    if _BEFORE_FESTIVAL.search(text):
        raise _unreadable(raw.strip())
    parts = set(filter(None, _SEPARATORS.split(text)))
    if len(parts) == 2 and parts & IMMEDIATE_WORDS and parts & LONG_TERM_WORDS:
        # "立行立改，长期坚持": put right at once and keep it up — tracked as 长期坚持, no deadline.
        return DatePhrase(PhraseKind.LONG_TERM, text=text)
    core = _strip(text)
    if core in LONG_TERM_WORDS:
        return DatePhrase(PhraseKind.LONG_TERM, text=text)
    if core in IMMEDIATE_WORDS:
        return DatePhrase(PhraseKind.IMMEDIATE, text=text)
    within = bool(re.search(r"(?:以内|之内|内)(?:完成|完成整改|整改到位)?[。.;；]?$", text))
    found = _phrase(core, year, raw.strip(), within=within)
    return DatePhrase(found.kind, found.day, found.year_written, found.amount, found.unit, text)


def _strip(text: str) -> str:
    previous = None
    while previous != text:
        previous = text
        text = _LEADING.sub("", text)
        text = _TRAILING.sub("", text)
    return text


def _phrase(core: str, year: int | None, shown: str, *, within: bool) -> DatePhrase:
    if match := _FULL.match(core):
        return _day(shown, _full_year(match.group(1)), int(match.group(2)), int(match.group(3)))
    if match := _COMPACT.match(core):
        return _day(shown, *(int(g) for g in match.groups()))
    if match := _MONTH_DAY.match(core):
        y, written = _which_year(shown, None, match.group(1), year)
        return _day(shown, y, int(match.group(2)), int(match.group(3)), written=written)
    if match := _TEN_DAYS.match(core):
        y, written = _which_year(shown, match.group(1), match.group(2), year)
        month = _month(shown, int(match.group(3)))
        part = match.group(4)[-1]  # 中下旬 ends with the 下旬
        day = {"上": 10, "中": 20}.get(part) or calendar.monthrange(y, month)[1]
        return _day(shown, y, month, day, written=written)
    if match := _MONTH.match(core):
        return _month_end(shown, match, year)
    if match := _MONTH_DOTTED.match(core):
        month = _month(shown, int(match.group(2)))
        y = int(match.group(1))
        return _day(shown, y, month, calendar.monthrange(y, month)[1])
    if match := _QUARTER.match(core):
        y, written = _which_year(shown, match.group(1), match.group(2), year)
        month = int(match.group(3)) * 3
        return _day(shown, y, month, calendar.monthrange(y, month)[1], written=written)
    if match := _HALF.match(core):
        y, written = _which_year(shown, match.group(1), match.group(2), year)
        return (
            _day(shown, y, 6, 30, written=written)
            if match.group(3) == "上半年"
            else _day(shown, y, 12, 31, written=written)
        )
    if match := _YEAR_END.match(core):
        digits, relative, suffix = match.groups()
        # "2009年底", "今年底", "年底", "2009年"; not "底" alone, nor "10年" (ten years, or 2010?)
        ambiguous = digits is not None and len(digits) == 2 and not suffix and not core.endswith("年度")
        if (digits or relative or suffix in _ALONE_YEAR_END) and not ambiguous:
            y, written = _which_year(shown, digits, relative, year)
            return _day(shown, y, 12, 31, written=written)
    if match := _DURATION.match(core):
        # "30日" alone may be "by the 30th": a duration in 日 must say 内 ("30日内").
        if match.group(2) == "日" and not within:
            raise _unreadable(shown)
        return _duration(shown, int(match.group(1)), match.group(2))
    raise _unreadable(shown)


def _unreadable(shown: str) -> DatePhraseError:
    return DatePhraseError(_("“%(text)s”无法识别；%(hint)s") % {"text": shown, "hint": suggestion()})


def _full_year(text: str) -> int:
    # Two-digit years are this century's: a town ledger written as 09年 is 2009.
    return 2000 + int(text) if len(text) == 2 else int(text)


def _which_year(shown: str, written: str | None, relative: str | None, year: int | None) -> tuple[int, bool]:
    if written:
        return _full_year(written), True
    if year is None:
        raise DatePhraseError(
            _("“%(text)s”没有写年份，也无法从台账确定年份：请写明年份（如 2009年6月底前）或选择年份")
            % {"text": shown},
            yearless=True,
        )
    if relative in ("明年", "次年"):
        return year + 1, False
    return year, False


def _month(shown: str, month: int) -> int:
    if not 1 <= month <= 12:
        raise DatePhraseError(_("“%(text)s”的月份不对（应为1到12月）") % {"text": shown})
    return month


def _month_end(shown: str, match: re.Match[str], year: int | None) -> DatePhrase:
    y, written = _which_year(shown, match.group(1), match.group(2), year)
    month = _month(shown, int(match.group(3)))
    return _day(shown, y, month, calendar.monthrange(y, month)[1], written=written)


def _day(shown: str, y: int, month: int, day: int, *, written: bool = True) -> DatePhrase:
    _month(shown, month)
    try:
        return DatePhrase(PhraseKind.DATE, date(y, month, day), year_written=written)
    except ValueError as exc:
        raise DatePhraseError(_("“%(text)s”不是有效日期（该月没有这一天）") % {"text": shown}) from exc


def _duration(shown: str, amount: int, unit: str) -> DatePhrase:
    if amount < 1:
        raise DatePhraseError(_("“%(text)s”的天数应大于0") % {"text": shown})
    if unit == "工作日":
        return DatePhrase(PhraseKind.DURATION, amount=amount, unit=DurationUnit.WORKDAYS)
    if unit in ("天", "日", "自然日"):
        return DatePhrase(PhraseKind.DURATION, amount=amount, unit=DurationUnit.DAYS)
    if unit in ("周", "星期"):
        return DatePhrase(PhraseKind.DURATION, amount=amount * 7, unit=DurationUnit.DAYS)
    if unit == "个月":
        return DatePhrase(PhraseKind.DURATION, amount=amount, unit=DurationUnit.MONTHS)
    if amount > 5:  # 年: "1年内", "两年内"; "10年" is as likely 2010 as ten years
        raise _unreadable(shown)
    return DatePhrase(PhraseKind.DURATION, amount=amount * 12, unit=DurationUnit.MONTHS)


def add_months(start: date, months: int) -> date:
    """The same day `months` later (the month's last day when it is shorter: 1-31 + 1 → 2-28)."""
    index = start.month - 1 + months
    y, month = start.year + index // 12, index % 12 + 1
    return date(y, month, min(start.day, calendar.monthrange(y, month)[1]))


# ---------------------------------------------------------------------------------------
# Years and dates named in free text: a sheet's title and its 填报时间 line

_YEAR_IN_TEXT = re.compile(r"(?<!\d)((?:19|20)\d{2})(?:年|-|\.|/)")
_DATE_IN_TEXT = re.compile(r"(?<!\d)((?:19|20)\d{2})[-./年](\d{1,2})[-./月](\d{1,2})(?!\d)")


def years_named(text: str) -> list[int]:
    """The years a title or a header line names ("××镇2009年学习实践活动整改台账" → [2009])."""
    return [int(y) for y in _YEAR_IN_TEXT.findall(normalise(text))]


def first_date(text: str) -> date | None:
    """The first whole date in a line of text ("填报时间：2009年4月2日" → 2009-04-02)."""
    for y, m, d in _DATE_IN_TEXT.findall(normalise(text)):
        try:
            return date(int(y), int(m), int(d))
        except ValueError:
            continue
    return None
