"""The request log never holds a resident's receipt code, in a page's path or an API's."""

from __future__ import annotations

import logging

import pytest
from django.test import Client
from django.urls import reverse

from zhenwu.suggestions.services import suggestion_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def receipt(town) -> str:
    return suggestion_submit(text="村口路灯坏了很久", village=town.village, phone="13812345678").receipt


def _logged(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "zhenwu.request"]


@pytest.mark.parametrize(
    "build, shown",
    [
        (lambda code: reverse("suggestions:public_follow", args=[code]), "/s/<code>/"),
        (lambda code: f"/api/public/suggestions/{code}", "/api/public/suggestions/<code>"),
    ],
)
def test_a_receipt_code_in_the_path_is_logged_by_its_name(caplog, receipt, build, shown):
    with caplog.at_level(logging.INFO, logger="zhenwu.request"):
        response = Client().get(build(receipt))
    assert response.status_code == 200
    [line] = _logged(caplog)
    assert f" GET {shown} 200 " in line and receipt not in line and "13812345678" not in line


def test_the_find_form_keeps_the_code_out_of_the_log(caplog, receipt):
    with caplog.at_level(logging.INFO, logger="zhenwu.request"):
        Client().post(reverse("suggestions:public_find"), {"code": receipt})
    [line] = _logged(caplog)
    assert receipt not in line and " POST /s/find/ 302 " in line
