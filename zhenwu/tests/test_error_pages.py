"""Errors answer in Chinese, inside the application's frame, with a way back."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from zhenwu.conftest import client_for


@pytest.mark.django_db
def test_a_missing_page_is_chinese_with_the_navigation_and_a_way_back(office):
    body = client_for(office).get("/no/such/page/").content.decode()
    assert "Not Found" not in body and "页面不存在" in body
    assert 'class="navbar' in body and "回到工作台" in body and "返回上一页" in body


@pytest.mark.django_db
def test_a_resident_without_an_account_gets_ways_to_the_login_and_the_suggestion_form():
    answer = Client().get("/no/such/page/")
    body = answer.content.decode()
    assert answer.status_code == 404 and "页面不存在" in body
    assert reverse("login") in body and reverse("suggestions:public_new") in body


@pytest.mark.django_db
def test_an_expired_form_says_nothing_was_saved():
    client = Client(enforce_csrf_checks=True)
    answer = client.post(reverse("login"), {"username": "x", "password": "y"})
    assert answer.status_code == 403 and "本次提交没有保存" in answer.content.decode()


def test_the_server_error_page_needs_nothing_but_static_files():
    from django.template.loader import get_template

    body = get_template("500.html").render({})
    assert "系统出错" in body and "回到首页" in body and "javascript:" not in body


@pytest.mark.django_db
def test_a_breadcrumb_links_only_units_the_user_may_open(branch_secretary, town):
    unit = branch_secretary.unit
    body = client_for(branch_secretary).get(reverse("org:unit_detail", args=[unit.pk])).content.decode()
    parent = unit.parent
    assert parent is not None and parent.name in body
    assert reverse("org:unit_detail", args=[parent.pk]) not in body


def test_no_template_uses_a_javascript_link_the_content_policy_would_block():
    from pathlib import Path

    from django.conf import settings

    templates = Path(settings.BASE_DIR) / "templates"
    offenders = [str(p) for p in templates.rglob("*.html") if "javascript:" in p.read_text(encoding="utf-8")]
    assert offenders == []
