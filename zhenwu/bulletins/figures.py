"""The ledger as it stood at the end of a month, rebuilt from its history.

Status at the month's end is the target of the last transition up to that moment; the
deadline is the one in force then (an extension approved later does not count); a report
counts if it was submitted by then. So a bulletin generated again next year, after many
problems have moved on, shows the same figures. One query streams the problems with those
values (each correlated subquery evaluated once a row); the tally is made from the stream.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from zhenwu.ledger.constants import WORKING, Status
from zhenwu.ledger.models import Extension, Problem, ProblemTransition, ProgressReport, Suspension
from zhenwu.lib.cadence import Cadence, Period, period_containing
from zhenwu.lib.stats import percent
from zhenwu.org.models import Person, Unit

NAMED_LIMIT = 300  # overdue items and missing reports named one by one; beyond that, counted


def month_end(month: date) -> datetime:
    last = period_containing(month, Cadence.MONTHLY).end
    return datetime.combine(last, time(23, 59, 59, 999999), tzinfo=ZoneInfo(settings.TIME_ZONE))


def _as_of(end: datetime) -> QuerySet[Problem]:
    """Problems that existed at `end`, each with its status, its deadline and whether its clock
    was stopped (暂停), as they were then."""
    last_step = ProblemTransition.objects.filter(problem=OuterRef("pk"), at__lte=end).order_by("-at", "-id")
    # A deadline only ever moves later (an extension must be later; a resume adds the paused
    # working days), so the deadline in force at `end` is the smallest of today's and the
    # "before" deadlines of every change made after `end`.
    later_extension = Extension.objects.filter(problem=OuterRef("pk"), status="approved", decided_at__gt=end)
    later_resume = Suspension.objects.filter(
        problem=OuterRef("pk"), resumed_at__gt=end, deadline_before__isnull=False
    )
    day = end.date()
    stopped = Suspension.objects.filter(problem=OuterRef("pk"), start__lte=day).filter(
        Q(end__isnull=True) | Q(end__gt=day)
    )
    return Problem.objects.filter(created_at__lte=end).annotate(
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
    )


# 整改中 in the bulletin: being worked on or waiting for acceptance; 长期坚持 is counted apart.
IN_HAND = (WORKING - {Status.LONG_TERM}) | {Status.CLOSURE_REQUESTED}


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
    # The thresholds the lists were drawn with (settings), kept so the document says the same.
    red_min: float = 0.9
    black_below: float = 0.85

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
    """One pass over the problems that existed at the month's end: each row carries its status,
    deadline and reports as they were then (each subquery evaluated once a row), and the
    totals, rankings and named lists are tallied from that stream. Repeating the subqueries in
    a dozen FILTER clauses made SQLite take minutes at 100,000 problems."""
    month = month.replace(day=1)
    end = month_end(month)
    start = datetime.combine(month, time(0), tzinfo=end.tzinfo)
    day = end.date()
    problems = _as_of(end)
    periods = _periods(month)
    for i, period in enumerate(periods):
        filed = ProgressReport.objects.filter(
            problem=OuterRef("pk"), period_key=period.key, submitted_at__isnull=False, submitted_at__lte=end
        )
        problems = problems.annotate(**{f"filed_{i}": Exists(filed)})
    fields = ("id", "department_id", "leader_id", "status_then", "closed_then", "deadline_then", "created_at",
              "cadence", "assigned_on", "filed_0", "filed_1", "suspended_then")  # fmt: skip
    departments: dict[int | None, Line] = {}
    leaders: dict[int | None, Line] = {}
    keys = ("total", "closed", "in_hand", "long_term", "pending", "overdue", "new", "closed_now", "on_time")
    totals = dict.fromkeys(keys, 0)
    overdue_ids: list[tuple[date, int]] = []
    missing_ids: dict[int, int] = {}
    for (
        pk,
        dept,
        leader,
        status,
        closed_at,
        deadline,
        created,
        cadence,
        assigned,
        filed0,
        filed1,
        stopped,
    ) in problems.values_list(*fields).order_by().iterator(chunk_size=5000):
        closed_now = closed_at is not None and start <= closed_at <= end
        on_time = closed_now and (
            deadline is None or timezone.localtime(closed_at, end.tzinfo).date() <= deadline
        )
        # As on the live ledger (the engine's WORKING): a problem whose clock is stopped is neither
        # overdue nor owes reports; a 长期坚持 one has no deadline but still reports.
        running = status in WORKING and not stopped
        overdue = running and deadline is not None and deadline < day
        missing = 0
        if running and cadence == Cadence.HALF_MONTHLY and assigned is not None:
            missing = sum(
                1 for p, f in zip(periods, (filed0, filed1), strict=True) if assigned <= p.start and not f
            )
        totals["total"] += 1
        totals["closed"] += status == Status.CLOSED
        totals["in_hand"] += status in IN_HAND
        totals["long_term"] += status == Status.LONG_TERM
        totals["pending"] += status == Status.PENDING
        totals["overdue"] += overdue
        totals["new"] += created >= start
        totals["closed_now"] += closed_now
        totals["on_time"] += on_time
        for index, key in ((departments, dept), (leaders, leader)):
            line = index.get(key)
            if line is None:
                line = index[key] = Line(key, "")
            line.total += 1
            line.closed += status == Status.CLOSED
            line.closed_on_time += on_time
            line.overdue += overdue
            line.missing_reports += missing
        if overdue:
            overdue_ids.append((deadline, pk))
        if missing:
            missing_ids[pk] = missing
    _name_lines(
        departments, dict(Unit.objects.filter(pk__in=[k for k in departments if k]).values_list("pk", "name"))
    )
    _name_lines(
        leaders, dict(Person.objects.filter(pk__in=[k for k in leaders if k]).values_list("pk", "name"))
    )
    overdue_ids.sort(key=lambda pair: (pair[0], pair[1]))
    deadlines = {pk: d for d, pk in overdue_ids[:NAMED_LIMIT]}
    named_overdue = _described(list(deadlines))
    missing_first = sorted(missing_ids)[:NAMED_LIMIT]
    named_missing = _described(missing_first)
    red_min, black_below = settings.ZHENWU_RED_LIST_MIN, settings.ZHENWU_BLACK_LIST_BELOW
    ranked_departments = _ranked(departments)
    return Figures(
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
            {**named_overdue[pk], "deadline": deadlines[pk].isoformat(), "days": (day - deadlines[pk]).days}
            for pk in deadlines
        ],
        missing_items=[{**named_missing[pk], "missing": missing_ids[pk]} for pk in missing_first],
        overdue_named_of=totals["overdue"],
        missing_named_of=len(missing_ids),
        red_list=[d.name for d in ranked_departments if d.id and d.rate is not None and d.rate >= red_min],
        black_list=[
            d.name for d in ranked_departments if d.id and d.rate is not None and d.rate < black_below
        ],
        red_min=red_min,
        black_below=black_below,
    )


def _name_lines(index: dict[int | None, Line], names: dict[int, str]) -> None:
    for key, line in index.items():
        line.name = names.get(key, "") if key else "（未分派）"


def _described(ids: list[int]) -> dict[int, dict[str, Any]]:
    """Number, description and owners of the problems a bulletin names (at most NAMED_LIMIT)."""
    rows = Problem.objects.filter(pk__in=ids).select_related("department", "leader")
    return {
        p.pk: {
            "number": p.number,
            "description": p.description[:60],
            "department": _name(p.department),
            "leader": _name(p.leader),
        }  # fmt: skip
        for p in rows
    }


def _name(obj: Any) -> str:
    return obj.name if obj is not None else ""


def _ranked(index: dict[int | None, Line]) -> list[Line]:
    """Best 整改率 first; then fewer overdue, then name. Unassigned problems last."""
    lines = [line for pk, line in index.items() if pk is not None]
    lines.sort(key=lambda line: (-(line.rate or 0), line.overdue, line.name))
    return lines + [line for pk, line in index.items() if pk is None]
