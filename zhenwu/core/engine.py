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

from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhenwu.lib.cadence import Cadence, Period, period_containing, periods_between
from zhenwu.lib.workdays import WorkCalendar


class Status(models.TextChoices):
    PENDING = "pending", gettext_lazy("待分派")
    IN_PROGRESS = "in_progress", gettext_lazy("整改中")
    LONG_TERM = "long_term", gettext_lazy("长期坚持")
    CLOSURE_REQUESTED = "closure_requested", gettext_lazy("申请销号")
    RETURNED = "returned", gettext_lazy("退回整改")
    CLOSED = "closed", gettext_lazy("已销号")
    REOPENED = "reopened", gettext_lazy("重新打开")


class Action(models.TextChoices):
    ASSIGN = "assign", gettext_lazy("分派")
    APPLY_CLOSE = "apply_close", gettext_lazy("申请销号")
    ACCEPT = "accept", gettext_lazy("验收销号")
    RETURN = "return", gettext_lazy("退回")
    REOPEN = "reopen", gettext_lazy("重新打开")


# The one table of allowed steps: (from, action) -> to. Anything else is refused.
# "assign" leads to 长期坚持 instead of 整改中 when the deadline is long-term (decided by the service).
ALLOWED_TRANSITIONS: dict[tuple[str, str], str] = {
    (Status.PENDING, Action.ASSIGN): Status.IN_PROGRESS,
    (Status.IN_PROGRESS, Action.APPLY_CLOSE): Status.CLOSURE_REQUESTED,
    (Status.LONG_TERM, Action.APPLY_CLOSE): Status.CLOSURE_REQUESTED,
    (Status.RETURNED, Action.APPLY_CLOSE): Status.CLOSURE_REQUESTED,
    (Status.REOPENED, Action.APPLY_CLOSE): Status.CLOSURE_REQUESTED,
    (Status.CLOSURE_REQUESTED, Action.ACCEPT): Status.CLOSED,
    (Status.CLOSURE_REQUESTED, Action.RETURN): Status.RETURNED,
    (Status.CLOSED, Action.REOPEN): Status.REOPENED,
}
# States in which the owners are working: the clock runs and reports are due.
WORKING = frozenset({Status.IN_PROGRESS, Status.LONG_TERM, Status.RETURNED, Status.REOPENED})
OPEN = WORKING | {Status.PENDING, Status.CLOSURE_REQUESTED}


class Colour(models.TextChoices):
    RED = "red", gettext_lazy("红")
    YELLOW = "yellow", gettext_lazy("黄")
    BLUE = "blue", gettext_lazy("蓝")


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
