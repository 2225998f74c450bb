"""Working-day arithmetic on the State Council holiday calendar, including 调休 make-up days.

Pure: the calendar is passed in, so the rules can be tested without a database. A date in
a year the calendar does not cover raises CalendarNotCovered instead of guessing: a
deadline computed from a guessed calendar is a wrong deadline nobody notices.

Some covered years are provisional (暂定): the State Council's notice for them is not entered
yet, so only weekends and the statutory days (zhenwu.lib.statutory) are off. A result that
touches such a year says so (`is_provisional`), and is recomputed when the year is confirmed.

Conventions (as 12345 and 督办 rules count): "N working days after D" starts counting the
day after D, so add_workdays(D, 1) is the next working day; add_workdays(D, 0) is D.
workdays_between(a, b) counts the working days in (a, b] and is negative when b < a.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

from django.utils.translation import gettext as _


class CalendarNotCovered(ValueError):
    """The calendar has no holiday arrangement for the year asked about."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(
            _("工作日历不包含%(year)s年（只计算有日历的年度和今后十年），无法计算工作日") % {"year": year}
        )


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are off: weekends unless a make-up workday, plus the listed holidays."""

    years: frozenset[int]
    holidays: frozenset[date] = field(default_factory=frozenset)
    makeup_workdays: frozenset[date] = field(default_factory=frozenset)
    provisional: frozenset[int] = field(default_factory=frozenset)  # a subset of `years`

    @classmethod
    def build(
        cls,
        *,
        years: Iterable[int],
        holidays: Iterable[date] = (),
        makeup_workdays: Iterable[date] = (),
        provisional: Iterable[int] = (),
    ) -> WorkCalendar:
        return cls(frozenset(years), frozenset(holidays), frozenset(makeup_workdays), frozenset(provisional))

    def covers(self, day: date) -> bool:
        return day.year in self.years

    def covers_span(self, start: date, end: date) -> bool:
        """Every year from `start` to `end` (either order) is covered."""
        low, high = sorted((start.year, end.year))
        return all(year in self.years for year in range(low, high + 1))

    def is_provisional(self, start: date, end: date | None = None) -> bool:
        """Whether a count over `start`…`end` (either order) reads a provisional year."""
        low, high = sorted((start.year, (end or start).year))
        return any(year in self.provisional for year in range(low, high + 1))

    def is_workday(self, day: date) -> bool:
        if day.year not in self.years:
            raise CalendarNotCovered(day.year)
        if day in self.makeup_workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def add_workdays(self, start: date, days: int) -> date:
        """The date `days` working days after `start` (backwards when negative)."""
        step = timedelta(days=1 if days >= 0 else -1)
        remaining = abs(days)
        current = start
        while remaining:
            current += step
            if self.is_workday(current):
                remaining -= 1
        return current

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative, counting [end, start), when end < start.

        Arithmetic, not a walk: weekdays in the range, less the weekday holidays, plus the
        make-up weekend days (both found by bisection). A list of overdue items asks this
        for every row, over ranges of months.
        """
        if end < start:
            return -self.workdays_between(end, start)
        if end == start:
            return 0
        for year in range(start.year + (start.month == 12 and start.day == 31), end.year + 1):
            if year not in self.years:
                raise CalendarNotCovered(year)
        weekdays = _weekdays_through(end) - _weekdays_through(start)
        off = _count_in(self._weekday_holidays, start, end)
        on = _count_in(self._weekend_workdays, start, end)
        return weekdays - off + on

    @cached_property
    def _weekday_holidays(self) -> tuple[date, ...]:
        return tuple(sorted(d for d in self.holidays if d.weekday() < 5 and d not in self.makeup_workdays))

    @cached_property
    def _weekend_workdays(self) -> tuple[date, ...]:
        return tuple(sorted(d for d in self.makeup_workdays if d.weekday() >= 5))

    def next_workday(self, day: date) -> date:
        """`day` itself when it is a working day, else the first working day after it."""
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day


def _weekdays_through(day: date) -> int:
    """Monday–Friday days from an epoch Monday up to and including `day`."""
    ordinal = day.toordinal() - 1  # date(1, 1, 1) is a Monday: ordinal 1
    weeks, rest = divmod(ordinal + 1, 7)
    return weeks * 5 + min(rest, 5)


def _count_in(days: tuple[date, ...], start: date, end: date) -> int:
    """How many of the sorted `days` fall in (start, end]."""
    return bisect_right(days, end) - bisect_right(days, start)
