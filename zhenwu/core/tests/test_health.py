"""/healthz and /readyz: for a load balancer, outside sessions, logins and the request log."""

from __future__ import annotations

import logging
import time

import pytest
from django.db import OperationalError
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client

from zhenwu.conftest import client_for
from zhenwu.core import health
from zhenwu.core.models import AuditEvent


@pytest.fixture(autouse=True)
def _recheck_migrations(monkeypatch):
    monkeypatch.setattr(health, "_migrations_complete", False)


def test_healthz_answers_ok_without_touching_the_database():
    # No django_db mark: any query would raise here.
    response = Client().get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"
    assert response["Cache-Control"] == "no-store"


def test_healthz_answers_a_load_balancer_probing_by_address():
    # The Host header is not in ALLOWED_HOSTS: a probe by IP still gets its answer, not a 400.
    assert Client(HTTP_HOST="10.1.2.3:8000").get("/healthz").status_code == 200


@pytest.mark.django_db
def test_readyz_checks_the_database_and_the_migrations():
    response = Client().get("/readyz")
    assert response.status_code == 200 and response.content == b"ok"


@pytest.mark.django_db
def test_readyz_is_not_ready_while_a_migration_is_unapplied():
    MigrationRecorder.Migration.objects.filter(app="core").order_by("-id").first().delete()
    response = Client().get("/readyz")
    assert response.status_code == 503 and b"migrations not applied: 1" in response.content


@pytest.mark.django_db
def test_readyz_is_not_ready_when_the_database_does_not_answer(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(health.connection, "cursor", refuse)
    response = Client().get("/readyz")
    assert response.status_code == 503 and response.content == b"database unavailable"


@pytest.mark.django_db
def test_readyz_reads_the_migrations_once_it_found_them_complete(django_assert_num_queries):
    Client().get("/readyz")
    with django_assert_num_queries(1):  # SELECT 1, and nothing else
        assert Client().get("/readyz").status_code == 200


@pytest.mark.django_db
def test_probes_skip_the_idle_timeout_and_leave_no_trace(office, settings, caplog):
    client = client_for(office)
    session = client.session
    session["zhenwu_last_seen"] = int(time.time()) - 24 * 3600  # long idle: any page would log out
    session.save()
    before = AuditEvent.objects.count()
    with caplog.at_level(logging.INFO, logger="zhenwu.request"):
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200
    assert AuditEvent.objects.count() == before  # no session-expired event: the session was not read
    assert not [r for r in caplog.records if r.name == "zhenwu.request"]
    # The same session on a page is logged out, so the probe really did skip the timeout.
    assert client.get("/").status_code == 302
