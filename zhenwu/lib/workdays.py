"""Working-day arithmetic on the State Council holiday calendar, including 调休 make-up days.

Pure: the calendar is passed in, so the rules can be tested without a database. A date in
a year the calendar does not cover raises CalendarNotCovered instead of guessing: a
deadline computed from a guessed calendar is a wrong deadline nobody notices.

Conventions (as 12345 and 督办 rules count): "N working days after D" starts counting the
day after D, so add_workdays(D, 1) is the next working day; add_workdays(D, 0) is D.
workdays_between(a, b) counts the working days in (a, b] and is negative when b < a.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext as _


class CalendarNotCovered(ValueError):
    """The calendar has no holiday arrangement for the year asked about."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(
            _("工作日历未包含%(year)s年的放假和调休安排，无法计算工作日；请先在“工作日历”中录入该年度安排。")
            % {"year": year}
        )


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are off: weekends unless a make-up workday, plus the listed holidays."""

    years: frozenset[int]
    holidays: frozenset[date] = field(default_factory=frozenset)
    makeup_workdays: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def build(
        cls, *, years: Iterable[int], holidays: Iterable[date] = (), makeup_workdays: Iterable[date] = ()
    ) -> WorkCalendar:
        return cls(frozenset(years), frozenset(holidays), frozenset(makeup_workdays))

    def covers(self, day: date) -> bool:
        return day.year in self.years

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
        """Working days in (start, end]; negative, counting [end, start), when end < start."""
        if end < start:
            return -self.workdays_between(end, start)
        count = 0
        current = start
        while current < end:
            current += timedelta(days=1)
            if self.is_workday(current):
                count += 1
        return count

    def next_workday(self, day: date) -> date:
        """`day` itself when it is a working day, else the first working day after it."""
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day
