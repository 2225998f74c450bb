"""The engine's warnings applied to ledger problems: per row for display, as Q for filters.

Both come from the same definitions so a filter never disagrees with the colour a row shows:
- 红: being worked on, not suspended, deadline before today;
- 黄: not red, and the latest report that is due is missing, or progress lags time;
- 蓝: neither, and the deadline falls within the next N working days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from zhenwu.core.engine import WORKING, Colour, Thresholds, Warning, derive_warning, due_period
from zhenwu.ledger.models import Problem
from zhenwu.lib.cadence import Cadence, Period
from zhenwu.lib.workdays import CalendarNotCovered, WorkCalendar


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


def report_missing(problem: Problem, today: Today) -> Period | None:
    """The latest due period, when its report is missing."""
    due = today.due.get(problem.cadence)
    if due is None or problem.assigned_on is None or problem.assigned_on > due.end:
        return None
    return due if problem.last_report_period < due.key else None


def warning_for(problem: Problem, today: Today) -> Warning:
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
