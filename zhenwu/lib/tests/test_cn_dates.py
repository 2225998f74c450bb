"""The date phrases of real 整改台账 cells: example tables, then properties over every date."""

import calendar
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhenwu.lib.cn_dates import (
    DatePhraseError,
    DurationUnit,
    PhraseKind,
    add_months,
    arabic,
    first_date,
    parse_date_phrase,
    years_named,
)

# The sheet's year, for phrases that write none.
SHEET_YEAR = 2009


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("2009-05-31", date(2009, 5, 31)),
        ("2009.5.31", date(2009, 5, 31)),
        ("2009/05/31", date(2009, 5, 31)),
        ("2009年5月31日", date(2009, 5, 31)),
        ("2009年5月31日前", date(2009, 5, 31)),
        ("于2009年6月30日前完成", date(2009, 6, 30)),
        ("２００９年５月３１日", date(2009, 5, 31)),
        ("20090531", date(2009, 5, 31)),
        ("09年5月31日", date(2009, 5, 31)),
        ("09.5.31", date(2009, 5, 31)),
        ("二〇〇九年五月三十一日", date(2009, 5, 31)),
        ("二○○九年十二月底", date(2009, 12, 31)),
        ("二OO九年十月十日", date(2009, 10, 10)),
        ("2009年5月", date(2009, 5, 31)),
        ("2009.5", date(2009, 5, 31)),
        ("2009年2月底前", date(2009, 2, 28)),
        ("2008年2月底前", date(2008, 2, 29)),
        ("2009年底前", date(2009, 12, 31)),
        ("2009年年底", date(2009, 12, 31)),
        ("2009年内", date(2009, 12, 31)),
        ("2009年第三季度", date(2009, 9, 30)),
        ("2010年上半年", date(2010, 6, 30)),
        ("2009年5月中旬", date(2009, 5, 20)),
        (39964, date(2009, 5, 31)),
        (39964.0, date(2009, 5, 31)),
        (datetime(2009, 5, 31, 0, 0), date(2009, 5, 31)),
        (date(2009, 5, 31), date(2009, 5, 31)),
    ],
)
def test_dates_that_write_their_year_are_read_as_written(cell, expected):
    phrase = parse_date_phrase(cell, year=1999)  # the sheet's year must not matter
    assert phrase.kind == PhraseKind.DATE and phrase.day == expected and phrase.year_written


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("6月底前", date(2009, 6, 30)),
        ("6月底", date(2009, 6, 30)),
        ("6月份", date(2009, 6, 30)),
        ("六月末", date(2009, 6, 30)),
        ("5月31日前", date(2009, 5, 31)),
        ("5月31号", date(2009, 5, 31)),
        ("十二月三十一日前", date(2009, 12, 31)),
        ("年底前", date(2009, 12, 31)),
        ("年底", date(2009, 12, 31)),
        ("年内", date(2009, 12, 31)),
        ("今年底", date(2009, 12, 31)),
        ("本年度内", date(2009, 12, 31)),
        ("明年6月底前", date(2010, 6, 30)),
        ("第三季度末", date(2009, 9, 30)),
        ("三季度末", date(2009, 9, 30)),
        ("第二季度", date(2009, 6, 30)),
        ("一季度", date(2009, 3, 31)),
        ("第四季度", date(2009, 12, 31)),
        ("上半年", date(2009, 6, 30)),
        ("下半年", date(2009, 12, 31)),
        ("5月上旬", date(2009, 5, 10)),
        ("5月中旬前", date(2009, 5, 20)),
        ("2月下旬", date(2009, 2, 28)),
        ("六月中下旬", date(2009, 6, 30)),
    ],
)
def test_dates_without_a_year_take_the_sheets_year_and_say_so(cell, expected):
    phrase = parse_date_phrase(cell, year=SHEET_YEAR)
    assert phrase.kind == PhraseKind.DATE and phrase.day == expected
    assert phrase.year_written is False


@pytest.mark.parametrize(
    "cell, amount, unit",
    [
        ("15个工作日", 15, DurationUnit.WORKDAYS),
        ("15个工作日内", 15, DurationUnit.WORKDAYS),
        ("十五个工作日内完成", 15, DurationUnit.WORKDAYS),
        ("即日起10个工作日内", 10, DurationUnit.WORKDAYS),
        ("5工作日内", 5, DurationUnit.WORKDAYS),
        ("30天", 30, DurationUnit.DAYS),
        ("30天内", 30, DurationUnit.DAYS),
        ("三十日内", 30, DurationUnit.DAYS),
        ("两周内", 14, DurationUnit.DAYS),
        ("3个月内", 3, DurationUnit.MONTHS),
        ("一年内", 12, DurationUnit.MONTHS),
    ],
)
def test_durations_are_returned_to_be_counted_from_the_sheets_date(cell, amount, unit):
    phrase = parse_date_phrase(cell, year=None)  # a duration needs no year
    assert (phrase.kind, phrase.amount, phrase.unit) == (PhraseKind.DURATION, amount, unit)


@pytest.mark.parametrize("cell", ["立行立改", "立即整改", "即知即改", "立行立改。"])
def test_immediate_fixes_are_their_own_kind(cell):
    assert parse_date_phrase(cell, year=SHEET_YEAR).kind == PhraseKind.IMMEDIATE


@pytest.mark.parametrize(
    "cell", ["长期坚持", "长期", "持续推进", "常态化", "立行立改，长期坚持", "立行立改并长期坚持"]
)
def test_long_term_phrases_have_no_deadline(cell):
    phrase = parse_date_phrase(cell, year=SHEET_YEAR)
    assert phrase.kind == PhraseKind.LONG_TERM and phrase.day is None


@pytest.mark.parametrize(
    "cell, why",
    [
        ("尽快", "无法识别"),
        ("年前", "无法识别"),  # before the Spring Festival: which day?
        ("春节前", "无法识别"),
        ("30日", "无法识别"),  # 30 days, or by the 30th?
        ("10年", "无法识别"),  # ten years, or 2010?
        ("5月-6月", "无法识别"),
        ("底", "无法识别"),
        ("2009-13-01", "月份不对"),
        ("13月底", "月份不对"),
        ("2009年2月30日", "不是有效日期"),
        ("", "为空"),
        (None, "为空"),
        (12, "不是日期"),
        (True, "不是日期"),
        ("0个工作日", "应大于0"),
    ],
)
def test_anything_else_is_refused_with_the_cell_and_a_suggestion(cell, why):
    with pytest.raises(DatePhraseError, match=why) as refused:
        parse_date_phrase(cell, year=SHEET_YEAR)
    if why == "无法识别":
        assert f"“{cell}”" in str(refused.value) and "可写" in str(refused.value)


def test_a_phrase_without_a_year_is_refused_when_the_sheet_has_none():
    with pytest.raises(DatePhraseError, match="没有写年份"):
        parse_date_phrase("6月底前", year=None)


def test_calendar_durations_end_on_the_counted_day():
    assert parse_date_phrase("30天", year=None).duration_end(date(2009, 4, 2)) == date(2009, 5, 2)
    assert parse_date_phrase("3个月内", year=None).duration_end(date(2009, 11, 30)) == date(2010, 2, 28)


def test_years_and_dates_are_found_in_a_title_and_a_header_line():
    assert years_named("××镇2009年学习实践活动问题整改台账") == [2009]
    assert years_named("二〇〇九年整改台账") == [2009]
    assert years_named("问题整改台账") == []
    assert first_date("填报单位：党政办　　填报时间：2009年4月2日") == date(2009, 4, 2)
    assert first_date("填报时间：二〇〇九年四月二日") == date(2009, 4, 2)
    assert first_date("截至2009.11.20") == date(2009, 11, 20)
    assert first_date("填报时间：　　年　月　日") is None


# ---------------------------------------------------------------------------------------
# Properties

_CN = "〇一二三四五六七八九"


def _cn_digits(n: int, zero: str = "〇") -> str:
    return "".join(_CN[int(d)] for d in str(n)).replace("〇", zero)


def _cn_number(n: int) -> str:
    """1–99 the way a clerk writes it: 五, 十, 十二, 二十, 三十一."""
    tens, units = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN[tens] + "十")
    return head + (_CN[units] if units else "")


dates = st.dates(min_value=date(2004, 1, 1), max_value=date(2099, 12, 31))


@given(n=st.integers(min_value=1, max_value=99))
def test_every_chinese_number_a_date_uses_reads_as_its_value(n):
    assert arabic(_cn_number(n)) == str(n)


@given(
    day=dates,
    zero=st.sampled_from(["〇", "○", "O", "零"]),
    suffix=st.sampled_from(["", "前", "之前", "前完成"]),
)
def test_any_date_in_chinese_numerals_reads_back(day, zero, suffix):
    cell = f"{_cn_digits(day.year, zero)}年{_cn_number(day.month)}月{_cn_number(day.day)}日{suffix}"
    assert parse_date_phrase(cell, year=None).day == day


@given(day=dates, form=st.sampled_from(["{y}-{m:02d}-{d:02d}", "{y}.{m}.{d}", "{y}/{m}/{d}", "{y}年{m}月{d}日",
                                        "{y}年{m}月{d}日前", "{yy:02d}年{m}月{d}日", " {y} 年 {m} 月 {d} 日 "]))  # fmt: skip
def test_any_date_in_arabic_numerals_reads_back_whatever_the_separators(day, form):
    cell = form.format(y=day.year, yy=day.year % 100, m=day.month, d=day.day)
    phrase = parse_date_phrase(cell, year=1999)
    assert phrase.day == day and phrase.year_written


@given(year=st.integers(2004, 2099), month=st.integers(1, 12), part=st.sampled_from(["上", "中", "下"]))
def test_ten_day_parts_end_on_the_10th_the_20th_or_the_months_last_day(year, month, part):
    phrase = parse_date_phrase(f"{month}月{part}旬", year=year)
    last = calendar.monthrange(year, month)[1]
    assert phrase.day == date(year, month, {"上": 10, "中": 20, "下": last}[part])
    assert not phrase.year_written


@given(year=st.integers(2004, 2099), month=st.integers(1, 12), numerals=st.booleans())
def test_a_month_alone_or_its_end_is_the_months_last_day(year, month, numerals):
    shown = _cn_number(month) if numerals else str(month)
    expected = date(year, month, calendar.monthrange(year, month)[1])
    assert parse_date_phrase(f"{year}年{shown}月", year=None).day == expected
    assert parse_date_phrase(f"{shown}月底前", year=year).day == expected


@given(year=st.integers(2004, 2099), quarter=st.integers(1, 4), first=st.booleans())
def test_a_quarter_ends_on_the_last_day_of_its_third_month(year, quarter, first):
    cell = f"{'第' if first else ''}{_cn_number(quarter)}季度末"
    day = parse_date_phrase(cell, year=year).day
    assert day is not None and day.month == 3 * quarter and day.year == year
    assert day.day == calendar.monthrange(year, 3 * quarter)[1]


@given(n=st.integers(1, 365), numerals=st.booleans(), within=st.sampled_from(["", "内", "以内", "内完成"]))
def test_any_count_of_working_days_is_a_working_day_duration(n, numerals, within):
    shown = _cn_number(n) if numerals and n < 100 else str(n)
    phrase = parse_date_phrase(f"{shown}个工作日{within}", year=None)
    assert (phrase.kind, phrase.amount, phrase.unit) == (PhraseKind.DURATION, n, DurationUnit.WORKDAYS)


@given(text=st.text(max_size=30))
def test_any_text_is_read_or_refused_never_crashes(text):
    try:
        phrase = parse_date_phrase(text, year=SHEET_YEAR)
    except DatePhraseError as refused:
        assert str(refused)
    else:
        assert phrase.kind in set(PhraseKind)
        if phrase.kind == PhraseKind.DATE:
            assert phrase.day is not None


@given(start=dates, months=st.integers(0, 120))
def test_adding_months_keeps_the_day_or_clips_to_the_month_end(start, months):
    end = add_months(start, months)
    assert (end.year - start.year) * 12 + end.month - start.month == months
    assert end.day == min(start.day, calendar.monthrange(end.year, end.month)[1])


def test_a_date_without_a_year_says_so_by_attribute_not_by_its_words():
    from django.utils import translation

    with translation.override("en"), pytest.raises(DatePhraseError) as caught:
        parse_date_phrase("6月底前", year=None)
    assert caught.value.yearless is True
    with pytest.raises(DatePhraseError) as unreadable:
        parse_date_phrase("尽快", year=2009)
    assert unreadable.value.yearless is False
