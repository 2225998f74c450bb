"""No page prints a stored UTC time: everything a user reads is in Beijing time.

Everything below happens at 00:37 UTC, which is 08:37 in Beijing; a page that shows "00:37"
formatted a moment without converting it (see core/timefmt.py).
"""

from __future__ import annotations

import re

import pytest
import time_machine
from django.urls import reverse

from zhenwu.conftest import client_for
from zhenwu.evaluation import services as evaluation
from zhenwu.evaluation.tests.conftest import counted, open_with_codes, survey  # noqa: F401 - a fixture
from zhenwu.ledger.models import Problem
from zhenwu.suggestions.services import suggestion_submit
from zhenwu.suggestions.tests.conftest import close

UTC_MOMENT = "2026-11-10 00:37:00+00:00"


@pytest.fixture
def busy_morning(problem, survey, town, office, department_staff):  # noqa: F811
    with time_machine.travel(UTC_MOMENT, tick=False):
        suggestion = suggestion_submit(text="石桥村的水管爆了，一早就没水", village=town.village)
        close(problem, department_staff, office)
        codes = open_with_codes(survey, office)
        key = evaluation.ballot_rows(survey)[0].key
        for code in next(iter(codes.values()))[:3]:
            evaluation.ballot_cast(code=code, marks={key: "1"})
        counted(survey)
        evaluation.survey_step(actor=office, survey=counted(survey), action="close")
    return suggestion, Problem.objects.get(pk=problem.pk), survey


def test_no_page_prints_the_stored_utc_time(busy_morning, office, inspector):
    suggestion, problem, closed = busy_morning
    pages = {
        office: [
            reverse("core:audit_list"),
            reverse("ledger:problem_detail", args=[problem.pk]),
            reverse("suggestions:inbox"),
            reverse("suggestions:detail", args=[suggestion.pk]),
            reverse("evaluation:results", args=[closed.pk]),
            reverse("evaluation:ballots", args=[closed.pk]),
        ],
    }
    seen_local = 0
    for user, urls in pages.items():
        client = client_for(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            body = response.content.decode()
            assert not re.search(r"(?<![\d:])00:37(?![\d])", body), f"{url} shows a UTC time"
            seen_local += "08:37" in body
    assert seen_local >= 3  # the times are there, in Beijing time


def test_python_formats_a_clock_time_only_through_timefmt_or_after_localtime():
    """A page's test catches the times it shows; this catches the ones no test page shows yet
    (an object's label in the audit log, a message), where a bare `{moment:%H:%M}` is UTC."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    clock = re.compile(r"\{[^{}]*:[^{}]*%H[^{}]*\}|strftime\([^)]*%H")
    offenders = [
        f"{path.relative_to(root)}:{n}"
        for path in root.rglob("*.py")
        if "tests" not in path.parts and path.name != "timefmt.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if clock.search(line) and "localtime(" not in line
    ]
    assert offenders == []
