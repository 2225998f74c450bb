"""The three forms of every rule select the same problems.

Histories are generated and written through the services (assignment on any day of a
period, each cadence, a date deadline or 长期坚持, reports for some periods, a suspension
with or without its resume, an approved extension, a closure request accepted or
returned, a reopening), then on a later day each rule is asked in its three forms: the
predicate on the problem's stored facts (rows, pages, reminders), the `Q` filter (lists,
the 驾驶舱), and the predicate on the facts rebuilt from the history tables as of that day
(`facts_as_of`, the 通报's month-end form).
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from zhenwu.core.calendar import work_calendar
from zhenwu.ledger import services
from zhenwu.ledger.constants import Category, Colour, DeadlineBasis, Source
from zhenwu.ledger.models import Problem
from zhenwu.ledger.rules import (
    LIST_RULES,
    THEN_FIELDS,
    Facts,
    Thresholds,
    Today,
    colour,
    colour_q,
    facts_as_of,
    facts_then,
)
from zhenwu.lib.cadence import Cadence, period_containing

TZ = ZoneInfo("Asia/Shanghai")
FIRST = date(2026, 9, 1)
LAST_EVENT = date(2026, 12, 31)  # the demo's calendar ends with 2026
PROBLEMS_PER_CASE = 10
DAYS_PER_CASE = 6
EXAMPLES = 9  # 9 × 10 problems × 6 days = 540 cases, each judged by every rule in three forms


def _at(day: date, hour: int):
    return time_machine.travel(datetime.combine(day, time(hour)).replace(tzinfo=TZ), tick=False)


@st.composite
def history(draw: st.DrawFn) -> dict:
    assigned = FIRST + timedelta(days=draw(st.integers(0, 80)))
    return {
        "assigned": assigned,
        "cadence": draw(st.sampled_from([Cadence.HALF_MONTHLY, Cadence.MONTHLY, Cadence.NONE])),
        "deadline": None if draw(st.booleans()) and draw(st.booleans()) else draw(st.integers(0, 70)),
        "reports": draw(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 100)), max_size=3)),
        "suspend": draw(st.none() | st.tuples(st.integers(1, 40), st.none() | st.integers(1, 30))),
        "extend": draw(st.none() | st.tuples(st.integers(1, 40), st.integers(1, 30))),
        "close": draw(st.sampled_from([None, None, "accept", "return", "reopen", "request"])),
        "close_after": draw(st.integers(1, 60)),
    }


def _events(h: dict, index: int) -> list[tuple[date, int, int, str, object]]:
    """One history as dated events: (day, hour, problem index, kind, value)."""
    assigned: date = h["assigned"]
    events: list[tuple[date, int, int, str, object]] = [(assigned, 9, index, "assign", h)]
    for offset, progress in h["reports"]:
        events.append((assigned + timedelta(days=offset), 10, index, "report", progress))
    if h["suspend"]:
        start = assigned + timedelta(days=h["suspend"][0])
        events.append((start, 11, index, "suspend", None))
        if h["suspend"][1] is not None:
            events.append((start + timedelta(days=h["suspend"][1]), 12, index, "resume", None))
    if h["extend"] and h["deadline"] is not None:
        events.append((assigned + timedelta(days=h["extend"][0]), 13, index, "extend", h["extend"][1]))
    if h["close"]:
        events.append((assigned + timedelta(days=h["close_after"]), 14, index, "close", h["close"]))
    return [e for e in events if e[0] <= LAST_EVENT]


def _assign(town, office, h: dict) -> Problem:
    problem = services.problem_create(
        actor=office, source=Source.SELF_CHECK, category=Category.OTHER, description="生成的问题"
    )
    long_term = h["deadline"] is None
    return services.problem_assign(
        actor=office, problem=problem, leader=town.leader_person, department=town.economy_dept,
        assignees=[town.staff], cadence=h["cadence"], assigned_on=h["assigned"],
        deadline_basis=DeadlineBasis.LONG_TERM if long_term else DeadlineBasis.DATE,
        deadline=None if long_term else h["assigned"] + timedelta(days=h["deadline"]),
    )  # fmt: skip


def _event(office, staff, problem: Problem, day: date, kind: str, value: object) -> None:
    if kind == "report":
        cadence = Cadence(problem.cadence) if problem.cadence != Cadence.NONE else Cadence.MONTHLY
        services.report_save(
            actor=staff, problem=problem, progress=int(value), done="按计划推进",  # type: ignore[call-overload]
            period_key=period_containing(day, cadence).key,
        )  # fmt: skip
    elif kind == "suspend":
        services.problem_suspend(actor=office, problem=problem, reason="等待批复", start=day)
    elif kind == "resume":
        services.problem_resume(actor=office, problem=problem, end=day)
    elif kind == "extend" and problem.deadline is not None:
        extension = services.extension_request(
            actor=staff, problem=problem, new_deadline=problem.deadline + timedelta(days=int(value)),  # type: ignore[call-overload]
            reason="雨季施工困难",
        )  # fmt: skip
        services.extension_decide(actor=office, extension=extension, approve=True)
    elif kind == "close":
        services.problem_apply_close(
            actor=staff,
            problem=problem,
            completion="已完成",
            files=[SimpleUploadedFile("验收.pdf", b"%PDF-1.4")],
        )
        if value == "request":
            return
        problem = Problem.objects.get(pk=problem.pk)
        if value == "return":
            services.problem_return(actor=office, problem=problem, reason="佐证不足")
            return
        services.problem_accept(actor=office, problem=problem)
        if value == "reopen":
            services.problem_reopen(
                actor=office, problem=Problem.objects.get(pk=problem.pk), reason="群众不满意"
            )


Checks = dict[str, tuple]


def _checks() -> Checks:
    checks: Checks = {key: (rule.holds, rule.q) for key, rule in LIST_RULES.items()}
    for value in Colour.values:
        checks[f"colour:{value}"] = (
            lambda f, t, v=value: colour(f, t) == v,
            lambda t, v=value: colour_q(v, t),
        )
    return checks


def _live(today: Today) -> dict[str, tuple[set[int], set[int]]]:
    """Per rule, as the live ledger answers at the first moment of `today`: the predicate on
    each problem's stored facts (rows, pages, reminders) and the Q filter (lists, 驾驶舱)."""
    stored = {p.pk: Facts.of(p) for p in Problem.objects.all()}
    return {
        key: (
            {pk for pk, f in stored.items() if holds(f, today)},
            set(Problem.objects.filter(q(today)).values_list("pk", flat=True)),
        )
        for key, (holds, q) in _checks().items()
    }


def _rebuilt(today: Today) -> dict[str, set[int]]:
    """Per rule, the predicate on facts rebuilt afterwards from the history tables as they
    stood at the first moment of `today` (the 通报's month-end form)."""
    moment = datetime.combine(today.day, time(0)).replace(tzinfo=TZ)
    then = {
        pk: facts_then(values, thresholds=today.thresholds)
        for pk, *values in facts_as_of(moment).values_list("pk", *THEN_FIELDS)
    }
    return {key: {pk for pk, f in then.items() if holds(f, today)} for key, (holds, _q) in _checks().items()}


@pytest.mark.django_db
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    # No shrinking: a failure names the rule, the day and the problems, and shrinking a
    # database-backed case takes many minutes.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(
    histories=st.lists(history(), min_size=PROBLEMS_PER_CASE, max_size=PROBLEMS_PER_CASE),
    days=st.lists(st.integers(1, 125), min_size=DAYS_PER_CASE, max_size=DAYS_PER_CASE, unique=True),
)
def test_row_filter_and_month_end_forms_of_every_rule_select_the_same_problems(
    town, office, department_staff, histories, days
):
    """Each case is a problem judged on a day: PROBLEMS_PER_CASE × DAYS_PER_CASE × EXAMPLES."""
    calendar, thresholds = work_calendar(), Thresholds.from_settings()
    checkpoints = sorted(FIRST + timedelta(days=d) for d in days)
    events = sorted((e for i, h in enumerate(histories) for e in _events(h, i)), key=lambda e: e[:3])
    problems: dict[int, Problem] = {}
    live: dict[date, dict[str, tuple[set[int], set[int]]]] = {}
    with transaction.atomic():
        pending = list(checkpoints)
        for day, hour, index, kind, value in events:
            while pending and pending[0] <= day:
                checkpoint = pending.pop(0)
                live[checkpoint] = _live(Today.build(checkpoint, calendar, thresholds))
            with _at(day, hour):
                if kind == "assign":
                    problems[index] = _assign(town, office, value)  # type: ignore[arg-type]
                    continue
                if index not in problems:
                    continue
                # A refused step (a report on a closed problem) is part of a real history too.
                with contextlib.suppress(ValidationError, PermissionError):
                    current = Problem.objects.get(pk=problems[index].pk)
                    _event(office, department_staff, current, day, kind, value)
        for checkpoint in pending:
            live[checkpoint] = _live(Today.build(checkpoint, calendar, thresholds))
        for checkpoint in checkpoints:
            rebuilt = _rebuilt(Today.build(checkpoint, calendar, thresholds))
            for key, (row, q) in live[checkpoint].items():
                assert row == q, f"{key} on {checkpoint}: row form and Q filter differ: {sorted(row ^ q)}"
                assert row == rebuilt[key], (
                    f"{key} on {checkpoint}: the live ledger and the month-end form differ: {sorted(row ^ rebuilt[key])}"
                )
        transaction.set_rollback(True)
