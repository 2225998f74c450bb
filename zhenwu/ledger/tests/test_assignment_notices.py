"""A problem assigned to people reaches them: the 责任领导 and each 责任人 with an account."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from zhenwu.conftest import client_for
from zhenwu.core.actors import DEMO
from zhenwu.core.constants import CoreAudit
from zhenwu.core.models import AuditEvent, Notice
from zhenwu.ledger.constants import Category, Source
from zhenwu.ledger.services import problem_assign, problem_correct_assignment, problem_create

pytestmark = pytest.mark.django_db


def _new(office):
    return problem_create(
        actor=office, source=Source.SELF_CHECK, category=Category.OTHER, description="路灯不亮"
    )


def _assigned(office, town, **extra):
    return problem_assign(
        actor=office, problem=_new(office), leader=town.leader_person, department=town.economy_dept,
        assignees=extra.pop("assignees", [town.staff]), deadline=date(2026, 12, 31), **extra,
    )  # fmt: skip


def test_the_leader_and_each_person_get_a_notice_linking_to_the_problem(
    office, leader, department_staff, town
):
    problem = _assigned(office, town)
    notices = {n.recipient: n for n in Notice.objects.filter(key__startswith="assigned:")}
    assert set(notices) == {leader, department_staff}
    mine = notices[department_staff]
    assert mine.subject == f"【新分派】{problem.number} 请您作为责任人牵头整改"
    assert notices[leader].subject == f"【新分派】{problem.number} 请您作为责任领导牵头整改"
    assert mine.url == reverse("ledger:problem_detail", args=[problem.pk])
    assert "经济发展办" in mine.body and "2026-12-31" in mine.body and "路灯不亮" in mine.body
    sent = AuditEvent.objects.filter(action=CoreAudit.REMINDER_SENT).latest("seq")
    assert sent.actor == office and sent.after == {"count": 2}
    # It arrives in their inbox.
    page = client_for(department_staff).get(reverse("core:inbox")).content.decode()
    assert f"【新分派】{problem.number}" in page


def test_a_person_who_is_leader_and_assignee_gets_one_notice_and_nobody_is_told_what_they_did(
    office, leader, town
):
    # The office clerk (赵丽) names herself; the leader is also a 责任人.
    _assigned(office, town, assignees=[town.leader_person, town.other_staff])
    notices = list(Notice.objects.filter(key__startswith="assigned:"))
    assert [n.recipient for n in notices] == [leader]
    assert notices[0].subject.endswith("请您作为责任领导、责任人牵头整改")


def test_people_without_an_account_or_inactive_are_skipped(office, town, department_staff):
    department_staff.is_active = False
    department_staff.save()
    _assigned(office, town)  # the leader has no account in this test
    assert not Notice.objects.exists()


def test_a_recorded_past_assignment_is_not_news(town, leader, department_staff):
    problem_assign(
        actor=DEMO, problem=_new(DEMO), leader=town.leader_person, department=town.economy_dept,
        assignees=[town.staff], deadline=date(2026, 12, 31), at=timezone.now() - timedelta(days=30),
        assigned_on=timezone.localdate() - timedelta(days=30),
    )  # fmt: skip
    assert not Notice.objects.exists()


def test_a_correction_tells_only_the_newly_named(office, town, leader, department_staff, branch_secretary):
    problem = _assigned(office, town)
    assert Notice.objects.count() == 2
    problem_correct_assignment(
        actor=office, problem=problem, reason="责任人调整", assignees=[town.staff, town.member]
    )
    new = Notice.objects.exclude(recipient__in=[leader, department_staff])
    assert [n.recipient for n in new] == [branch_secretary]  # 王建国, the secretary's person
    assert Notice.objects.count() == 3


def test_bulk_assignment_sends_one_notice_per_problem_and_person(office, town, department_staff):
    from zhenwu.ledger.services import problems_bulk_assign

    problems = [_new(office), _new(office)]
    problems_bulk_assign(
        actor=office, problems=problems, leader=town.leader_person, department=town.economy_dept,
        assignees=[town.staff], deadline=date(2026, 12, 31),
    )  # fmt: skip
    assert Notice.objects.filter(recipient=department_staff).count() == 2
