import warnings
from datetime import datetime

import pytest
from django.conf import settings
from django.db import connection

from zhenwu.core.models import AuditEvent
from zhenwu.lib.env import database_from_url, env_bool


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_immediate_transactions():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 1  # NORMAL
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in settings.DATABASES["default"]["OPTIONS"]["init_command"]


def test_a_file_database_really_is_in_wal_mode(tmp_path, django_db_blocker):
    from django.db.utils import ConnectionHandler

    db = dict(settings.DATABASES["default"])
    if not db["ENGINE"].endswith("sqlite3"):
        pytest.skip("SQLite only")
    db.update(NAME=tmp_path / "wal.sqlite3", TEST={})
    handler = ConnectionHandler({"default": db})
    probe = handler["default"]
    with django_db_blocker.unblock(), probe.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
    probe.close()
    assert mode == "wal"


def test_defaults_are_safe():
    assert settings.DEBUG is False
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.USE_TZ is True
    assert len(settings.SECRET_KEY) >= 40


@pytest.mark.django_db
def test_a_naive_datetime_fails_the_tests():
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(RuntimeWarning, match="naive datetime"):
            AuditEvent.objects.filter(created_at__gte=datetime(2026, 1, 1)).count()  # noqa: DTZ001


def test_env_readers_refuse_malformed_values(monkeypatch):
    monkeypatch.setenv("ZHENWU_X", "ture")
    with pytest.raises(ValueError, match="boolean"):
        env_bool("ZHENWU_X")
    assert database_from_url("postgresql://u:p%40ss@127.0.0.1:15433/zw")["PASSWORD"] == "p@ss"
    with pytest.raises(ValueError):
        database_from_url("mysql://x")
