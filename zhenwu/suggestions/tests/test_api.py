"""The 献言献策 API: the public endpoints a WeChat mini-program would call, and the desk's."""

from __future__ import annotations

import pytest
from django.test import Client

from zhenwu.conftest import client_for
from zhenwu.suggestions.models import Suggestion
from zhenwu.suggestions.tests.conftest import close

pytestmark = pytest.mark.django_db


def _post(client: Client, url: str, body: dict):
    return client.post(url, body, content_type="application/json")


def test_a_resident_submits_follows_and_answers_through_the_api(town, office, problem, department_staff):
    client = Client()
    made = _post(
        client, "/api/public/suggestions", {"text": "红岩村三组路灯坏了", "village_id": town.village.pk}
    ).json()
    code = made["receipt"]
    assert len(code) == 9 and code[4] == "-" and made["follow_url"] == f"/s/{code.replace('-', '')}/"
    followed = client.get(f"/api/public/suggestions/{code.lower()}").json()
    assert followed["status_label"] == "已收到" and followed["may_answer"] is False
    s = Suggestion.objects.get()
    merged = _post(
        client_for(office),
        f"/api/suggestions/{s.pk}/triage",
        {"action": "merge", "problem_number": problem.number},
    )
    assert merged.status_code == 200 and merged.json()["problem_number"] == problem.number
    early = _post(client, f"/api/public/suggestions/{code}/feedback", {"verdict": "satisfied"})
    assert early.status_code == 400 and early.json()["detail"] == "评价：对应问题尚未销号，暂不能评价"
    close(problem, department_staff, office)
    assert client.get(f"/api/public/suggestions/{code}").json()["may_answer"] is True
    answered = _post(client, f"/api/public/suggestions/{code}/feedback", {"verdict": "basically"})
    assert answered.status_code == 201 and answered.json()["verdict"] == "basically"
    again = _post(client, f"/api/public/suggestions/{code}/feedback", {"verdict": "satisfied"})
    assert again.status_code == 400 and "不能重复评价" in again.json()["detail"]


def test_public_refusals_name_the_field(town):
    client = Client()
    short = _post(client, "/api/public/suggestions", {"text": "灯"})
    assert short.status_code == 400 and short.json()["detail"] == "意见建议：至少5个字"
    phone = _post(client, "/api/public/suggestions", {"text": "路灯坏了很久", "phone": "110"})
    assert phone.status_code == 400 and phone.json()["detail"].startswith("联系电话：")
    place = _post(client, "/api/public/suggestions", {"text": "路灯坏了很久", "village_id": town.branch.pk})
    assert place.json()["detail"] == "村(社区)：请选择村或社区"
    verdict = _post(client, "/api/public/suggestions/ABCDEFGH/feedback", {"verdict": "great"})
    assert verdict.status_code == 422 and verdict.json()["errors"][0]["message"].startswith("评价：")
    assert client.get("/api/public/suggestions/ABCDEFGH").status_code == 404
    assert Suggestion.objects.count() == 0


def test_the_desk_lists_masked_and_routes_without_deciding(town, office, suggestion):
    client = client_for(office)
    rows = client.get("/api/suggestions", {"status": "received"}).json()["items"]
    assert rows[0]["phone"] == "138****5678" and rows[0]["receipt"] == suggestion.receipt
    routing = client.get(f"/api/suggestions/{suggestion.pk}/routing").json()
    assert routing["by_model"] is False and isinstance(routing["departments"], list)
    assert Suggestion.objects.get().status == "received"  # routing never decides
    assert client.get(f"/api/suggestions/{suggestion.pk}/similar").status_code == 200


def test_triage_refusals(office, suggestion, problem):
    client = client_for(office)
    unknown = _post(
        client, f"/api/suggestions/{suggestion.pk}/triage", {"action": "merge", "problem_number": "X-1"}
    )
    assert unknown.status_code == 400 and unknown.json()["detail"] == "对应问题：请选择要合并到的问题"
    empty = _post(client, f"/api/suggestions/{suggestion.pk}/triage", {"action": "answer", "reply": ""})
    assert empty.json()["detail"] == "答复内容：不能为空"
    accepted = _post(
        client, f"/api/suggestions/{suggestion.pk}/triage", {"action": "accept", "category": "infrastructure"}
    )
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    twice = _post(client, f"/api/suggestions/{suggestion.pk}/triage", {"action": "decline", "reply": "重复"})
    assert twice.status_code == 400 and "已处理" in twice.json()["detail"]


def test_a_nul_byte_is_refused_naming_the_field_and_control_characters_are_dropped(town, office):
    client = Client()
    refused = _post(
        client, "/api/public/suggestions", {"text": "路灯\u0000坏了", "village_id": town.village.pk}
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "text" and "空字符" in refused.json()["detail"]
    assert not Suggestion.objects.exists()
    made = _post(
        client,
        "/api/public/suggestions",
        {"text": "三组路灯\u0007坏了好几天\u001b", "village_id": town.village.pk},
    )
    assert made.status_code == 201
    assert Suggestion.objects.get().text == "三组路灯坏了好几天"
    # Staff endpoints too, on a query string.
    assert client_for(office).get("/api/suggestions", {"q": "路灯\x00"}).status_code == 422


def test_a_retry_with_the_same_idempotency_key_gets_the_first_receipt(town):
    client = Client()
    body = {"text": "三组路灯坏了好几天", "village_id": town.village.pk}
    key = {"HTTP_IDEMPOTENCY_KEY": "5f0c2b1e-9d7a-4c3e-8b6f-0a1b2c3d4e5f"}
    first = client.post("/api/public/suggestions", body, content_type="application/json", **key).json()
    again = client.post("/api/public/suggestions", body, content_type="application/json", **key).json()
    assert again["receipt"] == first["receipt"] and Suggestion.objects.count() == 1
    other = client.post("/api/public/suggestions", body, content_type="application/json").json()
    assert other["receipt"] != first["receipt"] and Suggestion.objects.count() == 2


def test_the_public_form_carries_a_key_so_a_resend_is_one_suggestion(town):
    from django.urls import reverse

    client = Client()
    page = client.get(reverse("suggestions:public_new")).content.decode()
    key = page.split('name="submit_key" value="')[1].split('"')[0]
    assert len(key) == 32
    data = {"text": "三组路灯坏了好几天", "village": town.village.pk, "submit_key": key}
    one = client.post(reverse("suggestions:public_new"), data)
    two = client.post(reverse("suggestions:public_new"), data)
    assert one.status_code == two.status_code == 302 and one["Location"] == two["Location"]
    assert Suggestion.objects.count() == 1
