"""The statutory days computed from the law and lunar-python, checked against every year
chinesecalendar (the State Council's actual arrangements) covers."""

from datetime import date

import pytest
from chinese_calendar import constants

from zhenwu.lib.statutory import statutory_days, statutory_weekdays

COVERED = sorted({d.year for d in constants.holidays})


def _off(day: date) -> bool:
    """Off in the real arrangement: a listed holiday, or a weekend day not worked."""
    return day in constants.holidays or (day.weekday() >= 5 and day not in constants.workdays)


@pytest.mark.parametrize("year", COVERED)
def test_every_statutory_day_was_off_in_the_real_arrangement(year):
    wrong = [(d, name) for d, name in statutory_days(year) if not _off(d)]
    assert wrong == []


def test_the_2025_law_has_thirteen_days_and_2024_had_eleven():
    assert len(statutory_days(2025)) == 13  # 元旦1 春节4 清明1 劳动2 端午1 中秋1 国庆3
    assert len(statutory_days(2024)) == 11
    assert len(statutory_days(2007)) == 10  # 元旦1 春节3 劳动3 国庆3 (no 清明/端午/中秋)


def test_2027_from_the_lunar_calendar():
    days = dict(statutory_days(2027))
    assert days[date(2027, 2, 5)] == "春节"  # 除夕
    assert days[date(2027, 2, 8)] == "春节"  # 初三
    assert days[date(2027, 4, 5)] == "清明节"
    assert days[date(2027, 6, 9)] == "端午节"
    assert days[date(2027, 9, 15)] == "中秋节"
    assert date(2027, 5, 2) in days and date(2027, 5, 3) not in days
    assert set(statutory_weekdays(2027)) == {d for d in days if d.weekday() < 5}


def test_the_years_to_come_are_computable():
    for year in range(2027, 2100):
        assert statutory_days(year)[0] == (date(year, 1, 1), "元旦")
