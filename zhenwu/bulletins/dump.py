"""Every figure the town reports, as stable JSON: what an upgrade must leave unchanged.

The county plan's step 0 (docs/county-plan.md): before any schema change the figures of a
one-town database are written down, and each later step's upgrade test migrates that
database and compares. So the dump holds only what the data decides — no time of the run,
no cache — and every "today" is the day given.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.functional import Promise

from zhenwu.bulletins.dashboard import dashboard
from zhenwu.bulletins.figures import month_figures
from zhenwu.core.audit import audit_verify
from zhenwu.core.calendar import work_calendar
from zhenwu.evaluation.models import Survey
from zhenwu.evaluation.results import tally
from zhenwu.ledger.followup import satisfaction
from zhenwu.ledger.models import Problem
from zhenwu.ledger.rules import Today
from zhenwu.org.constants import AccountRole
from zhenwu.org.models import User
from zhenwu.org.scope import only_town_id
from zhenwu.org.selectors import registry_counts
from zhenwu.suggestions.models import Campaign

# The dashboard's moment of counting is the run's clock, not the data's.
_DASHBOARD_RUN_KEYS = ("counted_at",)


def plain(value: Any) -> Any:
    """A JSON-safe copy: dataclasses as dicts, dates as ISO text, records as their pk."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return plain(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [plain(v) for v in value]
        return sorted(items, key=json.dumps) if isinstance(value, set | frozenset) else items
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, models.Model):
        return {"model": value._meta.label, "pk": value.pk}
    if isinstance(value, str):
        return str.__add__("", value)  # a TextChoices member as its value
    return value


def _months(first: date, last: date) -> list[date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def row_counts() -> dict[str, int]:
    """Rows of every table the models own (many-to-many tables included)."""
    counts = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        counts[meta.label] = model._base_manager.count()
    return counts


def figures_dump(today: date) -> dict[str, Any]:
    first = Problem.objects.order_by("created_at").values_list("created_at", flat=True).first()
    months = _months(first.date() if first else today, today)
    board = dashboard(Today.build(today, work_calendar()))
    for key in _DASHBOARD_RUN_KEYS:
        board.pop(key, None)
    campaign = Campaign.objects.first()
    start = campaign.starts_on if campaign else date(today.year, 1, 1)
    # The registry as the town's office sees it (an account's own scope is not a figure); one
    # town per dump until the county's figures come (county plan, step 9).
    office = User(role=AccountRole.OFFICE, town_id=only_town_id())
    result = audit_verify()
    return plain(
        {
            "today": today,
            "month_figures": {f"{m:%Y-%m}": month_figures(m) for m in months},
            "dashboard": board,
            "satisfaction": satisfaction(start, today),
            "surveys": {
                str(s.pk): tally(s) for s in Survey.objects.filter(status="published").order_by("pk")
            },
            "registry_counts": registry_counts(office),
            "row_counts": row_counts(),
            "audit": {
                "ok": result.ok,
                "checked": result.checked,
                "head": str(result.head),
                "first_break": result.first_break,
            },
        }
    )


def figures_dump_json(today: date) -> str:
    return json.dumps(figures_dump(today), ensure_ascii=False, sort_keys=True, indent=1) + "\n"
