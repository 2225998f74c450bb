"""The ledger's periodic work for `zhenwu tick`: remind owners of reports due, alert on newly red items."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from zhenwu.core.calendar import work_calendar
from zhenwu.core.notices import Draft, notices_send
from zhenwu.core.tick import register
from zhenwu.ledger.constants import OPEN
from zhenwu.ledger.importer import IMPORTS_FOLDER, PENDING_IMPORT_HOURS
from zhenwu.ledger.models import Problem
from zhenwu.ledger.rules import (
    FACT_FIELDS,
    Facts,
    Today,
    Warning,
    overdue_q,
    report_due_now,
    report_due_now_q,
    report_missing,
    report_missing_q,
    warning_for,
)
from zhenwu.lib.cadence import Cadence, period_containing
from zhenwu.lib.workdays import CalendarNotCovered
from zhenwu.org.models import User
from zhenwu.org.selectors import office_account_ids


def _owners(problem: Problem, accounts: dict[int, int]) -> set[int]:
    people = {problem.leader_id, *(a.pk for a in problem.assignees.all())}
    return {accounts[p] for p in people if p in accounts}


def _accounts() -> dict[int, int]:
    """person id → account id, for the people who have an account."""
    return dict(User.objects.filter(person__isnull=False, is_active=True).values_list("person_id", "id"))


@register("ledger.report_reminders")
def report_reminders(now: datetime) -> int:
    """Owners of working problems whose report is owed: N working days before this period's
    report is due, and once (催报) when the period just ended passed without one."""
    today = Today.build(timezone.localtime(now).date(), work_calendar())
    calendar = today.calendar
    accounts = _accounts()
    drafts: list[Draft] = []
    for problem in Problem.objects.filter(report_due_now_q(today)).prefetch_related("assignees"):
        period = report_due_now(Facts.of(problem), today)
        if period is None:
            continue
        try:
            left = calendar.workdays_between(today.day, period.due)
        except CalendarNotCovered:
            continue
        if left > settings.ZHENWU_REMIND_WORKDAYS:
            continue
        subject = f"【待报进度】{problem.number} {period.label}报告请于{period.due:%m月%d日}前报送"
        drafts += _report_drafts(
            problem, accounts, key=f"report-due:{problem.pk}:{period.key}", subject=subject
        )
    for problem in Problem.objects.filter(report_missing_q(today)).prefetch_related("assignees"):
        missed = report_missing(Facts.of(problem), today)
        if missed is None:
            continue
        subject = f"【缺报】{problem.number} {missed.label}进度报告未按期报送，请尽快补报"
        drafts += _report_drafts(
            problem, accounts, key=f"report-missing:{problem.pk}:{missed.key}", subject=subject
        )
    return notices_send(drafts, reason="半月进度报告提醒")


def _report_drafts(problem: Problem, accounts: dict[int, int], *, key: str, subject: str) -> list[Draft]:
    """One notice per owner with an account, pointing at the report form."""
    url = reverse("ledger:report", args=[problem.pk])
    return [
        Draft(
            recipient_id=account, key=f"{key}:{account}", subject=subject, body=problem.description, url=url
        )
        for account in _owners(problem, accounts)
    ]


@register("ledger.red_alerts")
def red_alerts(now: datetime) -> int:
    """Owners (and the town's office) when a problem turns red; again only if its deadline changes."""
    today = Today.build(timezone.localtime(now).date(), work_calendar())
    accounts = _accounts()
    offices = office_account_ids()
    drafts = []
    for problem in Problem.objects.filter(overdue_q(today)).prefetch_related("assignees"):
        for account in _owners(problem, accounts) | set(offices.get(problem.town_id, ())):
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


@register("ledger.leader_digests")
def leader_digests(now: datetime) -> int:
    """Each half-month, each responsible leader gets one digest: open items by colour, what is
    due this period, what is missing. Keyed by leader and period, so it is sent once."""
    try:
        today = Today.build(timezone.localtime(now).date(), work_calendar())
    except CalendarNotCovered:
        return 0
    period = period_containing(today.day, Cadence.HALF_MONTHLY)
    accounts = _accounts()
    by_leader: dict[int, list[tuple[Problem, Warning]]] = {}
    open_items = Problem.objects.filter(status__in=OPEN, leader_id__in=accounts.keys()).order_by(
        "deadline", "number"
    )
    for problem in open_items.only(*DIGEST_FIELDS):
        by_leader.setdefault(problem.leader_id, []).append((problem, warning_for(problem, today)))  # type: ignore[arg-type]
    drafts = []
    for leader_id, items in by_leader.items():
        colours = Counter(w.colour for _p, w in items)
        due = [p for p, _w in items if report_due_now(Facts.of(p), today) is not None]
        missing = [p for p, _w in items if report_missing(Facts.of(p), today) is not None]
        lines = [
            f"{p.number} {w.label or '正常'} 时限{p.deadline or '长期'} {p.description[:24]}"
            for p, w in items[:30]
        ]
        body = (
            f"您牵头的未办结问题{len(items)}个：红{colours.get('red', 0)}、黄{colours.get('yellow', 0)}、"
            f"蓝{colours.get('blue', 0)}。本期（{period.label}）待报进度{len(due)}个，缺报{len(missing)}个。\n"
            + "\n".join(lines)
        )
        drafts.append(
            Draft(
                recipient_id=accounts[leader_id],
                key=f"digest:{leader_id}:{period.key}",
                subject=f"【半月督办】{period.label}：未办结{len(items)}个，红{colours.get('red', 0)}个",
                body=body,
                url=reverse("ledger:problem_list") + f"?leader={leader_id}",
            )
        )
    return notices_send(drafts, reason="责任领导半月督办摘要")


# What a digest line prints, plus the facts its warning needs (the rules name those).
DIGEST_FIELDS = ("id", "number", "description", "last_progress", "leader_id", *FACT_FIELDS)


@register("ledger.pending_imports_cleanup")
def pending_imports_cleanup(now: datetime) -> int:
    """Delete uploaded sheets never confirmed (a preview abandoned): they hold names and phones."""
    folder = Path(settings.MEDIA_ROOT) / IMPORTS_FOLDER
    if not folder.is_dir():
        return 0
    cutoff = now.timestamp() - PENDING_IMPORT_HOURS * 3600
    removed = 0
    # Each town's uploads wait in their own folder (ledger.import_views._folder); those left at
    # the top were uploaded before the towns.
    kinds = ("*.xlsx", "*.xls", "*.progress")
    for path in (
        *(p for k in kinds for p in folder.glob(k)),
        *(p for k in kinds for p in folder.glob(f"*/{k}")),
    ):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
