"""Report periods: "每半月报告一次" (1st–15th and 16th–end of month), monthly, or none.

Pure, like workdays: the accountability engine asks which period a day falls in, which
periods an open problem has lived through, and how to name a period on a page or in a
bulletin. A report for a period is due by the period's last day.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import cached_property

from django.utils.translation import gettext as _


class Cadence(StrEnum):
    HALF_MONTHLY = "half_monthly"
    MONTHLY = "monthly"
    NONE = "none"


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date
    cadence: Cadence

    @cached_property
    def key(self) -> str:
        """A stable identifier, e.g. '2009-05-1' (first half), '2009-05-2', '2009-05' (monthly)."""
        if self.cadence == Cadence.HALF_MONTHLY:
            return f"{self.start:%Y-%m}-{1 if self.start.day == 1 else 2}"
        return f"{self.start:%Y-%m}"

    @property
    def label(self) -> str:
        values = {"year": self.start.year, "month": self.start.month}
        if self.cadence == Cadence.MONTHLY:
            return _("%(year)s年%(month)s月") % values
        if self.start.day == 1:
            return _("%(year)s年%(month)s月上半月") % values
        return _("%(year)s年%(month)s月下半月") % values

    @property
    def due(self) -> date:
        return self.end

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def period_containing(day: date, cadence: Cadence) -> Period:
    if cadence == Cadence.NONE:
        raise ValueError(_("没有报告周期的事项不产生报告期"))
    if cadence == Cadence.MONTHLY:
        return Period(day.replace(day=1), _month_end(day), cadence)
    if day.day <= 15:
        return Period(day.replace(day=1), day.replace(day=15), cadence)
    return Period(day.replace(day=16), _month_end(day), cadence)


def next_period(period: Period) -> Period:
    return period_containing(period.end + timedelta(days=1), period.cadence)


def periods_between(first_day: date, last_day: date, cadence: Cadence) -> Iterator[Period]:
    """Every period that overlaps [first_day, last_day], in order (none for Cadence.NONE)."""
    if cadence == Cadence.NONE or last_day < first_day:
        return
    period = period_containing(first_day, cadence)
    while period.start <= last_day:
        yield period
        period = next_period(period)


def period_from_key(key: str) -> Period:
    """The inverse of Period.key; raises ValueError with a Chinese message on a malformed key."""
    parts = key.split("-")
    try:
        year, month = int(parts[0]), int(parts[1])
        if len(parts) == 2:
            return period_containing(date(year, month, 1), Cadence.MONTHLY)
        if len(parts) == 3 and parts[2] in ("1", "2"):
            return period_containing(date(year, month, 1 if parts[2] == "1" else 16), Cadence.HALF_MONTHLY)
    except (ValueError, IndexError):
        pass
    raise ValueError(_("报告期“%(key)s”格式不正确，应为 2009-05-1、2009-05-2 或 2009-05") % {"key": key})
