import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from zhenwu.conftest import client_for
from zhenwu.core.actors import DEMO
from zhenwu.core.models import AuditEvent
from zhenwu.org.constants import RoleKind
from zhenwu.org.services import api_token_create, person_create, person_role_grant

pytestmark = pytest.mark.django_db


def test_people_come_masked(office, town):
    data = client_for(office).get("/api/people", {"q": "王建国"}).json()
    assert data["count"] == 1
    person = data["items"][0]
    assert person["phone"] == "138****5678"
    assert person["id_number"] == "110105********002X"
    assert person["roles"][0]["kind_label"] == "党员"


def test_token_auth_works_and_the_key_is_not_stored(office, town):
    token, key = api_token_create(actor=office, user=office, name="县平台")
    assert key not in token.key_hash
    client = Client()
    assert client.get("/api/units", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    assert client.get("/api/units", HTTP_X_API_KEY=key).status_code == 200
    assert client.get("/api/units", HTTP_AUTHORIZATION="Bearer zw_wrong").status_code == 401


def test_a_token_has_its_users_scope(department_staff, town):
    _, key = api_token_create(actor=department_staff, user=department_staff, name="部门")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get(f"/api/people/{town.member.pk}").status_code == 404
    assert [u["name"] for u in client.get("/api/units").json()["items"]] == ["经济发展办"]


def test_reveal_returns_the_full_value_and_is_audited(office, town):
    response = client_for(office).post(f"/api/people/{town.member.pk}/reveal?field=id_number")
    assert response.json() == {"field": "id_number", "value": "11010519491231002X"}
    assert AuditEvent.objects.filter(action="person.unmasked").count() == 1


def test_reveal_of_an_unknown_field_is_refused(office, town):
    response = client_for(office).post(f"/api/people/{town.member.pk}/reveal?field=name")
    assert response.status_code == 422


def test_a_leader_may_not_reveal(leader, town):
    response = client_for(leader).post(f"/api/people/{town.member.pk}/reveal?field=phone")
    assert response.status_code == 403
    assert "无权" in response.json()["detail"]


def test_writes_through_the_session_need_csrf(office, town):
    client = Client(enforce_csrf_checks=True)
    client.force_login(office)
    assert client.post(f"/api/people/{town.member.pk}/reveal?field=phone").status_code in (401, 403)


def test_the_people_list_runs_a_fixed_number_of_queries(office, town):
    client = client_for(office)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/people").status_code == 200
        return len(ctx.captured_queries)

    count()  # the first request also stamps the session
    few = count()
    for i in range(20):
        p = person_create(actor=DEMO, name=f"党员{i}", unit=town.branch)
        person_role_grant(actor=DEMO, person=p, kind=RoleKind.PARTY_MEMBER, unit=town.branch)
    assert count() == few


def test_the_openapi_description_is_served(office):
    schema = client_for(office).get("/api/openapi.json").json()
    assert schema["info"]["title"] == "镇务 Zhenwu API"
    assert "/api/people" in schema["paths"]


def test_an_absurd_page_number_is_refused_not_a_server_error(office, town):
    client = client_for(office)
    assert client.get("/api/units", {"page": 10**19}).status_code == 422
    assert client.get("/api/units", {"page": 3}).json()["items"] == []


def test_filters_outside_their_choices_are_refused_with_422(office, town):
    client = client_for(office)
    assert client.get("/api/people", {"role": "king"}).status_code == 422
    assert client.get("/api/people", {"q": "王\x00"}).status_code == 422
    assert client.get("/api/units", {"kind": "castle"}).status_code == 422
    assert client.get("/api/people", {"role": "party_member"}).json()["count"] == 2
    refused = client.get("/api/people", {"role": "king", "page": 0}).json()
    assert "身份：取值不在允许范围内" in refused["detail"]
    assert "页码：不能小于1" in refused["detail"]
    assert {e["field"] for e in refused["errors"]} == {"role", "page"}
