"""The audit chain's key: outside the database, generated once, re-read when the file changes."""

import os

import pytest
from django.core.exceptions import ImproperlyConfigured

from zhenwu.core.audit_key import audit_key


@pytest.fixture
def var(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.ZHENWU_AUDIT_KEY = ""
    settings.ZHENWU_AUDIT_KEY_FILE = ""
    return tmp_path


def test_a_key_is_generated_once_into_var_readable_by_the_owner_only(var):
    first = audit_key()
    path = var / "audit_key"
    assert path.read_text().strip().encode() == first and len(first) >= 32
    assert (path.stat().st_mode & 0o777) == 0o600
    assert audit_key() == first
    assert [p.name for p in var.iterdir()] == ["audit_key"]  # no staging file left behind


def test_a_replaced_key_file_is_read_again_without_a_restart(var):
    audit_key()
    path = var / "audit_key"
    path.write_text("r" * 40)  # what a restore does while the server runs
    os.utime(path, ns=(1, 1))
    assert audit_key() == b"r" * 40


def test_the_environment_and_a_named_file_come_before_var(var, settings):
    named = var / "elsewhere"
    named.write_text("f" * 40 + "\n")
    settings.ZHENWU_AUDIT_KEY_FILE = str(named)
    assert audit_key() == b"f" * 40
    settings.ZHENWU_AUDIT_KEY = "e" * 40
    assert audit_key() == b"e" * 40
    assert not (var / "audit_key").exists()


def test_a_missing_named_file_or_a_short_key_is_refused_by_name(var, settings):
    settings.ZHENWU_AUDIT_KEY_FILE = str(var / "missing")
    with pytest.raises(ImproperlyConfigured, match="ZHENWU_AUDIT_KEY_FILE .*missing 不存在"):
        audit_key()
    settings.ZHENWU_AUDIT_KEY = "short"
    with pytest.raises(ImproperlyConfigured, match="ZHENWU_AUDIT_KEY.*太短：至少 32 个字符"):
        audit_key()
