"""The ledger's periodic work for `zhenwu tick`: remind owners of reports due, alert on newly red items."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from zhenwu.core.calendar import work_calendar
from zhenwu.core.engine import WORKING
from zhenwu.core.notices import Draft, notices_send
from zhenwu.core.tick import register
from zhenwu.ledger.models import Problem
from zhenwu.ledger.warnings import Today, overdue_q
from zhenwu.lib.cadence import Cadence, period_containing
from zhenwu.lib.workdays import CalendarNotCovered
from zhenwu.org.models import User


def _owners(problem: Problem, accounts: dict[int, int]) -> set[int]:
    people = {problem.leader_id, *(a.pk for a in problem.assignees.all())}
    return {accounts[p] for p in people if p in accounts}


def _accounts() -> dict[int, int]:
    """person id → account id, for the people who have an account."""
    return dict(User.objects.filter(person__isnull=False, is_active=True).values_list("person_id", "id"))


@register("ledger.report_reminders")
def report_reminders(now: datetime) -> int:
    """Owners of working problems whose report for this period is still missing, N working days before due."""
    today = timezone.localtime(now).date()
    calendar = work_calendar()
    accounts = _accounts()
    drafts = []
    problems = (
        Problem.objects.filter(status__in=WORKING, suspended_since__isnull=True)
        .exclude(cadence=Cadence.NONE)
        .prefetch_related("assignees")
    )
    for problem in problems:
        period = period_containing(today, Cadence(problem.cadence))
        if problem.last_report_period >= period.key:
            continue
        try:
            left = calendar.workdays_between(today, period.due)
        except CalendarNotCovered:
            continue
        if left > settings.ZHENWU_REMIND_WORKDAYS:
            continue
        for account in _owners(problem, accounts):
            drafts.append(
                Draft(
                    recipient_id=account,
                    key=f"report-due:{problem.pk}:{period.key}:{account}",
                    subject=f"【待报进度】{problem.number} {period.label}报告请于{period.due:%m月%d日}前报送",
                    body=problem.description,
                    url=reverse("ledger:report", args=[problem.pk]),
                )
            )
    return notices_send(drafts, reason="半月进度报告提醒")


@register("ledger.red_alerts")
def red_alerts(now: datetime) -> int:
    """Owners (and the office) when a problem turns red; again only if its deadline changes."""
    today = Today.build(timezone.localtime(now).date(), work_calendar())
    accounts = _accounts()
    office = list(User.objects.filter(role__in=("office",), is_active=True).values_list("id", flat=True))
    drafts = []
    for problem in Problem.objects.filter(overdue_q(today)).prefetch_related("assignees"):
        for account in _owners(problem, accounts) | set(office):
            drafts.append(
                Draft(
                    recipient_id=account,
                    key=f"red:{problem.pk}:{problem.deadline}:{account}",
                    subject=f"【红牌】{problem.number} 已超过整改时限{problem.deadline}",
                    body=problem.description,
                    url=reverse("ledger:problem_detail", args=[problem.pk]),
                )
            )
    return notices_send(drafts, reason="逾期红牌预警")
