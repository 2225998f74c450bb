"""Refused writes leave an audit event (who, where, why — not what was sent), rate-limited."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from zhenwu.conftest import client_for
from zhenwu.core.constants import CoreAudit
from zhenwu.core.models import AuditEvent, ThrottleHit

pytestmark = pytest.mark.django_db


def _refusals():
    return list(AuditEvent.objects.filter(action=CoreAudit.ACCESS_REFUSED).order_by("seq"))


def test_a_write_outside_one_s_role_is_refused_and_audited_without_the_payload(problem, department_staff):
    response = client_for(department_staff).post(
        f"/ledger/{problem.pk}/assign/", {"reason": "第三方机密内容", "department": "1"}
    )
    assert response.status_code == 404
    [event] = _refusals()
    assert event.actor == department_staff
    assert (event.object_type, event.object_id) == ("ledger:problem_assign", str(problem.pk))
    assert event.object_label == f"/ledger/{problem.pk}/assign/"
    assert event.after == {"method": "POST", "status": 404, "reason": "", "refused_in_last_minute": 1}
    assert "第三方机密内容" not in str(event.before) + str(event.after) + event.object_label


def test_a_step_the_service_refuses_is_audited_though_the_page_only_shows_a_message(problem, leader):
    response = client_for(leader).post(f"/ledger/{problem.pk}/reopen/", {"reason": "想重新打开"})
    assert response.status_code == 302  # back to the problem, with the refusal as a message
    [event] = _refusals()
    assert event.actor == leader and event.after["reason"] == "只有党政办可以重新打开问题"
    assert event.after["status"] == 302


def test_an_api_write_refused_with_403_is_audited(problem, leader):
    response = client_for(leader).post(
        f"/api/problems/{problem.pk}/correct", {"reason": "更正"}, content_type="application/json"
    )
    assert response.status_code == 403
    [event] = _refusals()
    assert event.object_type == "api:correct_assignment" and event.after["status"] == 403


def test_reads_and_callers_without_an_account_are_not_audited_as_refusals(problem, department_staff):
    assert client_for(department_staff).get(f"/ledger/{problem.pk}/assign/").status_code == 404
    assert Client().post(f"/ledger/{problem.pk}/assign/", {}).status_code == 302  # to the login page
    assert _refusals() == []


def test_a_flood_writes_one_event_per_path_a_minute_and_a_capped_number_in_all(
    problem, department_staff, settings
):
    settings.ZHENWU_AUDIT_REFUSALS_PER_MINUTE = 3
    client = client_for(department_staff)
    for _ in range(5):
        assert client.post(f"/ledger/{problem.pk}/assign/", {}).status_code == 404
    assert len(_refusals()) == 1
    for pk in range(1000, 1010):  # other paths, as someone probing ids would
        assert client.post(f"/ledger/{pk}/assign/", {}).status_code == 404
    events = _refusals()
    assert len(events) == 3 and events[-1].after["refused_in_last_minute"] == 7
    # A minute later the same user is heard again, and the event counts what came before.
    ThrottleHit.objects.filter(scope__startswith="refused").update(at=timezone.now() - timedelta(minutes=2))
    client.post(f"/ledger/{problem.pk}/assign/", {})
    assert len(_refusals()) == 4
