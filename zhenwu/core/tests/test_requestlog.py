"""One log line per request: an id, method, path, status, time, account id — and nothing personal."""

from __future__ import annotations

import hashlib
import logging
import re

import pytest
from django.test import Client, override_settings

from zhenwu.conftest import client_for
from zhenwu.core.requestlog import client_tag

pytestmark = pytest.mark.django_db
PHONE, ID_NUMBER = "13812345678", "11010519491231002X"
LINE = re.compile(
    r"^rid=(?P<rid>\S+) (?P<method>[A-Z]+) (?P<path>\S+) (?P<status>\d{3}) (?P<ms>[\d.]+)ms user=(?P<user>\S+) client=(?P<client>\S+)$"
)


def _lines(caplog) -> list[re.Match]:
    found = [LINE.match(r.getMessage()) for r in caplog.records if r.name == "zhenwu.request"]
    assert all(found), [r.getMessage() for r in caplog.records if r.name == "zhenwu.request"]
    return found  # type: ignore[return-value]


def test_each_request_is_one_line_with_its_id_echoed(caplog, office):
    with caplog.at_level(logging.INFO, logger="zhenwu.request"):
        response = client_for(office).get("/people/")
    [line] = _lines(caplog)
    assert line["method"] == "GET" and line["path"] == "/people/" and line["status"] == "200"
    assert line["user"] == str(office.pk) and float(line["ms"]) > 0
    assert response["X-Request-ID"] == line["rid"] and re.fullmatch(r"[0-9a-f]{32}", line["rid"])


def test_the_line_holds_no_query_string_phone_id_number_address_or_name(caplog, office):
    with caplog.at_level(logging.INFO, logger="zhenwu.request"):
        client_for(office).get(f"/people/?q={PHONE}&id={ID_NUMBER}", REMOTE_ADDR="203.0.113.9")
    [line] = _lines(caplog)
    text = line.string
    for secret in (PHONE, ID_NUMBER, "203.0.113.9", "?", "q=", office.username, "赵丽"):
        assert secret not in text
    assert line["path"] == "/people/" and line["client"] == client_tag("203.0.113.9")


def test_an_anonymous_request_names_no_account_and_reads_no_session(caplog, django_assert_num_queries):
    with caplog.at_level(logging.INFO, logger="zhenwu.request"), django_assert_num_queries(0):
        Client().get("/no-such-page/")
    [line] = _lines(caplog)
    assert line["user"] == "-" and line["status"] == "404"


def test_a_trusted_proxys_request_id_is_kept_and_a_forged_one_replaced(caplog, settings):
    settings.ZHENWU_TRUSTED_PROXIES = 1
    nginx_id = "0f" * 16
    with caplog.at_level(logging.INFO, logger="zhenwu.request"):
        kept = Client().get("/login/", HTTP_X_REQUEST_ID=nginx_id)
        forged = Client().get("/login/", HTTP_X_REQUEST_ID="x y\nrid=forged")
    first, second = _lines(caplog)
    assert kept["X-Request-ID"] == nginx_id == first["rid"]
    assert forged["X-Request-ID"] == second["rid"] != "x y\nrid=forged" and "forged" not in second.string


def test_without_a_trusted_proxy_an_incoming_id_is_not_believed(caplog, settings):
    settings.ZHENWU_TRUSTED_PROXIES = 0
    response = Client().get("/login/", HTTP_X_REQUEST_ID="0f" * 16)
    assert response["X-Request-ID"] != "0f" * 16


def test_the_client_tag_tells_callers_apart_without_revealing_them():
    assert client_tag("203.0.113.9") == client_tag("203.0.113.9") != client_tag("203.0.113.10")
    # 12 hex digits keyed by the secret: not the address, and not its plain hash (which anyone
    # could compute for every address). A fixed '203' could appear in 12 random hex digits
    # (about 1 in 400), so the test does not look for the address's digits.
    tag = client_tag("203.0.113.9")
    assert re.fullmatch(r"[0-9a-f]{12}", tag)
    assert tag != hashlib.sha256(b"203.0.113.9").hexdigest()[:12]
    with override_settings(SECRET_KEY="another-secret-key-for-this-test-only-0123456789"):
        assert client_tag("203.0.113.9") != tag
    assert client_tag(None) == "-"
