"""领导驾驶舱: the ledger, suggestions and surveys on one page, each figure a link to its records.

Every number comes from one of a fixed set of aggregate queries (the count does not grow
with the data), each counting a rule of the engine (`ledger.rules`) whose `Q` the ledger
list applies for the link (`?rule=`, `?colour=`, `?status=`), so a figure and the list it
opens always agree (a test walks every figure's link and counts the list).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q

from zhenwu.evaluation.models import Survey
from zhenwu.evaluation.results import results_for
from zhenwu.ledger.constants import Colour, Status
from zhenwu.ledger.followup import satisfaction
from zhenwu.ledger.models import Problem, ProblemTransition
from zhenwu.ledger.policies import source_label
from zhenwu.ledger.rules import Today, closed_late_q, colour_q, in_hand_q, overdue_q
from zhenwu.suggestions.models import Suggestion


def _months_back(today: date, n: int) -> list[date]:
    months, year, month = [], today.year, today.month
    for _i in range(n):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(months))


def _next(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def cached_dashboard(today: Today) -> dict[str, Any]:
    """The figures, shared by every request of this worker for ZHENWU_DASHBOARD_CACHE_SECONDS:
    a summary a minute old is what a projector in a meeting needs, and 100,000 problems take
    about a second to count on SQLite."""
    seconds = settings.ZHENWU_DASHBOARD_CACHE_SECONDS
    if not seconds:
        return dashboard(today)
    data = cache.get_or_set(f"zhenwu:dashboard:{today.day}", lambda: dashboard(today), seconds)
    return data if isinstance(data, dict) else dashboard(today)


def dashboard(today: Today) -> dict[str, Any]:
    day = today.day
    tz = ZoneInfo(settings.TIME_ZONE)
    months = _months_back(day, 12)
    since = datetime.combine(months[0], time(0), tzinfo=tz)
    colours = {c: colour_q(c, today) for c in (Colour.RED, Colour.YELLOW, Colour.BLUE)}
    totals = Problem.objects.aggregate(
        total=Count("id"),
        closed=Count("id", filter=Q(status=Status.CLOSED)),
        in_progress=Count("id", filter=in_hand_q()),
        closure_requested=Count("id", filter=Q(status=Status.CLOSURE_REQUESTED)),
        long_term=Count("id", filter=Q(status=Status.LONG_TERM)),
        pending=Count("id", filter=Q(status=Status.PENDING)),
        **{c.value: Count("id", filter=q) for c, q in colours.items()},
    )
    counted_at = datetime.now(tz)
    # Per month by plain range conditions (TruncMonth is a Python call per row on SQLite).
    bounds = [
        (m, datetime.combine(m, time(0), tzinfo=tz), datetime.combine(_next(m), time(0), tzinfo=tz))
        for m in months
    ]
    opened = Problem.objects.aggregate(
        **{f"{m:%Y-%m}": Count("id", filter=Q(created_at__gte=a, created_at__lt=b)) for m, a, b in bounds}
    )
    closed = ProblemTransition.objects.filter(to_status=Status.CLOSED, at__gte=since).aggregate(
        **{f"{m:%Y-%m}": Count("id", filter=Q(at__gte=a, at__lt=b)) for m, a, b in bounds}
    )
    # Missed deadlines by the month the deadline fell in: closed late, or overdue now (the
    # engine's rule: a stopped clock or a pending acceptance is not overdue).
    missed = (
        Problem.objects.filter(deadline__gte=months[0], deadline__lt=day)
        .filter(overdue_q(today) | closed_late_q())
        .aggregate(
            **{
                f"{m:%Y-%m}": Count("id", filter=Q(deadline__gte=m, deadline__lt=_next(m)))
                for m, _a, _b in bounds
            }
        )
    )
    red = colours[Colour.RED]

    def per(owner: str, *order: str) -> list[dict[str, Any]]:
        """Problems, closed and overdue per department or per responsible leader (one GROUP BY)."""
        return list(
            Problem.objects.filter(**{f"{owner}__isnull": False})
            .values(f"{owner}_id", f"{owner}__name")
            .annotate(
                total=Count("id"),
                closed=Count("id", filter=Q(status=Status.CLOSED)),
                overdue=Count("id", filter=red),
            )
            .order_by(*order)
        )

    departments = per("department", "-total", "department__name")
    sources = [
        {**row, "label": source_label(row["source"])}
        for row in Problem.objects.values("source")
        .annotate(
            total=Count("id"),
            closed=Count("id", filter=Q(status=Status.CLOSED)),
            overdue=Count("id", filter=red),
        )
        .order_by("-total", "source")
    ]
    leaders = per("leader", "-overdue", "-total", "leader__name")
    suggestions = dict(Suggestion.objects.values_list("status").annotate(n=Count("id")).order_by())
    survey = Survey.objects.filter(status="published").order_by("-published_at", "-id").first()
    return {
        "counted_at": counted_at,
        "totals": totals,
        "rate": totals["closed"] / totals["total"] if totals["total"] else None,
        "trend": {
            "months": [f"{m:%Y-%m}" for m in months],
            "opened": [opened.get(f"{m:%Y-%m}", 0) for m in months],
            "closed": [closed.get(f"{m:%Y-%m}", 0) for m in months],
            "missed": [missed.get(f"{m:%Y-%m}", 0) for m in months],
        },
        "departments": departments,
        "leaders": leaders,
        "sources": sources,
        "suggestions": suggestions,
        "suggestions_total": sum(suggestions.values()),
        "satisfaction": satisfaction(months[0], day),
        "survey": survey,
        "survey_result": results_for(survey) if survey else None,
    }
