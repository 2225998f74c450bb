import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhenwu.conftest import client_for
from zhenwu.ledger.constants import Status
from zhenwu.ledger.models import Problem

pytestmark = pytest.mark.django_db
NOW = "2026-11-25 10:00 +0800"


@time_machine.travel(NOW, tick=False)
def test_the_list_carries_the_warning_derived_now(office, problem):
    data = client_for(office).get("/api/problems", {"colour": "yellow"}).json()
    assert data["count"] == 1
    item = data["items"][0]
    assert item["warning"] == "yellow" and "2026年11月上半月" in item["warning_reasons"][0]
    assert item["assignees"] == ["张明"] and item["leader"] == "刘志强"


def test_the_list_runs_a_fixed_number_of_queries(office, town, problem):
    client = client_for(office)
    client.get("/api/problems")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            client.get("/api/problems")
        return len(ctx.captured_queries)

    few = count()
    from zhenwu.ledger.tests.test_views import _many

    _many(office, town, 15)
    assert count() == few


def test_create_assign_report_and_refused_transition_through_the_api(office, leader, town):
    client = client_for(office)
    created = client.post(
        "/api/problems",
        {"source": "suggestion", "category": "environment", "description": "河道垃圾"},
        content_type="application/json",
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    missing = client.post(
        f"/api/problems/{pk}/assign",
        {"leader_id": 999999, "department_id": 999999, "assignee_ids": [999999], "deadline": "2026-12-31"},
        content_type="application/json",
    )
    assert missing.status_code == 400 and "责任领导：必须指定" in missing.json()["detail"]
    assigned = client.post(
        f"/api/problems/{pk}/assign",
        {
            "leader_id": town.leader_person.pk,
            "department_id": town.economy_dept.pk,
            "assignee_ids": [town.staff.pk],
            "deadline": "2026-12-31",
        },
        content_type="application/json",
    )
    assert assigned.status_code == 200 and assigned.json()["status"] == Status.IN_PROGRESS
    report = client_for(leader).post(
        f"/api/problems/{pk}/reports", {"progress": 20, "done": "清理一半"}, content_type="application/json"
    )
    assert report.status_code == 201 and report.json()["submitted"] is True
    refused = client.post(
        f"/api/problems/{pk}/transition", {"action": "reopen", "reason": "x"}, content_type="application/json"
    )
    assert refused.status_code == 400 and "不能执行" in refused.json()["detail"]
    assert Problem.objects.get(pk=pk).status == Status.IN_PROGRESS


def test_bad_input_is_refused_naming_the_field(office):
    response = client_for(office).post(
        "/api/problems",
        {"source": "rumour", "category": "other", "description": ""},
        content_type="application/json",
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "问题来源：取值不在允许范围内" in detail and "问题描述：不能为空" in detail
