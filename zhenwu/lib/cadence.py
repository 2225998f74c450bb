"""Report periods: "每半月报告一次" (1st–15th and 16th–end of month), monthly, or none.

Pure, like workdays: the accountability engine asks which period a day falls in, which
periods an open problem has lived through, and how to name a period on a page or in a
bulletin. A report for a period is due by the period's last day.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
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


_WORDS = re.compile(r"^(\d{4})年(\d{1,2})月(上半月|下半月)?$")
_ENGLISH = re.compile(r"^(\d{4})-(\d{1,2}),(first|second)half$", re.IGNORECASE)  # the English labels


def period_from_text(text: str) -> Period:
    """A period as a person writes it ("2026年11月下半月", "2026年11月") or as its key; raises
    ValueError with a Chinese message. Full-width digits and spaces are allowed."""
    plain = unicodedata.normalize("NFKC", text).replace(" ", "").strip()
    found = _WORDS.match(plain)
    if found is None and (english := _ENGLISH.match(plain)) is not None:
        plain = f"{english[1]}-{int(english[2]):02d}-{1 if english[3].lower() == 'first' else 2}"
    if found is None:
        return period_from_key(plain)
    year, month, half = int(found[1]), int(found[2]), found[3]
    if not 1 <= month <= 12:
        raise ValueError(_("报告期“%(key)s”的月份不正确") % {"key": text})
    if half is None:
        return period_containing(date(year, month, 1), Cadence.MONTHLY)
    return period_containing(date(year, month, 1 if half == "上半月" else 16), Cadence.HALF_MONTHLY)


def key_label(key: str) -> str:
    """A stored key in words ("2026-11-2" → 2026年11月下半月): keys read like dates on a page."""
    try:
        return period_from_key(key).label
    except ValueError:
        return key


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
    raise ValueError(
        _("报告期“%(key)s”格式不正确，应写作“2009年5月上半月”“2009年5月下半月”或“2009年5月”") % {"key": key}
    )
