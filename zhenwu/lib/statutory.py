"""The statutory public holidays (法定节假日) of a year, as the law fixes them.

《全国年节及纪念日放假办法》 fixes which days are off; each year the State Council's notice adds
the bridging days and the weekend days worked in exchange (调休), which no rule can predict.
So for a year whose notice is not yet entered, the working-day calendar counts weekends and
these days as off and marks what it computes as provisional (暂定).

The lunar dates (春节, 端午, 中秋) and the solar term 清明 come from lunar-python (6tail's
lunar calendar, maintained, covering 1901–2099); the tests check it against every year
chinesecalendar covers. Pure: no database.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from lunar_python import Lunar, Solar

# The revisions of the law, by the first year they applied: 2008 added 清明, 端午 and 中秋,
# cut 劳动节 to one day and made 除夕 a holiday; 2014 moved 除夕's day to 初三; 2025 added 除夕
# back and a second 劳动节 day (国务院令第795号, 2024).
_REVISIONS = (2008, 2014, 2025)


def _spring_festival(year: int) -> date:
    return _solar(Lunar.fromYmd(year, 1, 1).getSolar())


def _lunar(year: int, month: int, day: int) -> date:
    return _solar(Lunar.fromYmd(year, month, day).getSolar())


def _qingming(year: int) -> date:
    # 清明 falls on 4, 5 or 6 April; the solar term's own day is the holiday.
    for day in range(3, 7):
        if Solar.fromYmd(year, 4, day).getLunar().getJieQi() == "清明":
            return date(year, 4, day)
    raise ValueError(f"no 清明 found in April {year}")  # lunar-python covers 1901–2099


def _solar(solar: Solar) -> date:
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


@lru_cache(maxsize=256)
def statutory_days(year: int) -> tuple[tuple[date, str], ...]:
    """Every statutory day off in `year` (weekends included), with the festival's name, sorted."""
    days: list[tuple[date, str]] = [(date(year, 1, 1), "元旦")]
    spring = _spring_festival(year)
    if year >= _REVISIONS[2]:
        spring_days = [
            spring - timedelta(days=1),
            spring,
            spring + timedelta(days=1),
            spring + timedelta(days=2),
        ]
    elif year >= _REVISIONS[1]:
        spring_days = [spring, spring + timedelta(days=1), spring + timedelta(days=2)]
    elif year >= _REVISIONS[0]:
        spring_days = [spring - timedelta(days=1), spring, spring + timedelta(days=1)]
    else:
        spring_days = [spring, spring + timedelta(days=1), spring + timedelta(days=2)]
    days += [(d, "春节") for d in spring_days]
    if year >= _REVISIONS[0]:
        days.append((_qingming(year), "清明节"))
        days.append((_lunar(year, 5, 5), "端午节"))
        days.append((_lunar(year, 8, 15), "中秋节"))
    labour = 3 if year < _REVISIONS[0] else 2 if year >= _REVISIONS[2] else 1
    days += [(date(year, 5, 1 + i), "劳动节") for i in range(labour)]
    days += [(date(year, 10, 1 + i), "国庆节") for i in range(3)]
    # 春节 falls between 21 January and 20 February, so 除夕 is in the same year as it.
    return tuple(sorted(days))


def statutory_weekdays(year: int) -> dict[date, str]:
    """The statutory days that fall Monday–Friday: the ones a weekend rule does not already give."""
    return {d: name for d, name in statutory_days(year) if d.weekday() < 5}
