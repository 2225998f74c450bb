"""The people picker on the ledger's forms: the pages list no town, a posted id outside the
user's scope is refused by the field's name, and the form works without JavaScript."""

import pytest
from django.urls import reverse

from zhenwu.conftest import SYSTEM, client_for
from zhenwu.ledger.constants import Category, Source, Status
from zhenwu.ledger.forms import AssignForm
from zhenwu.ledger.models import Problem
from zhenwu.ledger.services import problem_create
from zhenwu.org.services import person_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(office):
    return problem_create(
        actor=office, source=Source.SELF_CHECK, category=Category.OTHER, description="路灯不亮"
    )


def _assign(town, **extra):
    return {
        "leader": town.leader_person.pk, "department": town.economy_dept.pk, "assignees": [town.staff.pk],
        "deadline_basis": "date", "deadline": "2026-12-31", "cadence": "half_monthly", **extra,
    }  # fmt: skip


def test_the_assign_page_lists_no_one_until_asked(office, town, pending):
    html = client_for(office).get(reverse("ledger:problem_assign", args=[pending.pk])).content.decode()
    assert "data-picker" in html and html.count("data-picker ") == 3  # 责任领导, 责任人, 验收人
    for person in (town.member, town.other_member, town.staff):
        assert person.name not in html  # no select of the whole town
    assert reverse("org:people_pick") in html


def test_an_id_outside_the_scope_is_refused_naming_the_field(office, town, pending):
    client = client_for(office)
    url = reverse("ledger:problem_assign", args=[pending.pk])
    answer = client.post(url, _assign(town, assignees=[town.staff.pk, 999999]))
    assert "责任人：编号为999999的人员不在可选范围内" in answer.content.decode()
    # The 责任领导 picker offers the town's leaders: a clerk is not one.
    answer = client.post(url, _assign(town, leader=town.staff.pk))
    assert f"责任领导：编号为{town.staff.pk}的人员不在可选范围内" in answer.content.decode()
    answer = client.post(url, _assign(town, acceptor="abc"))
    assert "验收人：编号为abc的人员不在可选范围内" in answer.content.decode()
    assert Problem.objects.get(pk=pending.pk).status == Status.PENDING


def test_the_form_checks_the_scope_of_the_user_it_serves(department_staff, town):
    # The same form for a department clerk: another department's person is out of their reach.
    form = AssignForm(_assign(town, assignees=[town.other_staff.pk]), user=department_staff)
    assert not form.is_valid()
    assert form.errors["assignees"] == [f"责任人：编号为{town.other_staff.pk}的人员不在可选范围内"]
    assert AssignForm(_assign(town, leader=""), user=department_staff).is_valid()


def test_without_javascript_the_search_button_lists_matches_to_tick_then_the_form_submits(
    office, town, pending
):
    namesake = person_create(
        actor=SYSTEM, name="张明", phone="13511113333", unit=town.village, title="村委委员"
    )
    client = client_for(office)
    url = reverse("ledger:problem_assign", args=[pending.pk])
    # 搜索 (no JS): the page comes back with both 张明 as options to tick, nothing assigned.
    data = _assign(town, assignees=[], _pick="assignees", assignees__q="zm")
    html = client.post(url, data).content.decode()
    assert Problem.objects.get(pk=pending.pk).status == Status.PENDING
    assert "“zm”的搜索结果" in html
    for person in (town.staff, namesake):
        assert f'name="assignees" value="{person.pk}" id="id_assignees-found-{person.pk}">' in html
    assert "红岩村村民委员会 · 村委委员" in html and "135****3333" in html
    # The economy office was chosen: its 张明 is listed first.
    assert html.index(f'value="{town.staff.pk}" id="id_assignees-found') < html.index(
        f'value="{namesake.pk}" id="id_assignees-found'
    )
    # Ticking the village's 张明 and submitting (the box still says zm; 提交 is not 搜索) assigns.
    answer = client.post(url, _assign(town, assignees=[namesake.pk], assignees__q="zm", submit="final"))
    assert answer.status_code == 302
    assert list(Problem.objects.get(pk=pending.pk).assignees.all()) == [namesake]


def test_the_correct_page_shows_the_current_owners_checked(office, town, problem):
    html = client_for(office).get(reverse("ledger:correct", args=[problem.pk])).content.decode()
    assert f'name="assignees" value="{town.staff.pk}" id="id_assignees-{town.staff.pk}" checked>' in html
    assert (
        f'name="leader" value="{town.leader_person.pk}" id="id_leader-{town.leader_person.pk}" checked>'
        in html
    )
    assert 'name="acceptor" value="" id="id_acceptor-none" checked>' in html


def test_the_bulk_page_uses_the_same_picker_and_scope(office, town, pending):
    client = client_for(office)
    html = client.get(reverse("ledger:bulk_assign")).content.decode()
    assert html.count("data-picker ") == 3 and town.member.name not in html
    # The same people as one problem's page: a village committee member may be picked here too.
    answer = client.post(
        reverse("ledger:bulk_assign"), {**_assign(town, assignees=[town.member.pk]), "problems": [pending.pk]}
    )
    assert answer.status_code == 302
    assert list(Problem.objects.get(pk=pending.pk).assignees.all()) == [town.member]
    answer = client.post(
        reverse("ledger:bulk_assign"), {**_assign(town, assignees=[888888]), "problems": [pending.pk]}
    )
    assert "责任人：编号为888888的人员不在可选范围内" in answer.content.decode()


def test_the_triage_desks_suggested_leader_is_the_same_picker(office, town):
    from zhenwu.suggestions.services import suggestion_submit

    suggestion = suggestion_submit(text="红岩村路灯坏了很久", village=town.village)
    client = client_for(office)
    url = reverse("suggestions:accept", args=[suggestion.pk])
    assert client.get(url).content.decode().count("data-picker ") == 1
    data = {"description": "红岩村路灯坏了很久", "category": "infrastructure", "leader": town.staff.pk}
    refused = client.post(url, data).content.decode()
    assert f"建议责任领导：编号为{town.staff.pk}的人员不在可选范围内" in refused
    accepted = client.post(url, {**data, "leader": town.leader_person.pk})
    assert accepted.status_code == 302 and f"leader={town.leader_person.pk}" in accepted["Location"]
