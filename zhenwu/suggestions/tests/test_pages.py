"""The office's pages and the residents' follow-up page: what they show, and their query counts."""

from __future__ import annotations

import re
import subprocess

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhenwu.conftest import client_for
from zhenwu.core.models import AuditEvent, ThrottleHit
from zhenwu.ledger.models import Problem
from zhenwu.suggestions import services
from zhenwu.suggestions.models import Campaign, Suggestion
from zhenwu.suggestions.services import suggestion_submit
from zhenwu.suggestions.tests.images import png_upload

pytestmark = pytest.mark.django_db


def _many(town, n: int) -> None:
    for i in range(n):
        suggestion_submit(
            text=f"第{i}条建议：村里的事情", village=town.village, name="王大爷", phone=f"1381234{i:04d}",
            photos=[png_upload()] if i % 5 == 0 else [],
        )  # fmt: skip


def test_the_inbox_masks_residents_and_its_queries_do_not_grow(town, office):
    _many(town, 3)
    client = client_for(office)
    client.get(reverse("suggestions:inbox"))
    with CaptureQueriesContext(connection) as small:
        body = client.get(reverse("suggestions:inbox")).content.decode()
    assert len(small.captured_queries) <= 12
    assert "王*爷" in body and "138****0001" in body and "13812340001" not in body
    _many(town, 30)
    with CaptureQueriesContext(connection) as changed:  # the inbox changed: grouped again, one read
        client.get(reverse("suggestions:inbox"))
    with CaptureQueriesContext(connection) as more:
        client.get(reverse("suggestions:inbox"))
    assert len(more.captured_queries) == len(small.captured_queries)
    assert len(changed.captured_queries) == len(small.captured_queries) + 1


def test_the_inbox_filters_by_receipt_and_village(town, office, suggestion):
    client = client_for(office)
    found = client.get(
        reverse("suggestions:inbox"), {"q": f"{suggestion.receipt[:4]}-{suggestion.receipt[4:]}"}
    )
    assert suggestion.receipt in found.content.decode()
    other = client.get(reverse("suggestions:inbox"), {"q": "不存在的词"})
    assert suggestion.receipt not in other.content.decode()


def test_the_triage_page_suggests_routing_and_similar_items(town, office, suggestion, problem):
    suggestion_submit(text="红岩村三组路灯坏了两个月，晚上看不见路", village=town.village)
    body = client_for(office).get(reverse("suggestions:detail", args=[suggestion.pk])).content.decode()
    assert "建议分派" in body and "须人工确认" in body and "村镇建设" not in body  # no such department here
    assert "相似的意见建议和问题" in body and "可能" not in body
    assert "138****5678" in body


def test_accepting_carries_the_suggested_owners_to_the_assignment_page(town, office, suggestion, problem):
    # History: the office routed road and lamp problems to 经济发展办 under 刘志强 before.
    response = client_for(office).post(
        reverse("suggestions:accept", args=[suggestion.pk]),
        {"description": "红岩村三组路灯损坏", "category": "infrastructure", "village": town.village.pk,
         "department": town.economy_dept.pk, "leader": town.leader_person.pk},
    )  # fmt: skip
    made = Problem.objects.get(source="suggestion", description="红岩村三组路灯损坏")
    assert response["Location"] == (
        reverse("ledger:problem_assign", args=[made.pk])
        + f"?department={town.economy_dept.pk}&leader={town.leader_person.pk}"
    )
    page = client_for(office).get(response["Location"]).content.decode()
    assert f'<option value="{town.economy_dept.pk}" selected>' in page


def test_the_problem_page_lists_the_residents_behind_it_masked(town, office, suggestion, problem, inspector):
    suggestion.name = "王建军"
    suggestion.save()
    services.suggestion_merge(actor=office, suggestion=suggestion, problem=problem)
    body = client_for(inspector).get(reverse("ledger:problem_detail", args=[problem.pk])).content.decode()
    assert "群众意见建议" in body and suggestion.receipt in body and "王*军" in body and "王建军" not in body


def test_merging_into_an_unknown_number_is_named(office, suggestion):
    response = client_for(office).post(
        reverse("suggestions:merge", args=[suggestion.pk]), {"problem": "2026-9999"}, follow=True
    )
    assert "对应问题：找不到编号为“2026-9999”的问题" in response.content.decode()
    assert Suggestion.objects.get().status == "received"


def test_bulk_decline_from_the_inbox(town, office):
    _many(town, 3)
    ids = list(Suggestion.objects.values_list("pk", flat=True))
    client_for(office).post(
        reverse("suggestions:bulk"), {"ids": ids, "action": "decline", "reply": "不属于本镇职责"}
    )
    assert set(Suggestion.objects.values_list("status", flat=True)) == {"declined"}


def test_bulk_without_a_choice_says_so(office):
    response = client_for(office).post(
        reverse("suggestions:bulk"), {"action": "decline", "reply": "x"}, follow=True
    )
    assert "意见建议：请至少选择一条" in response.content.decode()


def test_a_made_up_receipt_is_refused_and_guessing_is_throttled(suggestion):
    client = Client(REMOTE_ADDR="10.0.0.7")
    response = client.get(reverse("suggestions:public_follow", args=["ABCD-EFGH"]))
    assert response.status_code == 404 and "没有找到“ABCD-EFGH”" in response.content.decode()
    with override_settings(ZHENWU_PUBLIC_MISSES_PER_HOUR=3):
        for _ in range(2):
            client.post(reverse("suggestions:public_find"), {"code": "ZZZZ-ZZZZ"})
        blocked = client.get(reverse("suggestions:public_follow", args=[suggestion.receipt]))
    assert blocked.status_code == 429 and "查询回执码过于频繁" in blocked.content.decode()
    assert ThrottleHit.objects.count() == 3
    # Another address is not blocked, and a good code costs nothing.
    assert (
        Client(REMOTE_ADDR="10.0.0.8")
        .get(reverse("suggestions:public_follow", args=[suggestion.receipt]))
        .status_code
        == 200
    )


def test_the_find_form_accepts_a_lowercase_code_with_spaces(suggestion):
    code = suggestion.receipt.lower()
    response = Client().post(reverse("suggestions:public_find"), {"code": f" {code[:4]} {code[4:]} "})
    assert response.status_code == 302 and response["Location"] == f"/s/{suggestion.receipt}/"
    # A code in the query string is not read: the form posts it.
    assert Client().get(reverse("suggestions:public_find"), {"code": code}).status_code == 200


def test_posters_are_one_a4_page_per_village(town, office, tmp_path):
    campaign = Campaign.objects.create(title="我为测试镇发展献言献策", starts_on="2026-11-01")
    response = client_for(office).get(reverse("suggestions:posters", args=[campaign.pk]))
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "posters.pdf"
    pdf.write_bytes(response.content)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M)  # the test town has one village
    assert "595.276 x 841.89 pts (A4)" in info


def test_campaign_dates_are_checked(office):
    response = client_for(office).post(
        reverse("suggestions:campaigns"),
        {"title": "征集", "starts_on": "2026-11-10", "ends_on": "2026-11-01"},
    )
    assert "结束日期：不能早于开始日期" in response.content.decode() and not Campaign.objects.exists()


def test_the_office_reveals_a_residents_phone_and_the_look_is_audited(town, office, leader, suggestion):
    client = client_for(office)
    page = client.get(reverse("suggestions:detail", args=[suggestion.pk])).content.decode()
    assert "138****5678" in page and "13812345678" not in page and "查看完整（记入审计日志）" in page
    before = AuditEvent.objects.count()
    shown = client.post(reverse("suggestions:contact", args=[suggestion.pk])).content.decode()
    assert "13812345678" in shown
    event = AuditEvent.objects.latest("id")
    assert AuditEvent.objects.count() == before + 1 and event.action == "person.unmasked"
    assert event.actor_id == office.pk and "13812345678" not in str(event.__dict__)
    # A leader reads the suggestion, masked, with no button, and cannot unmask it by either door.
    reader = client_for(leader)
    page = reader.get(reverse("suggestions:detail", args=[suggestion.pk])).content.decode()
    assert "138****5678" in page and "查看完整" not in page
    assert reader.post(reverse("suggestions:contact", args=[suggestion.pk])).status_code == 404
    answer = reader.post(f"/api/suggestions/{suggestion.pk}/contact", content_type="application/json")
    assert answer.status_code == 403 and answer.json()["detail"] == "当前角色无权查看完整个人信息"
    # No second unmasking; the two refused attempts are recorded as such (core.refusal_audit).
    assert AuditEvent.objects.filter(action="person.unmasked").count() == 1
    refused = AuditEvent.objects.filter(action="security.refused", actor=leader).values_list(
        "after", flat=True
    )
    assert sorted(a["status"] for a in refused) == [403, 404]
