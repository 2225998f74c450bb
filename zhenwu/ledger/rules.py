"""The accountability engine: owners, deadlines, warnings and report cadence, once for every module.

Every module's "something must be done, by named owners, by a deadline, reported on a
cadence" uses these rules (a ledger problem today; rectification orders, project issues
and 差评 follow-ups are ledger problems with their own `source`). This module is pure: it
computes from values handed to it, so the rules are tested without a database, and the
warning is derived at read time from today's date — never stored, never stale.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from zhenwu.ledger.constants import WORKING, Colour
from zhenwu.lib.cadence import Cadence, Period, period_containing, periods_between
from zhenwu.lib.workdays import CalendarNotCovered, WorkCalendar


@dataclass(frozen=True)
class Warning:
    colour: str | None
    reasons: tuple[str, ...] = field(default=())

    @property
    def label(self) -> str:
        return str(Colour(self.colour).label) if self.colour else ""


@dataclass(frozen=True)
class Thresholds:
    blue_workdays: int
    progress_lag: int

    @classmethod
    def from_settings(cls) -> Thresholds:
        return cls(settings.ZHENWU_WARN_BLUE_WORKDAYS, settings.ZHENWU_WARN_PROGRESS_LAG)


def due_period(today: date, cadence: str) -> Period | None:
    """The latest period whose report is already due (its last day has passed)."""
    if cadence == Cadence.NONE:
        return None
    current = period_containing(today, Cadence(cadence))
    return period_containing(current.start - timedelta(days=1), Cadence(cadence))


def missing_periods(*, since: date, today: date, cadence: str, reported: set[str]) -> list[Period]:
    """Periods from `since` whose report was due before today and was not submitted."""
    last_due = due_period(today, cadence)
    if last_due is None or last_due.end < since:
        return []
    return [p for p in periods_between(since, last_due.end, Cadence(cadence)) if p.key not in reported]


def progress_slip_date(*, started: date, deadline: date | None, progress: int, lag: int) -> date | None:
    """The day from which `progress` % lags the share of time elapsed by more than `lag` points.

    Stored on the item when progress or deadline change (not when days pass), so "behind
    schedule" is a plain date comparison at read time and can be filtered in the database.
    """
    if deadline is None or deadline <= started:
        return None
    share = min(progress + lag, 100) / 100
    if share >= 1:
        return None
    span = (deadline - started).days
    return started + timedelta(days=int(span * share) + 1)


def derive_warning(
    *,
    status: str,
    today: date,
    deadline: date | None,
    suspended: bool,
    missing: list[Period],
    slip_date: date | None,
    calendar: WorkCalendar,
    thresholds: Thresholds,
    blue_until: date | None,
) -> Warning:
    """红 overdue, 黄 report missing or behind schedule, 蓝 due soon; with the reasons in words.

    `blue_until` is today plus the blue threshold in working days (None when the calendar
    does not reach that far: then nothing is called due soon rather than guessing).
    """
    if status not in WORKING or suspended:
        return Warning(None)
    reasons: list[str] = []
    colour: str | None = None
    if deadline is not None and today > deadline:
        late = (
            calendar.workdays_between(deadline, today) if calendar.covers(today) else (today - deadline).days
        )
        reasons.append(
            _("已超过整改时限%(deadline)s（逾期%(days)s个工作日）") % {"deadline": deadline, "days": late}
        )
        colour = Colour.RED
    if missing:
        labels = "、".join(p.label for p in missing[-3:])
        reasons.append(_("缺少%(n)s期进度报告：%(periods)s") % {"n": len(missing), "periods": labels})
        colour = colour or Colour.YELLOW
    if slip_date is not None and today >= slip_date and colour != Colour.RED:
        reasons.append(_("进度落后于时间进度超过%(lag)s个百分点") % {"lag": thresholds.progress_lag})
        colour = colour or Colour.YELLOW
    if colour is None and deadline is not None and blue_until is not None and today <= deadline <= blue_until:
        left = calendar.workdays_between(today, deadline)
        reasons.append(_("距整改时限还有%(days)s个工作日") % {"days": left})
        colour = Colour.BLUE
    return Warning(colour, tuple(reasons))


@dataclass(frozen=True)
class Today:
    """Everything the warning needs about today, computed once per request."""

    day: date
    calendar: WorkCalendar
    thresholds: Thresholds
    due: dict[str, Period]
    blue_until: date | None

    @classmethod
    def build(cls, day: date, calendar: WorkCalendar, thresholds: Thresholds | None = None) -> Today:
        thresholds = thresholds or Thresholds.from_settings()
        due = {c.value: p for c in (Cadence.HALF_MONTHLY, Cadence.MONTHLY) if (p := due_period(day, c))}
        try:
            blue_until: date | None = calendar.add_workdays(day, thresholds.blue_workdays)
        except CalendarNotCovered:
            blue_until = None
        return cls(day, calendar, thresholds, due, blue_until)


def report_missing(problem: Any, today: Today) -> Period | None:
    """The latest due period, when its report is missing."""
    due = today.due.get(problem.cadence)
    if due is None or problem.assigned_on is None or problem.assigned_on > due.end:
        return None
    return due if problem.last_report_period < due.key else None


def warning_for(problem: Any, today: Today) -> Warning:
    missing = report_missing(problem, today)
    return derive_warning(
        status=problem.status,
        today=today.day,
        deadline=problem.deadline,
        suspended=problem.suspended_since is not None,
        missing=[missing] if missing else [],
        slip_date=problem.progress_slip_on,
        calendar=today.calendar,
        thresholds=today.thresholds,
        blue_until=today.blue_until,
    )


def _working() -> Q:
    return Q(status__in=WORKING, suspended_since__isnull=True)


def overdue_q(today: Today) -> Q:
    return _working() & Q(deadline__lt=today.day)


def missing_report_q(today: Today) -> Q:
    q = Q(pk__in=[])
    for cadence, period in today.due.items():
        q |= Q(cadence=cadence, assigned_on__lte=period.end, last_report_period__lt=period.key)
    return _working() & q


def colour_q(colour: str, today: Today) -> Q:
    red = overdue_q(today)
    yellow = (missing_report_q(today) | (_working() & Q(progress_slip_on__lte=today.day))) & ~red
    if colour == Colour.RED:
        return red
    if colour == Colour.YELLOW:
        return yellow
    if colour == Colour.BLUE and today.blue_until is not None:
        return _working() & Q(deadline__gte=today.day, deadline__lte=today.blue_until) & ~yellow
    return Q(pk__in=[])
