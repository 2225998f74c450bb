"""The ledger as it stood at the end of a month, rebuilt from its history.

The facts come from `ledger.rules.facts_as_of` (status, deadline, stopped clock and latest
report as they stood at the month's end) and are judged by the engine's own predicates, so
the 通报 cannot disagree with the live ledger. A bulletin generated again next year, after
many problems have moved on, shows the same figures.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from zhenwu.core.calendar import work_calendar
from zhenwu.ledger.constants import Status
from zhenwu.ledger.models import Problem
from zhenwu.ledger.policies import source_label
from zhenwu.ledger.rules import (
    REPORTING,
    THEN_FIELDS,
    Today,
    closed_on_time,
    facts_as_of,
    facts_then,
    in_hand,
    month_start,
    next_month,
    overdue,
    overdue_text,
    owes,
    periods_of_month,
    working,
)
from zhenwu.lib.cadence import Period
from zhenwu.lib.stats import percent
from zhenwu.org.models import Person, Unit

NAMED_LIMIT = 300  # overdue items and missing reports named one by one; beyond that, counted


def month_end(month: date) -> datetime:
    """The moment a month's figures are taken: the first moment of the next month."""
    return month_start(next_month(month.replace(day=1)))


@dataclass
class Line:
    """One department's, leader's or source's row in the ranking."""

    id: int | str | None
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
    # By 问题来源 (older stored figures have none).
    by_source: list[Line] = field(default_factory=list)
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
        lines = {
            k: [Line(**line) for line in data.get(k, [])] for k in ("by_department", "by_leader", "by_source")
        }
        return cls(**{**data, **lines})


def month_figures(month: date) -> Figures:
    """One pass over the problems that existed at the month's end: each row carries its facts
    as they were then (`rules.facts_as_of`, each subquery evaluated once a row), the engine's
    own predicates judge them as on the first day of the next month, and the totals, rankings
    and named lists are tallied from that stream. Repeating the subqueries in a dozen FILTER
    clauses made SQLite take minutes at 100,000 problems."""
    month = month.replace(day=1)
    end = month_end(month)
    start = month_start(month)
    today = Today.build(end.date(), work_calendar())
    thresholds = today.thresholds
    periods: dict[str, list[Period]] = {c.value: periods_of_month(month, c) for c in REPORTING}
    fields = ("id", "department_id", "leader_id", "source", "closed_then", "created_at", *THEN_FIELDS)
    departments: dict[int | None, Line] = {}
    leaders: dict[int | None, Line] = {}
    sources: dict[str, Line] = {}
    keys = ("total", "closed", "in_hand", "long_term", "pending", "overdue", "new", "closed_now", "on_time")
    totals = dict.fromkeys(keys, 0)
    overdue_ids: list[tuple[date, int]] = []
    missing_ids: dict[int, int] = {}
    rows = facts_as_of(end).values_list(*fields).order_by().iterator(chunk_size=5000)
    for pk, dept, leader, source, closed_at, created, *then in rows:
        f = facts_then(then, thresholds=thresholds)
        closed_now = closed_at is not None and start <= closed_at < end
        on_time = closed_now and closed_on_time(timezone.localtime(closed_at, end.tzinfo).date(), f.deadline)
        is_overdue = overdue(f, today)
        # Only a working problem owes reports: skip the periods for the (many) closed ones.
        missing = sum(owes(f, p) for p in periods.get(f.cadence, ())) if working(f) else 0
        is_closed = f.status == Status.CLOSED
        totals["total"] += 1
        totals["closed"] += is_closed
        totals["in_hand"] += in_hand(f)
        totals["long_term"] += f.status == Status.LONG_TERM
        totals["pending"] += f.status == Status.PENDING
        totals["overdue"] += is_overdue
        totals["new"] += created >= start
        totals["closed_now"] += closed_now
        totals["on_time"] += on_time
        for index, key in ((departments, dept), (leaders, leader), (sources, source)):
            line = index.get(key)
            if line is None:
                line = index[key] = Line(key, "")  # type: ignore[index]
            line.total += 1
            line.closed += is_closed
            line.closed_on_time += on_time
            line.overdue += is_overdue
            line.missing_reports += missing
        if is_overdue:
            assert f.deadline is not None
            overdue_ids.append((f.deadline, pk))
        if missing:
            missing_ids[pk] = missing
    _name_lines(
        departments, dict(Unit.objects.filter(pk__in=[k for k in departments if k]).values_list("pk", "name"))
    )
    _name_lines(
        leaders, dict(Person.objects.filter(pk__in=[k for k in leaders if k]).values_list("pk", "name"))
    )
    for key, line in sources.items():
        line.name = source_label(key)
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
        by_source=_ranked(sources),  # type: ignore[arg-type]
        overdue_items=[
            {
                **named_overdue[pk],
                "deadline": deadlines[pk].isoformat(),
                "days": overdue_text(deadlines[pk], today) or "—",
            }
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
