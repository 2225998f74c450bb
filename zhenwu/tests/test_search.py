"""The search boxes on PostgreSQL are answered from trigram indexes, not by reading the table."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from zhenwu.core.calendar import work_calendar
from zhenwu.ledger.models import Problem
from zhenwu.ledger.rules import Today
from zhenwu.ledger.selectors import problem_search
from zhenwu.suggestions.selectors import inbox

pytestmark = pytest.mark.django_db


def _today() -> Today:
    return Today.build(timezone.localdate(), work_calendar())


def _plan(queryset) -> str:  # type: ignore[no-untyped-def]
    # The test tables are nearly empty, so the planner would rightly scan them (or walk the
    # primary key in order): rule both out to see whether the search itself can be answered
    # from an index. If none fits, PostgreSQL still has to scan and the plan says so.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        return queryset.order_by().explain()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's")
def test_ledger_and_inbox_searches_use_the_trigram_indexes(office, problem):
    # A town's search is answered from an index (here its town's, the table being nearly
    # empty); the text's own condition, as the search writes it, from the trigram indexes.
    assert "Seq Scan" not in _plan(problem_search(office, {"q": "红岩村三组"}, _today()))
    q = "红岩村三组"
    text = Q(description__contains=q) | Q(number__contains=q) | Q(measures__contains=q)
    plan = _plan(Problem.objects.filter(text))
    for index in (
        "ledger_problem_description_trgm",
        "ledger_problem_number_trgm",
        "ledger_problem_measures_trgm",
    ):
        assert index in plan
    assert "Seq Scan" not in plan
    plan = _plan(inbox(office, {"q": "路灯坏了"}))
    assert "suggestions_suggestion_text_trgm" in plan and "Seq Scan" not in plan
    assert [p.pk for p in problem_search(office, {"q": "红岩村三组"}, _today())] == [problem.pk]
    assert Problem.objects.filter(description__contains="道路破损").count() == 1
