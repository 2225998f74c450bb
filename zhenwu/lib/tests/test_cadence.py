from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhenwu.lib.cadence import (
    Cadence,
    key_label,
    next_period,
    period_containing,
    period_from_key,
    period_from_text,
    periods_between,
)

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))
cadences = st.sampled_from([Cadence.HALF_MONTHLY, Cadence.MONTHLY])


def test_half_months_split_on_the_fifteenth_and_run_to_the_last_day():
    first = period_containing(date(2009, 2, 15), Cadence.HALF_MONTHLY)
    second = period_containing(date(2009, 2, 16), Cadence.HALF_MONTHLY)
    assert (first.start, first.end, first.label, first.key) == (
        date(2009, 2, 1),
        date(2009, 2, 15),
        "2009年2月上半月",
        "2009-02-1",
    )
    assert (second.start, second.end, second.label) == (
        date(2009, 2, 16),
        date(2009, 2, 28),
        "2009年2月下半月",
    )
    assert period_containing(date(2008, 2, 20), Cadence.HALF_MONTHLY).end == date(2008, 2, 29)


def test_a_problem_open_from_mid_may_to_july_lives_through_five_half_months():
    periods = list(periods_between(date(2009, 5, 10), date(2009, 7, 1), Cadence.HALF_MONTHLY))
    assert [p.key for p in periods] == ["2009-05-1", "2009-05-2", "2009-06-1", "2009-06-2", "2009-07-1"]
    assert list(periods_between(date(2009, 5, 10), date(2009, 7, 1), Cadence.NONE)) == []


@given(days, cadences)
def test_every_day_lies_in_exactly_one_period_and_periods_tile_the_calendar(day, cadence):
    period = period_containing(day, cadence)
    assert period.contains(day)
    following = next_period(period)
    assert following.start == period.end + timedelta(days=1)
    assert period_containing(period.end, cadence) == period


@given(days, cadences)
def test_keys_round_trip(day, cadence):
    period = period_containing(day, cadence)
    assert period_from_key(period.key) == period


@given(days, cadences)
def test_a_period_is_read_back_from_its_words_and_from_its_key(day, cadence):
    period = period_containing(day, cadence)
    assert period_from_text(period.label) == period_from_text(period.key) == period
    assert key_label(period.key) == period.label


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("2026年11月下半月", "2026-11-2"),
        ("２０２６年１１月上半月", "2026-11-1"),
        (" 2026年 3月 ", "2026-03"),
        ("2009年5月上半月", "2009-05-1"),
    ],
)
def test_periods_typed_in_words(text, key):
    assert period_from_text(text).key == key


@pytest.mark.parametrize("text", ["2026年13月下半月", "2026年11月中旬", "11月下半月"])
def test_words_that_name_no_period_are_refused_in_chinese(text):
    with pytest.raises(ValueError, match="报告期"):
        period_from_text(text)


@given(days, days, cadences)
def test_periods_between_cover_the_range_without_gaps(a, b, cadence):
    first, last = min(a, b), max(a, b)
    periods = list(periods_between(first, last, cadence))
    assert periods[0].contains(first) and periods[-1].contains(last)
    assert all(n.start == p.end + timedelta(days=1) for p, n in zip(periods, periods[1:], strict=False))


@pytest.mark.parametrize("key", ["2009-13-1", "2009-05-3", "abc", "2009"])
def test_a_malformed_period_key_is_refused_in_chinese(key):
    with pytest.raises(ValueError, match="格式不正确"):
        period_from_key(key)
