import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from zhenwu.conftest import client_for
from zhenwu.core.models import AuditEvent, Notice
from zhenwu.ledger.services import report_save

pytestmark = pytest.mark.django_db


def test_reports_due_within_two_working_days_are_reminded_once(
    problem, leader, department_staff, django_capture_on_commit_callbacks
):
    leader.email = "liu@town.example"
    leader.save(update_fields=["email"])
    # Thursday 26 Nov: the half-month ends Monday 30 Nov, 2 working days away.
    with (
        time_machine.travel("2026-11-26 08:00 +0800", tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("tick")
        call_command("tick")
    notices = Notice.objects.filter(key__startswith="report-due:")
    assert {n.recipient for n in notices} == {leader, department_staff}
    assert notices.count() == 2
    assert "2026年11月下半月" in notices.first().subject
    reminders = [m for m in mail.outbox if m.subject.startswith("【待报进度】")]
    assert len(reminders) == 1 and reminders[0].to == ["liu@town.example"]
    # One audit event per kind of notice sent: the reminders, the leader's half-monthly digest
    # (and the office's reminder that 2027's calendar is not confirmed).
    kinds = list(AuditEvent.objects.filter(action="notice.sent").values_list("object_label", flat=True))
    assert {"半月进度报告提醒", "责任领导半月督办摘要"} <= set(kinds)
    assert len(kinds) == len(set(kinds))


def test_no_reminder_once_the_report_is_in_or_when_it_is_far_off(problem, leader):
    with time_machine.travel("2026-11-17 08:00 +0800", tick=False):
        call_command("tick")  # 30 Nov is 9 working days away
        assert not Notice.objects.filter(key__startswith="report-due:").exists()
    with time_machine.travel("2026-11-26 08:00 +0800", tick=False):
        report_save(actor=leader, problem=problem, progress=50, done="过半")
        call_command("tick")
    assert not Notice.objects.filter(key__startswith="report-due:").exists()


def test_a_problem_turning_red_alerts_owners_and_the_office_once(problem, office, leader):
    with time_machine.travel("2027-01-04 08:00 +0800", tick=False):
        call_command("tick")
        call_command("tick")
    red = Notice.objects.filter(key__startswith="red:")
    assert {n.recipient for n in red} >= {office, leader}
    assert red.filter(recipient=leader).count() == 1


def test_the_inbox_shows_my_notices_and_opening_one_marks_it_read(problem, leader):
    with time_machine.travel("2026-11-26 08:00 +0800", tick=False):
        call_command("tick")
    client = client_for(leader)
    page = client.get(reverse("core:inbox")).content.decode()
    assert "【待报进度】" in page
    notice = Notice.objects.get(recipient=leader, key__startswith="report-due:")
    response = client.post(reverse("core:inbox_read", args=[notice.pk]))
    assert response["Location"] == reverse("ledger:report", args=[problem.pk])
    notice.refresh_from_db()
    assert notice.read_at is not None
