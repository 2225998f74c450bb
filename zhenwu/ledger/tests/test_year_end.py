"""The turn of the year: deadlines counted into a year whose holidays are not confirmed yet.

Today is December 2026 and the State Council has not published 2027's arrangement. These walk
the clerk's, the owner's and the office's days across 1 January with the clock moved, as the
operations issue found them broken: every figure is counted by hand in the comments.
"""

from datetime import date

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from zhenwu.conftest import client_for
from zhenwu.core.calendar import holiday_set, work_calendar
from zhenwu.core.models import AuditEvent, CalendarYear, Notice, TickRun
from zhenwu.ledger.constants import Action, Category, Colour, DeadlineBasis, Source
from zhenwu.ledger.importer import plan_import
from zhenwu.ledger.models import Problem
from zhenwu.ledger.rules import Today, warning_for
from zhenwu.ledger.services import problem_assign, problem_create, report_save
from zhenwu.ledger.tests.sheets import messy_ledger
from zhenwu.lib.statutory import statutory_weekdays

pytestmark = pytest.mark.django_db

DECEMBER = "2026-12-01 09:00 +0800"


def _assign(town, office, *, description="西拓安置小区路灯不亮", **deadline):
    created = problem_create(
        actor=office, source=Source.SELF_CHECK, category=Category.INFRASTRUCTURE, description=description
    )
    return problem_assign(
        actor=office,
        problem=created,
        leader=town.leader_person,
        department=town.economy_dept,
        assignees=[town.staff],
        **deadline,
    )


def _today(day: date) -> Today:
    return Today.build(day, work_calendar())


@time_machine.travel(DECEMBER, tick=False)
def test_a_clerk_sets_sixty_working_days_in_december_and_sees_it_marked_provisional(town, office):
    # Dec 2–31: 22 working days. 2027 provisionally: 元旦 (Fri 1 Jan) off, January 4–29 is 20
    # days (42), 1–4 Feb 4 days (46), 除夕 Fri 5 and 初三 Mon 8 Feb off, 9–12 Feb (50),
    # 15–19 (55), 22–26 (60): Friday 26 February 2027.
    problem = _assign(town, office, deadline_basis=DeadlineBasis.WORKDAYS, deadline_days=60)
    assert problem.deadline == date(2027, 2, 26)
    assert problem.deadline_provisional is True
    client = client_for(office)
    listed = client.get(reverse("ledger:problem_list")).content.decode()
    assert "2027-02-26 <span" in listed and "暂定" in listed
    page = client.get(reverse("ledger:problem_detail", args=[problem.pk])).content.decode()
    assert "暂定" in page
    [row] = [r for r in client.get("/api/problems").json()["items"] if r["id"] == problem.pk]
    assert row["deadline"] == "2027-02-26" and row["deadline_provisional"] is True


@time_machine.travel("2026-12-28 09:00 +0800", tick=False)
def test_blue_warnings_reach_into_the_unconfirmed_year(town, office, leader):
    # From Mon 28 Dec, five working days are 29, 30, 31 Dec, Mon 4 and Tue 5 Jan (1 Jan is 元旦).
    problem = _assign(town, office, deadline=date(2027, 1, 5), assigned_on=date(2026, 12, 16))
    # Reported and on schedule, so nothing but the deadline colours it.
    problem = report_save(actor=leader, problem=problem, progress=80, done="灯杆已更换").problem
    problem.refresh_from_db()
    warning = warning_for(problem, _today(date(2026, 12, 28)))
    assert warning.colour == Colour.BLUE
    assert warning.reasons == ("距整改时限还有5个工作日，暂定",)
    later = _assign(
        town, office, description="另一件", deadline=date(2027, 1, 6), assigned_on=date(2026, 12, 16)
    )
    later = report_save(actor=leader, problem=later, progress=80, done="已开工").problem
    later.refresh_from_db()
    assert warning_for(later, _today(date(2026, 12, 28))).colour is None


def test_tick_on_5_january_2027_sends_the_missing_report_reminders(problem, leader, department_staff):
    # The fixture's problem reports half-monthly and filed nothing: on 5 Jan the report for the
    # second half of December is missing (催报), and on 13 Jan the first half of January is due
    # in two working days (待报).
    with time_machine.travel("2027-01-05 08:00 +0800", tick=False):
        call_command("tick")
    missing = Notice.objects.filter(key__startswith="report-missing:")
    assert {n.recipient for n in missing} == {leader, department_staff}
    assert "2026年12月下半月" in missing.first().subject
    with time_machine.travel("2027-01-13 08:00 +0800", tick=False):
        call_command("tick")
    due = Notice.objects.filter(key__startswith="report-due:")
    assert {n.recipient for n in due} == {leader, department_staff}
    assert "2027年1月上半月" in due.first().subject
    assert TickRun.objects.filter(ok=False).count() == 0


def test_the_overdue_count_is_working_days_and_says_it_is_provisional(town, office):
    # (22 Dec, 5 Jan]: 23, 24, 25, 28, 29, 30, 31 Dec, then 4 and 5 Jan (1 Jan is 元旦) = 9.
    problem = _assign(town, office, deadline=date(2026, 12, 22), assigned_on=date(2026, 12, 1))
    with time_machine.travel("2027-01-05 09:00 +0800", tick=False):
        warning = warning_for(problem, _today(date(2027, 1, 5)))
    assert warning.colour == Colour.RED
    assert warning.reasons[0] == "已超过整改时限2026-12-22（逾期9个工作日，暂定）"


def test_an_empty_year_cannot_be_confirmed_from_the_calendar_page(office):
    client = client_for(office)
    response = client.post(reverse("core:calendar_year", args=[2027]), {"action": "confirm"}, follow=True)
    assert "2027年还没有录入任何放假或调休日期" in response.content.decode()
    assert not CalendarYear.objects.filter(year=2027).exists()


@time_machine.travel(DECEMBER, tick=False)
def test_confirming_the_year_recomputes_every_provisional_deadline_for_review(town, office):
    counted = _assign(town, office, deadline_basis=DeadlineBasis.WORKDAYS, deadline_days=60)
    typed = _assign(town, office, description="日期", deadline=date(2027, 2, 26))
    assert counted.deadline == typed.deadline == date(2027, 2, 26)
    # The State Council's (here: a test's) arrangement: 春节 5–11 Feb off, Saturday 20 Feb worked.
    for day, name in statutory_weekdays(2027).items():
        holiday_set(actor=office, day=day, kind="holiday", name=name)
    for day in (9, 10, 11):
        holiday_set(actor=office, day=date(2027, 2, day), kind="holiday", name="春节")
    holiday_set(actor=office, day=date(2027, 2, 20), kind="workday", name="春节调休")
    client = client_for(office)
    response = client.post(reverse("core:calendar_year", args=[2027]), {"action": "confirm"}, follow=True)
    page = response.content.decode()
    # From 26 Feb's count of 60: 9, 10, 11 Feb are now off (−3) and Sat 20 Feb worked (+1), so
    # two more days are needed: Mon 1 and Tue 2 March.
    counted.refresh_from_db()
    typed.refresh_from_db()
    assert counted.deadline == date(2027, 3, 2) and counted.deadline_provisional is False
    assert typed.deadline == date(2027, 2, 26), "a date the office typed is not recounted"
    assert "1个问题的整改时限已按正式安排调整" in page
    assert 'id="calendar-recomputed"' in page and counted.number in page and "2027-03-02" in page
    step = counted.transitions.filter(action=Action.CORRECT).get()
    assert step.changes == {"deadline": {"from": "2027-02-26", "to": "2027-03-02"}}
    assert "2027年工作日历已确认" in step.reason
    assert AuditEvent.objects.filter(action="problem.deadline_recomputed", object_id=str(counted.pk)).exists()


@time_machine.travel(DECEMBER, tick=False)
def test_a_deadline_before_2004_is_refused_at_import(town):
    sheet = messy_ledger([["1", "自查", "旧账", "", "刘志强", "经济发展办", "张明", "2003年6月30日", ""]])
    plan = plan_import(sheet)
    [row] = [r for r in plan.rows if r.fields.get("description") == "旧账"]
    assert any("不能早于2004年" in e for e in row.errors)


@time_machine.travel(DECEMBER, tick=False)
def test_a_deadline_before_2004_already_stored_harms_no_page_and_no_tick(problem, office, leader, town):
    # Written before the refusal existed: straight into the table, as an old import left it.
    Problem.objects.filter(pk=problem.pk).update(deadline=date(2003, 6, 30), assigned_on=date(2003, 1, 2))
    for user in (office, leader):
        client = client_for(user)
        for url in (
            reverse("ledger:problem_list"),
            reverse("ledger:problem_detail", args=[problem.pk]),
            reverse("ledger:export"),
            reverse("home"),
            "/api/problems",
            f"/api/problems/{problem.pk}",
        ):
            assert client.get(url).status_code == 200, url
    reasons = client_for(office).get(f"/api/problems/{problem.pk}").json()["warning_reasons"]
    assert reasons[0] == "已超过整改时限2003-06-30（时限所在年度日历未确认）"
    call_command("tick")  # exits 0: a SystemExit would fail the test
    assert not TickRun.objects.filter(ok=False).exists()
    assert Notice.objects.filter(key__startswith="red:").exists()
