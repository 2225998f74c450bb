from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhenwu.lib.ledger_text import DeadlineError, clean_text, is_total_row, parse_deadline, person_names


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2009-05-31", date(2009, 5, 31)),
        ("2009.5.31", date(2009, 5, 31)),
        ("2009/05/31", date(2009, 5, 31)),
        ("2009年5月31日", date(2009, 5, 31)),
        ("２００９年５月３１日", date(2009, 5, 31)),
        ("2009年5月底", date(2009, 5, 31)),
        ("2009年2月底前", date(2009, 2, 28)),
        ("5月底前", date(2009, 5, 31)),
        (39964, date(2009, 5, 31)),
        (datetime(2009, 5, 31, 0, 0), date(2009, 5, 31)),
    ],
)
def test_every_way_clerks_write_a_deadline_is_read(value, expected):
    assert parse_deadline(value, default_year=2009).day == expected


def test_long_term_is_its_own_kind_of_deadline():
    parsed = parse_deadline("长期坚持", default_year=2009)
    assert parsed.long_term and parsed.day is None


@pytest.mark.parametrize("value", ["尽快", "2009-13-01", "13月底", "", 12])
def test_unreadable_deadlines_are_refused_with_the_value_named(value):
    with pytest.raises(DeadlineError):
        parse_deadline(value, default_year=2009)


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31)))
def test_any_date_written_in_chinese_reads_back(day):
    assert parse_deadline(f"{day.year}年{day.month}月{day.day}日", default_year=2000).day == day
    assert parse_deadline(f"{day.year}.{day.month}.{day.day}", default_year=2000).day == day


def test_names_are_split_and_padding_is_removed():
    assert person_names("李四、王五") == ["李四", "王五"]
    assert person_names("李四，王五;赵六") == ["李四", "王五", "赵六"]
    assert person_names("王　五") == ["王五"]
    assert person_names("刘　志强") == ["刘志强"]
    assert person_names("张三 李四") == ["张三", "李四"]
    assert person_names(None) == []


def test_full_width_digits_and_total_rows():
    assert clean_text("１２") == "12"
    assert is_total_row(["合计", "", 182])
    assert not is_total_row(["1", "道路破损"])
