"""The accountability engine's rules, each written once, in three forms.

Every rule of the ledger — working, overdue, a report owed, a report due now, due soon,
behind schedule, in hand — is defined here and nowhere else:

1. as a **predicate on a problem's facts** (`Facts`: status, stopped clock, deadline,
   cadence, assignment date, the latest period reported, the slip date): the row badge, the
   problem page, the home panel, reminders, digests and the month-end tally call it;
2. as its **database twin** (a `Q`), for the list's filters and every count on the 驾驶舱;
3. in its **month-end form**: `facts_as_of()` rebuilds each problem's facts as they stood at
   a moment from the history tables, and the 通报 applies the same predicates to them.

A property test (`tests/test_rules_agree.py`) generates histories and asserts the three
forms select the same problems. The warning colour is derived from these at read time and
never stored; what is stored are facts that change only when something happens through a
service (the latest filed period, its progress, the date progress starts to lag).

Two definitions decide most disagreements, so they are stated here:
- a reporting **period is owed** by a problem that was being worked on, not stopped, and
  assigned on or before the period's last day; it is **covered** once a report for that
  period or a later one has been submitted (a late report is accepted and marked late);
- the ledger "as of" a month's end is the ledger at the first moment of the next month:
  everything done in the month counts, and a deadline on the month's last day has passed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Least
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhenwu.ledger.constants import IN_HAND, WORKING, Action, Colour, ExtensionStatus, Status, allows
from zhenwu.lib.cadence import Cadence, Period, period_containing, periods_between
from zhenwu.lib.workdays import CalendarNotCovered, WorkCalendar

# ---------------------------------------------------------------------------------------
# The facts a rule reads, and "today"


@dataclass(frozen=True)
class Facts:
    """What the rules know about one problem (now, or as it stood at a moment)."""

    status: str
    suspended: bool
    deadline: date | None
    cadence: str
    assigned_on: date | None
    last_report_period: str
    progress_slip_on: date | None

    @classmethod
    def of(cls, problem: Any) -> Facts:
        """From a Problem, or a row of plain values carrying the same names."""
        return cls(
            status=problem.status,
            suspended=problem.suspended_since is not None,
            deadline=problem.deadline,
            cadence=problem.cadence,
            assigned_on=problem.assigned_on,
            last_report_period=problem.last_report_period,
            progress_slip_on=problem.progress_slip_on,
        )


# The fields Facts.of reads: a row loaded with `.only()`/`.values()` must carry these.
FACT_FIELDS = (
    "status", "suspended_since", "deadline", "cadence", "assigned_on", "last_report_period",
    "progress_slip_on",
)  # fmt: skip


@dataclass(frozen=True)
class Thresholds:
    blue_workdays: int
    progress_lag: int

    @classmethod
    def from_settings(cls) -> Thresholds:
        return cls(settings.ZHENWU_WARN_BLUE_WORKDAYS, settings.ZHENWU_WARN_PROGRESS_LAG)


REPORTING = (Cadence.HALF_MONTHLY, Cadence.MONTHLY)


@dataclass(frozen=True)
class Today:
    """Everything the rules need about a day, computed once per request (or per month end)."""

    day: date
    calendar: WorkCalendar
    thresholds: Thresholds
    due: dict[str, Period]  # per cadence, the latest period that has ended
    current: dict[str, Period]  # per cadence, the period containing the day
    blue_until: date | None

    @classmethod
    def build(cls, day: date, calendar: WorkCalendar, thresholds: Thresholds | None = None) -> Today:
        thresholds = thresholds or Thresholds.from_settings()
        current = {c.value: period_containing(day, c) for c in REPORTING}
        due = {c: p for c in current if (p := due_period(day, c)) is not None}
        try:
            blue_until: date | None = calendar.add_workdays(day, thresholds.blue_workdays)
        except CalendarNotCovered:
            # The calendar does not reach that far: nothing is called due soon rather than guessing.
            blue_until = None
        return cls(day, calendar, thresholds, due, current, blue_until)


def due_period(today: date, cadence: str) -> Period | None:
    """The latest period whose report is already due (its last day has passed)."""
    if cadence not in REPORTING:
        return None
    current = period_containing(today, Cadence(cadence))
    return period_containing(current.start - timedelta(days=1), Cadence(cadence))


def progress_slip_date(*, started: date, deadline: date | None, progress: int, lag: int) -> date | None:
    """The day from which `progress` % lags the share of time elapsed by more than `lag` points.

    Stored on the problem when progress or deadline change (not when days pass), so "behind
    schedule" is a plain date comparison at read time and can be filtered in the database.
    """
    if deadline is None or deadline <= started:
        return None
    share = min(progress + lag, 100) / 100
    if share >= 1:
        return None
    span = (deadline - started).days
    return started + timedelta(days=int(span * share) + 1)


# ---------------------------------------------------------------------------------------
# The rules: predicate and Q twin side by side


def working(f: Facts) -> bool:
    """Being worked on: the clock runs and reports are due (not stopped by a suspension)."""
    return f.status in WORKING and not f.suspended


def working_q() -> Q:
    return Q(status__in=WORKING, suspended_since__isnull=True)


def overdue(f: Facts, today: Today) -> bool:
    """红: working, and the deadline has passed."""
    return working(f) and f.deadline is not None and f.deadline < today.day


def overdue_q(today: Today) -> Q:
    return working_q() & Q(deadline__lt=today.day)


def owes(f: Facts, period: Period) -> bool:
    """The problem owes a report for `period` and none covers it yet (see the module docstring)."""
    return (
        working(f)
        and f.cadence == period.cadence
        and f.assigned_on is not None
        and f.assigned_on <= period.end
        and f.last_report_period < period.key
    )


def owed_periods(f: Facts, today: date) -> list[Period]:
    """The periods a report may still be filed for, oldest first, up to the one running today:
    what the report form offers (a later report covers the earlier ones, see `owes`)."""
    if f.assigned_on is None or f.cadence == Cadence.NONE:
        return []
    return [p for p in periods_between(f.assigned_on, today, Cadence(f.cadence)) if owes(f, p)]


def _owes_q(periods: dict[str, Period]) -> Q:
    q = Q(pk__in=[])
    for cadence, period in periods.items():
        q |= Q(cadence=cadence, assigned_on__lte=period.end, last_report_period__lt=period.key)
    return working_q() & q


def report_missing(f: Facts, today: Today) -> Period | None:
    """黄: the latest period that has ended is owed. Earlier gaps do not colour the problem."""
    period = today.due.get(f.cadence)
    return period if period is not None and owes(f, period) else None


def report_missing_q(today: Today) -> Q:
    return _owes_q(today.due)


def report_due_now(f: Facts, today: Today) -> Period | None:
    """The current period's report is still to be filed (reminders, the home panel, digests)."""
    period = today.current.get(f.cadence)
    return period if period is not None and owes(f, period) else None


def report_due_now_q(today: Today) -> Q:
    return _owes_q(today.current)


def behind(f: Facts, today: Today) -> bool:
    """黄: progress lags the time elapsed by more than the threshold."""
    return working(f) and f.progress_slip_on is not None and f.progress_slip_on <= today.day


def behind_q(today: Today) -> Q:
    return working_q() & Q(progress_slip_on__lte=today.day)


def due_soon(f: Facts, today: Today) -> bool:
    """The deadline falls within the next N working days (蓝, unless another colour wins)."""
    return (
        working(f)
        and f.deadline is not None
        and today.blue_until is not None
        and today.day <= f.deadline <= today.blue_until
    )


def due_soon_q(today: Today) -> Q:
    if today.blue_until is None:
        return Q(pk__in=[])
    return working_q() & Q(deadline__gte=today.day, deadline__lte=today.blue_until)


def in_hand(f: Facts) -> bool:
    """整改中 as the 通报 and the 驾驶舱 count it: worked on or waiting for acceptance."""
    return f.status in IN_HAND


def in_hand_q() -> Q:
    return Q(status__in=IN_HAND)


def closed_on_time(closed_on: date, deadline: date | None) -> bool:
    """Closed (销号) by the deadline in force (a 长期坚持 problem has none, so always on time)."""
    return deadline is None or closed_on <= deadline


def closed_late_q() -> Q:
    """Closed (销号) after the deadline in force: the Q twin of `not closed_on_time`."""
    return Q(status=Status.CLOSED, closed_on__gt=F("deadline"))


def closable(f: Facts) -> bool:
    """The owners may apply for closure (销号) from here."""
    return allows(f.status, Action.APPLY_CLOSE)


def colour(f: Facts, today: Today) -> str | None:
    """红 overdue, else 黄 report missing or behind, else 蓝 due soon."""
    if overdue(f, today):
        return Colour.RED
    if report_missing(f, today) is not None or behind(f, today):
        return Colour.YELLOW
    return Colour.BLUE if due_soon(f, today) else None


def colour_q(value: str, today: Today) -> Q:
    red = overdue_q(today)
    yellow = (report_missing_q(today) | behind_q(today)) & ~red
    if value == Colour.RED:
        return red
    if value == Colour.YELLOW:
        return yellow
    if value == Colour.BLUE:
        return due_soon_q(today) & ~red & ~yellow
    return Q(pk__in=[])


@dataclass(frozen=True)
class ListRule:
    """A rule the ledger list can be narrowed by (`?rule=<key>`), so a figure that counts it
    links to exactly the problems it counted."""

    key: str
    label: Any
    holds: Callable[[Facts, Today], bool]
    q: Callable[[Today], Q]


LIST_RULES = {
    r.key: r
    for r in (
        ListRule("working", gettext_lazy("正在计时"), lambda f, t: working(f), lambda t: working_q()),
        ListRule(
            "in_hand", gettext_lazy("整改中（含申请销号）"), lambda f, t: in_hand(f), lambda t: in_hand_q()
        ),
        ListRule("overdue", gettext_lazy("逾期"), overdue, overdue_q),
        ListRule(
            "report_missing",
            gettext_lazy("缺报告"),
            lambda f, t: report_missing(f, t) is not None,
            report_missing_q,
        ),
        ListRule(
            "report_due",
            gettext_lazy("本期待报"),
            lambda f, t: report_due_now(f, t) is not None,
            report_due_now_q,
        ),
        ListRule("behind", gettext_lazy("进度滞后"), behind, behind_q),
        ListRule("due_soon", gettext_lazy("临近时限（不论颜色）"), due_soon, due_soon_q),
    )
}


# ---------------------------------------------------------------------------------------
# The warning shown on a row or a page: the colour and its reasons in words


@dataclass(frozen=True)
class Warning:
    colour: str | None
    reasons: tuple[str, ...] = field(default=())

    @property
    def label(self) -> str:
        return str(Colour(self.colour).label) if self.colour else ""


def warning_for(problem: Any, today: Today) -> Warning:
    """The colour (from `colour()`) with every reason that applies, in Chinese."""
    f = problem if isinstance(problem, Facts) else Facts.of(problem)
    value = colour(f, today)
    if value is None:
        return Warning(None)
    reasons: list[str] = []
    if overdue(f, today):
        assert f.deadline is not None
        late = overdue_text(f.deadline, today)
        reasons.append(
            _("已超过整改时限%(deadline)s（逾期%(days)s）") % {"deadline": f.deadline, "days": late}
            if late
            else _("已超过整改时限%(deadline)s（时限所在年度日历未确认）") % {"deadline": f.deadline}
        )
    if (missing := report_missing(f, today)) is not None:
        reasons.append(_("缺少%(period)s进度报告") % {"period": missing.label})
    if behind(f, today) and value != Colour.RED:
        reasons.append(_("进度落后于时间进度超过%(lag)s个百分点") % {"lag": today.thresholds.progress_lag})
    if value == Colour.BLUE:
        assert f.deadline is not None
        left = _workdays_text(today, today.day, f.deadline)
        reasons.append(_("距整改时限还有%(days)s") % {"days": left} if left else _("即将到期"))
    return Warning(value, tuple(reasons))


def overdue_text(deadline: date, today: Today) -> str | None:
    """How late an overdue problem is: "N个工作日" after its deadline up to `today`. The problem
    page, the lists and the 通报's overdue table (whose today is the next month's first) say this."""
    return _workdays_text(today, deadline, today.day)


def _workdays_text(today: Today, start: date, end: date) -> str | None:
    """ "N个工作日", marked 暂定 over a provisional year; None where the calendar does not reach.
    A warning is shown on every row of a list, so an uncovered span (a deadline from before the
    calendar's first year) must not fail the page, and calendar days are never called 工作日."""
    calendar = today.calendar
    if not calendar.covers_span(start, end):
        return None
    days = abs(calendar.workdays_between(start, end))
    if calendar.is_provisional(start, end):
        return _("%(days)s个工作日，暂定") % {"days": days}
    return _("%(days)s个工作日") % {"days": days}


# ---------------------------------------------------------------------------------------
# The month-end form: facts rebuilt as they stood at a moment, from the history tables


def month_start(month: date) -> datetime:
    return datetime.combine(month.replace(day=1), time(0), tzinfo=ZoneInfo(settings.TIME_ZONE))


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def facts_as_of(moment: datetime) -> QuerySet[Any]:
    """Problems that existed before `moment`, each annotated with its facts as they were then:
    `status_then`, `deadline_then`, `suspended_then`, `last_report_then`, `progress_then`
    (use `facts_then()` on a row). Each correlated subquery is evaluated once a row."""
    from zhenwu.ledger.models import Extension, Problem, ProblemTransition, ProgressReport, Suspension

    day = moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date()
    last_step = ProblemTransition.objects.filter(problem=OuterRef("pk"), at__lt=moment).order_by("-at", "-id")
    # A deadline only ever moves later (an extension must be later; a resume adds the paused
    # working days), so the deadline in force at `moment` is the smallest of today's and the
    # "before" deadlines of every change made since.
    later_extension = Extension.objects.filter(
        problem=OuterRef("pk"), status=ExtensionStatus.APPROVED, decided_at__gte=moment
    )
    later_resume = Suspension.objects.filter(
        problem=OuterRef("pk"), resumed_at__gte=moment, deadline_before__isnull=False
    )
    # Stopped at `moment`: suspended before that day and not resumed before it.
    stopped = Suspension.objects.filter(problem=OuterRef("pk"), start__lt=day).filter(
        Q(end__isnull=True) | Q(end__gte=day)
    )
    filed = ProgressReport.objects.filter(problem=OuterRef("pk"), submitted_at__lt=moment).order_by(
        "-period_key"
    )
    return Problem.objects.filter(created_at__lt=moment).annotate(
        status_then=Coalesce(Subquery(last_step.values("to_status")[:1]), Value(Status.PENDING)),
        closed_then=Subquery(last_step.filter(to_status=Status.CLOSED).values("at")[:1]),
        deadline_then=Least(
            Coalesce(
                Subquery(later_extension.order_by("old_deadline").values("old_deadline")[:1]), "deadline"
            ),
            Coalesce(
                Subquery(later_resume.order_by("deadline_before").values("deadline_before")[:1]), "deadline"
            ),
        ),
        suspended_then=Exists(stopped),
        last_report_then=Coalesce(Subquery(filed.values("period_key")[:1]), Value("")),
        progress_then=Coalesce(Subquery(filed.values("progress")[:1]), Value(0)),
    )


THEN_FIELDS = (
    "status_then", "suspended_then", "deadline_then", "cadence", "assigned_on", "last_report_then",
    "progress_then",
)  # fmt: skip


def facts_then(values: Sequence[Any], *, thresholds: Thresholds) -> Facts:
    """Facts from a `facts_as_of()` row's THEN_FIELDS values, in that order. The slip date is
    recomputed from the progress and deadline of then, as the services computed it then."""
    status, suspended, deadline, cadence, assigned_on, last_report, progress = values
    # Only a problem being worked on can be behind: skip the arithmetic for the (many) others.
    slip = (
        progress_slip_date(
            started=assigned_on, deadline=deadline, progress=progress, lag=thresholds.progress_lag
        )
        if assigned_on and status in WORKING and not suspended
        else None
    )
    return Facts(status, bool(suspended), deadline, cadence, assigned_on, last_report, slip)


def periods_of_month(month: date, cadence: str) -> list[Period]:
    """The reporting periods of a month for a cadence (two halves, one month, or none)."""
    if cadence not in REPORTING:
        return []
    first = month.replace(day=1)
    return list(periods_between(first, next_month(first) - timedelta(days=1), Cadence(cadence)))
