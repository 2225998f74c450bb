"""The office's work queue on its home page: every figure is the length of the list it opens.

Walks every line the modules register (core.home.register_queue), so a line added later
without a counted list here fails until it says how its list is counted.
"""

from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from zhenwu.bulletins.services import bulletin_generate
from zhenwu.conftest import client_for
from zhenwu.core.actors import RESIDENT
from zhenwu.core.home import queue_for
from zhenwu.ledger.constants import Category, Source
from zhenwu.ledger.followup import followup_submit
from zhenwu.ledger.services import (
    extension_request,
    problem_accept,
    problem_apply_close,
    problem_assign,
    problem_create,
)
from zhenwu.suggestions.services import FOLLOW_UP_CHANNEL, suggestion_submit

pytestmark = pytest.mark.django_db
NOW = "2026-11-25 10:00 +0800"

# How each list page shows the length of its list (its context, as the template prints it).
COUNTED = {
    "ledger.closures": lambda context: context["page"].paginator.count,
    "ledger.pending": lambda context: context["page"].paginator.count,
    "ledger.extensions": lambda context: context["page"].paginator.count,
    "suggestions.received": lambda context: context["page"].paginator.count,
    "suggestions.reopen": lambda context: len(context["pending"]),
    "bulletins.drafts": lambda context: len(context["bulletins"]),
}


def _owned(office, town, description: str, deadline: date = date(2026, 12, 31)):
    created = problem_create(
        actor=office, source=Source.SELF_CHECK, category=Category.OTHER, description=description
    )
    return problem_assign(
        actor=office, problem=created, leader=town.leader_person, department=town.economy_dept,
        assignees=[town.staff], deadline=deadline, assigned_on=date(2026, 11, 2),
    )  # fmt: skip


def _closure_requested(office, town, staff, description: str):
    problem = _owned(office, town, description)
    return problem_apply_close(
        actor=staff, problem=problem, completion="已完成",
        files=[SimpleUploadedFile("验收.pdf", b"%PDF-1.4 done")],
    )  # fmt: skip


@pytest.fixture
def busy_office(town, office, leader, department_staff):
    """Some of each kind of work waiting for the office, and some that is not."""
    with time_machine.travel("2026-10-20 10:00 +0800", tick=False):
        bulletin_generate(actor=office, month=date(2026, 9, 1))
    with time_machine.travel(NOW, tick=False):
        for i in range(3):
            _closure_requested(office, town, department_staff, f"待验收{i}")
        for i in range(2):
            problem_create(
                actor=office, source=Source.SELF_CHECK, category=Category.OTHER, description=f"待分派{i}"
            )
        extension_request(
            actor=leader,
            problem=_owned(office, town, "要延期"),
            new_deadline=date(2027, 1, 31),
            reason="雨季",
        )
        _owned(office, town, "正常整改中")
        closed = problem_accept(
            actor=office, problem=_closure_requested(office, town, department_staff, "已销号")
        )
        suggestion = suggestion_submit(text="村口路灯坏了一个月没人修", village=town.village)
        suggestion_submit(text="垃圾站太臭了希望搬远一点", village=town.village)
        suggestion.problem = closed
        suggestion.status = "accepted"
        suggestion.save()
        followup_submit(
            actor=RESIDENT, problem=closed, channel=FOLLOW_UP_CHANNEL.key, respondent_key=str(suggestion.pk),
            satisfaction="unsatisfied", comment="路灯还是不亮",
        )  # fmt: skip
    return office


@time_machine.travel(NOW, tick=False)
def test_every_figure_of_the_queue_equals_the_count_of_the_list_it_links_to(busy_office):
    request = RequestFactory().get("/")
    request.user = busy_office
    items = {item.key: item for item in queue_for(request)}
    assert set(items) == set(COUNTED), "each queue line needs its list's count in COUNTED"
    expected = {
        "ledger.closures": 3, "ledger.pending": 2, "ledger.extensions": 1,
        "suggestions.received": 1, "suggestions.reopen": 1, "bulletins.drafts": 1,
    }  # fmt: skip
    assert {key: item.count for key, item in items.items()} == expected
    client = client_for(busy_office)
    home = client.get(reverse("home")).content.decode()
    for key, item in items.items():
        listed = client.get(item.url)
        assert listed.status_code == 200
        assert COUNTED[key](listed.context) == item.count, key
        assert f'href="{item.url.replace("&", "&amp;")}"' in home
        assert f'data-count="{key}">{item.count}<' in home
    ledger_list = client.get(items["ledger.closures"].url).content.decode()
    assert "共 3 个问题" in ledger_list


@time_machine.travel(NOW, tick=False)
def test_only_the_office_has_a_work_queue(busy_office, leader, department_staff):
    for user in (leader, department_staff):
        page = client_for(user).get(reverse("home")).content.decode()
        assert "work-queue" not in page
    assert "work-queue" in client_for(busy_office).get(reverse("home")).content.decode()


@time_machine.travel(NOW, tick=False)
def test_the_queue_costs_a_fixed_number_of_queries(busy_office, town, office, django_assert_max_num_queries):
    client = client_for(busy_office)
    client.get(reverse("home"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    for i in range(5):
        problem_create(
            actor=office, source=Source.SELF_CHECK, category=Category.OTHER, description=f"又一个{i}"
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("home"))
