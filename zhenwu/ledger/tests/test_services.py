from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from zhenwu.core.calendar import calendar_year_confirm, holiday_set
from zhenwu.core.models import AuditEvent
from zhenwu.ledger.constants import DeadlineBasis, ExtensionStatus, Status
from zhenwu.ledger.models import Evidence, Problem, ProgressReport
from zhenwu.ledger.services import (
    compute_deadline,
    extension_decide,
    extension_request,
    problem_accept,
    problem_apply_close,
    problem_assign,
    problem_resume,
    problem_suspend,
    problems_bulk_assign,
    report_save,
)
from zhenwu.lib.statutory import statutory_weekdays

pytestmark = pytest.mark.django_db
NOW = "2026-11-25 10:00 +0800"


def test_assignment_needs_all_three_owners_and_names_each_missing_one(pending, office):
    with pytest.raises(ValidationError) as caught:
        problem_assign(actor=office, problem=pending, leader=None, department=None, assignees=[])
    assert set(caught.value.message_dict) == {"leader", "department", "assignees"}
    assert "责任领导：必须指定" in caught.value.message_dict["leader"]
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


def test_only_the_office_assigns(pending, leader, town):
    with pytest.raises(PermissionError):
        problem_assign(
            actor=leader,
            problem=pending,
            leader=town.leader_person,
            department=town.economy_dept,
            assignees=[town.staff],
        )


def test_a_deadline_in_working_days_skips_weekends_and_holidays():
    assert compute_deadline(
        basis=DeadlineBasis.WORKDAYS, assigned_on=date(2026, 9, 30), deadline=None, days=1
    ) == (date(2026, 10, 8), False)
    assert compute_deadline(
        basis=DeadlineBasis.CALENDAR_DAYS, assigned_on=date(2026, 9, 30), deadline=None, days=1
    ) == (date(2026, 10, 1), False)


@time_machine.travel("2026-12-01 09:00 +0800", tick=False)
def test_sixty_working_days_from_december_run_into_2027_provisionally():
    # 22 working days left in December; 2027 counts weekends, 元旦 and 春节's 除夕 (Fri 5 Feb)
    # and 初三 (Mon 8 Feb) as off until the State Council's arrangement is entered.
    assert compute_deadline(
        basis=DeadlineBasis.WORKDAYS, assigned_on=date(2026, 12, 1), deadline=None, days=60
    ) == (date(2027, 2, 26), True)


@time_machine.travel("2026-12-01 09:00 +0800", tick=False)
def test_a_deadline_before_the_calendar_or_ten_years_ahead_is_refused():
    with pytest.raises(ValidationError, match="不能早于2004年"):
        compute_deadline(
            basis=DeadlineBasis.DATE, assigned_on=date(2003, 1, 1), deadline=date(2003, 6, 30), days=None
        )
    with pytest.raises(ValidationError, match="请检查年份"):
        compute_deadline(
            basis=DeadlineBasis.DATE, assigned_on=date(2026, 12, 1), deadline=date(2206, 6, 30), days=None
        )
    with pytest.raises(ValidationError, match="请检查年份"):
        compute_deadline(
            basis=DeadlineBasis.WORKDAYS, assigned_on=date(2026, 12, 1), deadline=None, days=3000
        )


def test_a_long_term_problem_has_no_deadline_and_its_own_state(pending, office, town):
    problem = problem_assign(
        actor=office,
        problem=pending,
        leader=town.leader_person,
        department=town.economy_dept,
        assignees=[town.staff],
        deadline_basis=DeadlineBasis.LONG_TERM,
    )
    assert problem.status == Status.LONG_TERM and problem.deadline is None


def test_bulk_assignment_is_all_or_nothing(office, town, pending, problem):
    with pytest.raises(ValidationError):
        problems_bulk_assign(
            actor=office,
            problems=[pending, problem],
            leader=town.leader_person,
            department=town.economy_dept,
            assignees=[town.staff],
            deadline=date(2026, 12, 31),
        )
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


@time_machine.travel(NOW, tick=False)
def test_the_leader_files_a_report_and_a_second_submission_for_the_period_is_refused(problem, leader):
    report = report_save(actor=leader, problem=problem, progress=40, done="已完成路基", submit=True)
    assert report.period_key == "2026-11-2" and not report.is_late
    problem.refresh_from_db()
    assert problem.last_report_period == "2026-11-2" and problem.last_progress == 40
    with pytest.raises(ValidationError, match="已经提交"):
        report_save(actor=leader, problem=problem, progress=50, done="再报一次")
    assert ProgressReport.objects.get(pk=report.pk).progress == 40


@time_machine.travel(NOW, tick=False)
def test_a_draft_is_edited_until_submitted(problem, department_staff):
    report_save(actor=department_staff, problem=problem, progress=10, done="草稿", submit=False)
    report = report_save(actor=department_staff, problem=problem, progress=30, done="正式", submit=True)
    assert ProgressReport.objects.filter(problem=problem).count() == 1
    assert report.progress == 30 and report.submitted_at is not None


@time_machine.travel(NOW, tick=False)
def test_a_late_report_is_accepted_and_marked_late(problem, leader):
    report = report_save(actor=leader, problem=problem, progress=20, done="补报", period_key="2026-11-1")
    assert report.is_late


@time_machine.travel(NOW, tick=False)
def test_bad_reports_are_refused_naming_the_field(problem, leader, outsider):
    with pytest.raises(ValidationError) as caught:
        report_save(actor=leader, problem=problem, progress=120, done="")
    assert set(caught.value.message_dict) == {"progress", "done"}
    with pytest.raises(ValidationError, match="格式不正确"):
        report_save(actor=leader, problem=problem, progress=10, done="x", period_key="2026-13-9")
    with pytest.raises(PermissionError):
        report_save(actor=outsider, problem=problem, progress=10, done="x")
    assert not ProgressReport.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_closed_problem_takes_no_report(problem, office, leader):
    problem_apply_close(actor=office, problem=problem, completion="完成", files=[_pdf()])
    problem_accept(actor=office, problem=problem)
    with pytest.raises(ValidationError, match="已销号"):
        report_save(actor=leader, problem=problem, progress=100, done="x")


def _pdf(name: str = "照片.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.7 ...", content_type="application/pdf")


def test_closure_without_evidence_is_refused(problem, department_staff):
    with pytest.raises(ValidationError) as caught:
        problem_apply_close(actor=department_staff, problem=problem, completion="已修好")
    assert "至少一份佐证材料" in caught.value.message_dict["files"][0]
    problem.refresh_from_db()
    assert problem.status == Status.IN_PROGRESS


@pytest.mark.parametrize(
    "name, content, words",
    [
        ("病毒.exe", b"MZ....", "类型不允许"),
        ("假照片.jpg", b"MZ....", "内容与扩展名不符"),
        ("大文件.pdf", b"%PDF-" + b"0" * (20 * 1024 * 1024), "超过20MB"),
    ],
)
def test_forbidden_or_oversized_evidence_is_refused_and_nothing_is_stored(
    problem, department_staff, name, content, words
):
    upload = SimpleUploadedFile(name, content)
    with pytest.raises(ValidationError, match=words):
        problem_apply_close(actor=department_staff, problem=problem, completion="已修好", files=[upload])
    problem.refresh_from_db()
    assert problem.status == Status.IN_PROGRESS and not Evidence.objects.exists()


def test_more_evidence_files_than_one_upload_may_carry_are_refused(problem, department_staff):
    # The count bounds one request's size, which nginx's client_max_body_size is derived from.
    files = [_pdf(f"照片{i}.pdf") for i in range(6)]
    with pytest.raises(ValidationError, match="一次最多上传5个文件，您选择了6个"):
        problem_apply_close(actor=department_staff, problem=problem, completion="已修好", files=files)
    assert not Evidence.objects.exists()
    problem_apply_close(actor=department_staff, problem=problem, completion="已修好", files=files[:5])
    assert Evidence.objects.count() == 5


def test_the_assignee_applies_and_the_office_accepts(problem, department_staff, office):
    problem_apply_close(actor=department_staff, problem=problem, completion="已硬化", files=[_pdf()])
    closed = problem_accept(actor=office, problem=problem, note="现场验收合格")
    assert closed.status == Status.CLOSED and closed.closed_on is not None
    assert Evidence.objects.get().kind == "closure"
    assert AuditEvent.objects.filter(action="problem.closed", object_id=str(problem.pk)).exists()


def test_a_stranger_can_neither_apply_nor_accept(problem, outsider, department_staff):
    with pytest.raises(PermissionError):
        problem_apply_close(actor=outsider, problem=problem, completion="x", files=[_pdf()])
    problem_apply_close(actor=department_staff, problem=problem, completion="x", files=[_pdf()])
    with pytest.raises(PermissionError):
        problem_accept(actor=department_staff, problem=problem)


def test_an_extension_needs_approval_and_keeps_the_original_date(problem, leader, office):
    extension = extension_request(
        actor=leader, problem=problem, new_deadline=date(2027, 1, 31), reason="雨季施工受阻"
    )
    problem.refresh_from_db()
    assert problem.deadline == date(2026, 12, 31)
    extension_decide(actor=office, extension=extension, approve=True)
    problem.refresh_from_db()
    assert problem.deadline == date(2027, 1, 31) and problem.original_deadline == date(2026, 12, 31)
    assert extension.__class__.objects.get().status == ExtensionStatus.APPROVED


def test_bad_extension_requests_are_refused(problem, leader, office):
    with pytest.raises(ValidationError) as caught:
        extension_request(actor=leader, problem=problem, new_deadline=date(2026, 12, 1), reason="")
    assert set(caught.value.message_dict) == {"new_deadline", "reason"}
    extension = extension_request(
        actor=leader, problem=problem, new_deadline=date(2027, 1, 31), reason="原因"
    )
    with pytest.raises(ValidationError, match="待审批"):
        extension_request(actor=leader, problem=problem, new_deadline=date(2027, 2, 28), reason="原因")
    with pytest.raises(ValidationError, match="须说明理由"):
        extension_decide(actor=office, extension=extension, approve=False)
    with pytest.raises(PermissionError):
        extension_decide(actor=leader, extension=extension, approve=True)


def test_a_suspension_stops_the_clock_and_moves_the_deadline_by_the_working_days(problem, office):
    # The office has entered 2027's statutory days and confirmed it.
    for day, name in statutory_weekdays(2027).items():
        holiday_set(actor=office, day=day, kind="holiday", name=name)
    calendar_year_confirm(actor=office, year=2027)
    problem_suspend(actor=office, problem=problem, reason="等待县国土局批复", start=date(2026, 11, 2))
    problem.refresh_from_db()
    assert problem.suspended_since == date(2026, 11, 2)
    problem_resume(actor=office, problem=problem, end=date(2026, 11, 16))  # 10 working days
    problem.refresh_from_db()
    # 2–16 Nov is 10 working days; 31 Dec + 10 working days, skipping 1 Jan, is 15 Jan.
    assert problem.deadline == date(2027, 1, 15)
    assert problem.suspended_since is None


def test_two_clerks_accepting_at_once_close_it_once(problem, office, department_staff):
    problem_apply_close(actor=department_staff, problem=problem, completion="x", files=[_pdf()])
    problem_accept(actor=office, problem=problem)
    with pytest.raises(ValidationError, match="不能执行"):
        problem_accept(actor=office, problem=Problem.objects.get(pk=problem.pk))


@time_machine.travel(NOW, tick=False)
def test_numbers_keep_counting_past_9999(office, town):
    from zhenwu.ledger.constants import Category, Source
    from zhenwu.ledger.services import problem_create

    first = problem_create(
        actor=office, source=Source.SELF_CHECK, category=Category.OTHER, description="x", number="2026-9999"
    )
    assert first.number == "2026-9999"
    nxt = problem_create(actor=office, source=Source.SELF_CHECK, category=Category.OTHER, description="y")
    assert nxt.number == "2026-10000"
