from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhenwu.core.calendar import _chinesecalendar_days
from zhenwu.lib.workdays import CalendarNotCovered, WorkCalendar

YEARS = range(2008, 2027)


def _real_calendar() -> WorkCalendar:
    days = [row for year in YEARS for row in _chinesecalendar_days(year)]
    return WorkCalendar.build(
        years=YEARS,
        holidays=[d for d, kind, _ in days if kind == "holiday"],
        makeup_workdays=[d for d, kind, _ in days if kind == "workday"],
    )


CAL = _real_calendar()
dates = st.dates(min_value=date(2008, 1, 1), max_value=date(2026, 6, 30))
counts = st.integers(min_value=0, max_value=40)


def test_spring_festival_2026_is_off_and_its_makeup_saturdays_are_worked():
    assert not CAL.is_workday(date(2026, 2, 16))  # 除夕 eve week, Monday
    assert not CAL.is_workday(date(2026, 2, 20))
    assert CAL.is_workday(date(2026, 2, 14))  # Saturday worked
    assert CAL.is_workday(date(2026, 2, 28))  # Saturday worked


def test_five_working_days_after_the_friday_before_spring_festival_skip_the_holiday():
    # Fri 13 Feb 2026 → Sat 14 (make-up) is day 1; the holiday runs 15–23 Feb.
    assert CAL.add_workdays(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert CAL.add_workdays(date(2026, 2, 13), 2) == date(2026, 2, 24)


def test_national_day_2009_week_is_off_and_sunday_27_september_is_worked():
    assert CAL.is_workday(date(2009, 9, 27))
    assert not CAL.is_workday(date(2009, 10, 5))
    assert CAL.add_workdays(date(2009, 9, 30), 1) == date(2009, 10, 9)


def test_plain_weekend_is_off_and_weekday_is_worked():
    assert not CAL.is_workday(date(2026, 11, 21))
    assert CAL.is_workday(date(2026, 11, 25))


def test_a_year_the_calendar_does_not_cover_is_refused_in_plain_chinese():
    with pytest.raises(CalendarNotCovered) as caught:
        CAL.is_workday(date(2027, 3, 1))
    assert "2027年" in str(caught.value)
    with pytest.raises(CalendarNotCovered):
        CAL.add_workdays(date(2026, 12, 28), 10)


@given(dates, counts)
def test_adding_n_working_days_lands_on_a_working_day_n_working_days_later(start, n):
    end = CAL.add_workdays(start, n)
    assert CAL.workdays_between(start, end) == n
    if n:
        assert CAL.is_workday(end)
        assert end > start


@given(dates, counts, counts)
def test_adding_working_days_composes(start, a, b):
    assert CAL.add_workdays(CAL.add_workdays(start, a), b) == CAL.add_workdays(start, a + b)


@given(dates, dates)
def test_counting_is_antisymmetric(a, b):
    assert CAL.workdays_between(a, b) == -CAL.workdays_between(b, a)


@given(dates, counts)
def test_subtracting_undoes_adding_from_a_working_day(start, n):
    start = CAL.next_workday(start)
    assert CAL.add_workdays(CAL.add_workdays(start, n), -n) == start


@given(dates, st.integers(min_value=0, max_value=30))
def test_without_holidays_working_days_are_weekdays(start, n):
    plain = WorkCalendar.build(years=range(2000, 2030))
    end = plain.add_workdays(start, n)
    weekdays = sum(1 for k in range(1, (end - start).days + 1) if (start + timedelta(days=k)).weekday() < 5)
    assert weekdays == n


def _walk(calendar: WorkCalendar, start: date, end: date) -> int:
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += calendar.is_workday(day)
    return count


@given(dates, dates)
def test_the_arithmetic_count_agrees_with_walking_day_by_day(a, b):
    start, end = min(a, b), max(a, b)
    assert CAL.workdays_between(start, end) == _walk(CAL, start, end)
