"""The disagreements a review found between the copies of the engine's rules, one test each.

Before the rules were written once (ledger/rules.py), the ledger, the 通报 and the 驾驶舱 each
computed overdue and missing reports their own way, and said different things about the same
problem. Each test below names one such case and asks every place that answers it.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from zhenwu.bulletins.dashboard import dashboard
from zhenwu.bulletins.figures import month_figures
from zhenwu.conftest import client_for
from zhenwu.core.calendar import work_calendar
from zhenwu.ledger import services
from zhenwu.ledger.constants import Category, Colour, Source
from zhenwu.ledger.models import Problem
from zhenwu.ledger.rules import Facts, Today, colour_q, report_missing, report_missing_q, warning_for
from zhenwu.ledger.selectors import problem_search

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def _at(text: str):
    return time_machine.travel(datetime.fromisoformat(text).replace(tzinfo=TZ), tick=False)


def _today(day: date) -> Today:
    return Today.build(day, work_calendar())


def _assigned(town, office, *, on: date, deadline: date, cadence: str = "half_monthly") -> Problem:
    with _at(f"{on.isoformat()} 09:00"):
        problem = services.problem_create(
            actor=office, source=Source.SELF_CHECK, category=Category.OTHER, description="村道路灯不亮"
        )
        return services.problem_assign(
            actor=office, problem=problem, leader=town.leader_person, department=town.economy_dept,
            assignees=[town.staff], deadline=deadline, assigned_on=on, cadence=cadence,
        )  # fmt: skip


def _missing_in_list(office, today: Today) -> set[int]:
    return set(problem_search(office, {"report_missing": True}, today).values_list("pk", flat=True))


def test_a_problem_assigned_mid_period_owes_that_period_in_the_ledger_and_the_bulletin_alike(town, office):
    """1. Assigned 2026-10-05, no reports: the ledger showed 黄 for 10月上半月 while the October
    通报 counted one missing report fewer (it asked for assignment by the period's first day)."""
    problem = _assigned(town, office, on=date(2026, 10, 5), deadline=date(2026, 12, 31))
    on_16th = _today(date(2026, 10, 16))
    assert report_missing(Facts.of(problem), on_16th).key == "2026-10-1"
    assert warning_for(problem, on_16th).colour == Colour.YELLOW
    assert _missing_in_list(office, on_16th) == {problem.pk}
    with _at("2026-11-02 09:00"):
        october = month_figures(date(2026, 10, 1))
    assert october.missing_items == [{**october.missing_items[0], "missing": 2}]  # both halves
    assert october.by_department[0].missing_reports == 2


def test_a_monthly_problem_without_its_report_is_counted_missing_by_the_bulletin_too(town, office):
    """2. A monthly-cadence problem with no report was 黄 in the ledger but never counted as
    missing in the 通报 (which looked at half-monthly problems only)."""
    problem = _assigned(town, office, on=date(2026, 10, 5), deadline=date(2026, 12, 31), cadence="monthly")
    first_of_november = _today(date(2026, 11, 1))
    assert report_missing(Facts.of(problem), first_of_november).key == "2026-10"
    assert warning_for(problem, first_of_november).colour == Colour.YELLOW
    with _at("2026-11-02 09:00"):
        october = month_figures(date(2026, 10, 1))
    assert [i["number"] for i in october.missing_items] == [problem.number]
    assert october.missing_items[0]["missing"] == 1


def test_a_problem_whose_clock_stopped_before_its_deadline_is_not_in_the_dashboards_overdue_trend(
    town, office
):
    """3. Suspended on 10-15 with deadline 10-20: no colour anywhere, but the 驾驶舱's 逾期 trend
    for October counted it as a missed deadline."""
    problem = _assigned(town, office, on=date(2026, 10, 5), deadline=date(2026, 10, 20))
    with _at("2026-10-15 09:00"):
        services.problem_suspend(actor=office, problem=problem, reason="等待上级批复")
    today = _today(date(2026, 10, 26))
    assert warning_for(Problem.objects.get(pk=problem.pk), today).colour is None
    assert not Problem.objects.filter(colour_q(Colour.RED, today)).exists()
    trend = dashboard(today)["trend"]
    assert trend["missed"][trend["months"].index("2026-10")] == 0
    assert dashboard(today)["totals"]["red"] == 0


def test_a_suspended_problem_owes_no_report_on_its_page_home_panel_or_list(town, office, leader):
    """4. For a suspended problem report_missing() returned a period (shown on the problem page,
    the home panel and the leader's digest) while the report_missing filter excluded it."""
    problem = _assigned(town, office, on=date(2026, 10, 5), deadline=date(2026, 12, 31))
    with _at("2026-10-10 09:00"):
        services.problem_suspend(actor=office, problem=problem, reason="等待上级批复")
    problem.refresh_from_db()
    today = _today(date(2026, 10, 20))
    assert report_missing(Facts.of(problem), today) is None
    assert not Problem.objects.filter(report_missing_q(today)).exists()
    with _at("2026-10-20 09:00"):
        page = client_for(office).get(f"/ledger/{problem.pk}/").content.decode()
        home = client_for(leader).get("/").content.decode()
    assert "缺2026年10月上半月报告" not in page
    assert "缺2026年10月上半月" not in home and "2026年10月上半月" not in home


@pytest.fixture
def mixed(town, office, department_staff):
    """Problems in every state the 驾驶舱's cards count: in progress, returned, closure requested,
    closed, long-term, pending, overdue."""
    made = {}
    for key, deadline in (("working", date(2026, 12, 31)), ("returned", date(2026, 12, 31)),
                          ("requested", date(2026, 12, 31)), ("closed", date(2026, 12, 31)),
                          ("late", date(2026, 11, 10))):  # fmt: skip
        made[key] = _assigned(town, office, on=date(2026, 11, 2), deadline=deadline)
    evidence = [SimpleUploadedFile("验收.pdf", b"%PDF-1.4")]
    with _at("2026-11-20 10:00"):
        for key in ("returned", "requested", "closed"):
            services.problem_apply_close(
                actor=department_staff, problem=Problem.objects.get(pk=made[key].pk), completion="已完成",
                files=list(evidence),
            )  # fmt: skip
        services.problem_return(
            actor=office, problem=Problem.objects.get(pk=made["returned"].pk), reason="不全"
        )
        services.problem_accept(actor=office, problem=Problem.objects.get(pk=made["closed"].pk))
        services.problem_create(
            actor=office, source=Source.OTHER, category=Category.OTHER, description="待分派"
        )
    return made


FIGURE = re.compile(
    r'<a class="cockpit-figure[^"]*"(?: id="[^"]+")? href="([^"]+)">.*?<div class="value">(\d+)</div>'
)
COUNT = re.compile(r'id="result-count">共 (\d+) 个问题')


def test_every_figure_on_the_dashboard_equals_the_count_of_the_list_it_opens(mixed, office):
    """The 整改中 card showed 98 and opened a list of 51 (it also counted 申请销号 and 退回); the
    申请销号待验收 card showed no number while its list had 44."""
    with _at("2026-11-25 10:00"):
        client = client_for(office)
        page = client.get("/dashboard/").content.decode()
        figures = FIGURE.findall(page)
        assert len(figures) >= 7, page
        for href, value in figures:
            listed = COUNT.search(client.get(href.replace("&amp;", "&")).content.decode())
            assert listed is not None, href
            assert int(value) == int(listed.group(1)), (
                f"{href}: the card says {value}, its list has {listed.group(1)}"
            )
        assert ("/ledger/?rule=in_hand", "4") in figures  # working, returned, requested, late
        assert ("/ledger/?status=closure_requested", "1") in figures
