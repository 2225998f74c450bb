"""The office's pages on the ledger's 回访 loop: the reopen desk and the 满意率 page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhenwu.conftest import client_for
from zhenwu.ledger.constants import ReopenStatus, Status
from zhenwu.ledger.models import Problem, ReopenRequest
from zhenwu.suggestions import services
from zhenwu.suggestions.services import suggestion_submit
from zhenwu.suggestions.tests.conftest import close

pytestmark = pytest.mark.django_db


def _unhappy(town, office, problem, n: int) -> list:
    residents = []
    for i in range(n):
        s = suggestion_submit(text=f"路灯坏了第{i}盏没人修", village=town.village)
        services.suggestion_merge(actor=office, suggestion=s, problem=problem)
        residents.append(s)
    return residents


def test_the_reopen_desk_lists_pending_requests_in_a_fixed_number_of_queries(
    town, office, problem, department_staff, django_assert_max_num_queries
):
    residents = _unhappy(town, office, problem, 4)
    close(problem, department_staff, office)
    client = client_for(office)
    services.follow_up_submit(suggestion=residents[0], satisfaction="unsatisfied", comment="第一盏没修")
    with django_assert_max_num_queries(12) as one:
        page = client.get(reverse("suggestions:reopen_list"))
    assert "第一盏没修" in page.content.decode() and problem.number in page.content.decode()
    for s in residents[1:]:
        services.follow_up_submit(suggestion=s, satisfaction="unsatisfied", comment="还是黑的")
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(reverse("suggestions:reopen_list"))
    assert page.content.decode().count("还是黑的") == 3


def test_the_office_decides_on_the_desk_and_bad_input_is_named(
    town, office, leader, problem, department_staff
):
    (s,) = _unhappy(town, office, problem, 1)
    close(problem, department_staff, office)
    services.follow_up_submit(suggestion=s, satisfaction="unsatisfied")
    request = ReopenRequest.objects.get()
    url = reverse("suggestions:reopen_decide", args=[request.pk])
    assert client_for(leader).post(url, {"decision": "reopen"}).status_code == 404
    refused = client_for(office).post(url, {"decision": "keep", "note": ""})
    assert refused.status_code == 200 and "处理说明：不能为空" in refused.content.decode()
    done = client_for(office).post(url, {"decision": "reopen", "note": "责成重新整改"})
    assert done.status_code == 302 and done["Location"] == reverse("suggestions:reopen_list")
    assert ReopenRequest.objects.get().status == ReopenStatus.REOPENED
    assert Problem.objects.get(pk=problem.pk).status == Status.REOPENED


def test_the_rate_page_shows_the_ledgers_figure(town, office, problem, department_staff):
    residents = _unhappy(town, office, problem, 3)
    close(problem, department_staff, office)
    for s, said in zip(residents, ["satisfied", "unsatisfied"], strict=False):
        services.follow_up_submit(suggestion=s, satisfaction=said)
    page = client_for(office).get(reverse("suggestions:satisfaction")).content.decode()
    assert 'id="rate">50.0%' in page and "已邀请未评价" in page


def test_the_follow_page_says_what_was_done_before_asking_if_the_resident_is_satisfied(
    town, office, problem, department_staff, suggestion
):
    from django.test import Client

    services.suggestion_merge(actor=office, suggestion=suggestion, problem=problem)
    close(problem, department_staff, office)  # completion "已修复"
    body = Client().get(reverse("suggestions:public_follow", args=[suggestion.receipt])).content.decode()
    assert body.index('id="completion"') < body.index("您满意吗")
    assert "已修复" in body[body.index('id="completion"') :]


def test_the_follow_page_in_english_has_no_chinese_but_the_residents_and_offices_words(
    town, office, problem, department_staff, suggestion
):
    import re

    from django.test import Client

    services.suggestion_merge(actor=office, suggestion=suggestion, problem=problem)
    close(problem, department_staff, office)
    problem = Problem.objects.get(pk=problem.pk)
    client = Client()
    client.cookies["django_language"] = "en"
    body = client.get(reverse("suggestions:public_follow", args=[suggestion.receipt])).content.decode()
    # What people wrote stays as written; the page's own words must be English.
    for written in (
        suggestion.text,
        problem.completion,
        problem.number,
        problem.description,
        town.government.name,
        town.village.name,
    ):
        body = body.replace(written, "")
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", body, flags=re.S)
    # The language switcher names each language in itself (简体中文), as switchers do.
    body = re.sub(r'<button[^>]*lang="zh[^"]*"[^>]*>.*?</button>', "", body, flags=re.S)
    assert re.findall(r"[\u4e00-\u9fff]+", re.sub(r"<[^>]+>", " ", body)) == []
