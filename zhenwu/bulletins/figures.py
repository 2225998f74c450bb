"""The ledger as it stood at the end of a month, rebuilt from its history.

Status at the month's end is the target of the last transition up to that moment; the
deadline is the one in force then (an extension approved later does not count); a report
counts if it was submitted by then. So a bulletin generated again next year, after many
problems have moved on, shows the same figures. The work is a handful of GROUP BY queries
with correlated subqueries, not a loop over problems.
"""

from __future__ import annotations

import calendar
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from zhenwu.core.engine import Status
from zhenwu.ledger.models import Extension, Problem, ProblemTransition, ProgressReport
from zhenwu.lib.cadence import Cadence, Period, period_containing
from zhenwu.lib.stats import percent

NAMED_LIMIT = 300  # overdue items and missing reports named one by one; beyond that, counted


def month_end(month: date) -> datetime:
    last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    return datetime.combine(last, time(23, 59, 59, 999999), tzinfo=ZoneInfo(settings.TIME_ZONE))


def _as_of(end: datetime) -> QuerySet[Problem]:
    """Problems that existed at `end`, each with its status and deadline as they were then."""
    last_step = ProblemTransition.objects.filter(problem=OuterRef("pk"), at__lte=end).order_by("-at", "-id")
    # An extension decided after `end` had not moved the deadline yet: take its old deadline.
    later_extension = Extension.objects.filter(
        problem=OuterRef("pk"), status="approved", decided_at__gt=end
    ).order_by("decided_at", "id")
    return Problem.objects.filter(created_at__lte=end).annotate(
        status_then=Coalesce(Subquery(last_step.values("to_status")[:1]), Value(Status.PENDING)),
        closed_then=Subquery(last_step.filter(to_status=Status.CLOSED).values("at")[:1]),
        deadline_then=Coalesce(Subquery(later_extension.values("old_deadline")[:1]), F("deadline")),
    )


WORKING = [Status.IN_PROGRESS, Status.RETURNED, Status.REOPENED]
IN_HAND = [*WORKING, Status.CLOSURE_REQUESTED]


@dataclass
class Line:
    """One department's or leader's row in the ranking."""

    id: int | None
    name: str
    total: int = 0
    closed: int = 0
    closed_on_time: int = 0
    overdue: int = 0
    missing_reports: int = 0

    @property
    def rate(self) -> float | None:
        return self.closed / self.total if self.total else None

    @property
    def rate_text(self) -> str:
        return percent(self.rate)


@dataclass
class Figures:
    month: str  # "2026-10"
    as_of: str
    total: int
    closed: int
    in_progress: int
    long_term: int
    pending: int
    overdue: int
    new_this_month: int
    closed_this_month: int
    closed_on_time_this_month: int
    by_department: list[Line]
    by_leader: list[Line]
    overdue_items: list[dict[str, Any]]
    missing_items: list[dict[str, Any]]
    overdue_named_of: int
    missing_named_of: int
    red_list: list[str] = field(default_factory=list)
    black_list: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        """整改率 = 已销号 ÷ 问题总数 (as the town reports it)."""
        return self.closed / self.total if self.total else None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Figures:
        lines = {k: [Line(**line) for line in data[k]] for k in ("by_department", "by_leader")}
        return cls(**{**data, **lines})


def _periods(month: date) -> list[Period]:
    first = period_containing(month, Cadence.HALF_MONTHLY)
    return [first, period_containing(first.end + timedelta(days=1), Cadence.HALF_MONTHLY)]


def month_figures(month: date) -> Figures:
    month = month.replace(day=1)
    end = month_end(month)
    start = datetime.combine(month, time(0), tzinfo=end.tzinfo)
    day = end.date()
    problems = _as_of(end)
    overdue_q = Q(status_then__in=WORKING, deadline_then__lt=day)
    on_time_q = Q(closed_then__gte=start, closed_then__lte=end) & (
        Q(deadline_then__isnull=True) | Q(closed_then__date__lte=F("deadline_then"))
    )
    # Half-monthly reports due in this month and not submitted by its end.
    periods = _periods(month)
    missing = Value(0, output_field=IntegerField())
    for i, period in enumerate(periods):
        filed = ProgressReport.objects.filter(
            problem=OuterRef("pk"), period_key=period.key, submitted_at__isnull=False, submitted_at__lte=end
        )
        due_q = Q(status_then__in=WORKING, cadence=Cadence.HALF_MONTHLY, assigned_on__lte=period.start)
        problems = problems.annotate(**{f"filed_{i}": Exists(filed)})
        missing = missing + _count_if(due_q & Q(**{f"filed_{i}": False}))
    problems = problems.annotate(missing_then=missing)
    groups = (
        problems.values("department_id", "department__name", "leader_id", "leader__name")
        .annotate(
            total=Count("id"),
            closed=Count("id", filter=Q(status_then=Status.CLOSED)),
            on_time=Count("id", filter=on_time_q),
            overdue=Count("id", filter=overdue_q),
            missing=Coalesce(_sum("missing_then"), 0),
            in_hand=Count("id", filter=Q(status_then__in=IN_HAND)),
            long_term=Count("id", filter=Q(status_then=Status.LONG_TERM)),
            pending=Count("id", filter=Q(status_then=Status.PENDING)),
            new=Count("id", filter=Q(created_at__gte=start)),
            closed_now=Count("id", filter=Q(closed_then__gte=start, closed_then__lte=end)),
        )
        .order_by()
    )
    departments: dict[int | None, Line] = {}
    leaders: dict[int | None, Line] = {}
    totals = dict.fromkeys(
        ("total", "closed", "in_hand", "long_term", "pending", "overdue", "new", "closed_now", "on_time"), 0
    )
    for g in groups:
        for key in totals:
            totals[key] += g[key]
        for index, (pk, name) in (
            (departments, (g["department_id"], g["department__name"])),
            (leaders, (g["leader_id"], g["leader__name"])),
        ):
            line = index.setdefault(pk, Line(pk, name or "（未分派）"))
            line.total += g["total"]
            line.closed += g["closed"]
            line.closed_on_time += g["on_time"]
            line.overdue += g["overdue"]
            line.missing_reports += g["missing"]
    overdue_rows: Any = (
        problems.filter(overdue_q).select_related("department", "leader").order_by("deadline_then", "number")
    )
    missing_rows = (
        problems.filter(missing_then__gt=0).select_related("department", "leader").order_by("number")
    )
    red_min, black_below = settings.ZHENWU_RED_LIST_MIN, settings.ZHENWU_BLACK_LIST_BELOW
    ranked_departments = _ranked(departments)
    figures = Figures(
        month=f"{month:%Y-%m}",
        as_of=end.isoformat(),
        total=totals["total"],
        closed=totals["closed"],
        in_progress=totals["in_hand"],
        long_term=totals["long_term"],
        pending=totals["pending"],
        overdue=totals["overdue"],
        new_this_month=totals["new"],
        closed_this_month=totals["closed_now"],
        closed_on_time_this_month=totals["on_time"],
        by_department=ranked_departments,
        by_leader=_ranked(leaders),
        overdue_items=[
            {
                "number": p.number,
                "description": p.description[:60],
                "department": _name(p.department),
                "leader": _name(p.leader),
                "deadline": p.deadline_then.isoformat(),
                "days": (day - p.deadline_then).days,
            }  # fmt: skip
            for p in overdue_rows[:NAMED_LIMIT]
        ],
        missing_items=[
            {
                "number": p.number,
                "description": p.description[:60],
                "department": _name(p.department),
                "leader": _name(p.leader),
                "missing": p.missing_then,
            }  # fmt: skip
            for p in missing_rows[:NAMED_LIMIT]
        ],
        overdue_named_of=totals["overdue"],
        missing_named_of=missing_rows.count() if totals["total"] else 0,
        red_list=[d.name for d in ranked_departments if d.id and d.rate is not None and d.rate >= red_min],
        black_list=[
            d.name for d in ranked_departments if d.id and d.rate is not None and d.rate < black_below
        ],
    )
    return figures


def _count_if(condition: Q) -> Any:
    from django.db.models import Case, When

    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def _sum(name: str) -> Any:
    from django.db.models import Sum

    return Sum(name)


def _name(obj: Any) -> str:
    return obj.name if obj is not None else ""


def _ranked(index: dict[int | None, Line]) -> list[Line]:
    """Best 整改率 first; then fewer overdue, then name. Unassigned problems last."""
    lines = [line for pk, line in index.items() if pk is not None]
    lines.sort(key=lambda line: (-(line.rate or 0), line.overdue, line.name))
    return lines + [line for pk, line in index.items() if pk is None]
