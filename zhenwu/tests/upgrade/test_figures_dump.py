"""The one-town upgrade fixture (county plan, step 0): its audit log loads and verifies.

Its figures are checked by the upgrade test (test_upgrade_one_town.py), which loads it at the
schema it was dumped from and migrates. Audit rows load as they are (see loading.py);
`loaddata` works for them too (each row is saved raw: an UPDATE matching nothing, so the
per-row triggers never fire, then an INSERT), which the audit test uses. The chain verifies
only under the key it was written with, which the tests install.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import override_settings

from zhenwu.core.audit import audit_verify
from zhenwu.core.models import AuditEvent
from zhenwu.tests.upgrade.loading import FIXTURE

HERE = Path(__file__).resolve().parent / "one_town"
TODAY = "2026-11-16"  # build_fixture.TODAY (imported there with Django settings of its own)

# Models the fixture may leave empty, each with why.
EXEMPT = {
    "admin.LogEntry": "Django's admin log: the app writes its own audit log, not this",
    "auth.Group": "groups are not used: an account's rights come from its role",
    "auth.Group_permissions": "groups are not used",
    "org.User_groups": "groups are not used",
    "org.User_user_permissions": "per-account permissions are not used: rights come from the role",
    "sessions.Session": "sessions are not data to upgrade (left out of the dump)",
    "contenttypes.ContentType": "written by migrate, left out of the dump",
    "auth.Permission": "written by migrate, left out of the dump",
}


def stored_figures() -> dict:
    return json.loads((HERE / "figures.json").read_text(encoding="utf-8"))


def audit_key() -> str:
    return (HERE / "audit_key").read_text(encoding="utf-8").strip()


@pytest.fixture
def one_town_by_loaddata(db) -> Iterator[None]:
    with override_settings(ZHENWU_AUDIT_KEY=audit_key()):
        # The registry and the log only: the modules' rows need the upgrade's own migrations
        # (a problem's town), which test_upgrade_one_town.py runs.
        call_command(
            "loaddata",
            str(FIXTURE),
            verbosity=0,
            exclude=["ledger", "suggestions", "evaluation", "bulletins"],
        )
        yield


def dump() -> str:
    out = StringIO()
    call_command("figures_dump", today=TODAY, stdout=out)
    return out.getvalue()


def test_loaddata_loads_the_audit_log_which_verifies_under_its_key_and_refuses_edits(one_town_by_loaddata):
    result = audit_verify()
    assert result.ok and str(result.head) == stored_figures()["audit"]["head"]
    assert result.checked == AuditEvent.objects.count() > 100
    # The triggers are there and fire on rows that exist: a loaded row cannot be changed.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET actor_label = 'x' WHERE seq = 1")
    with override_settings(ZHENWU_AUDIT_KEY="another-key-of-at-least-32-characters!!"):
        assert not audit_verify().ok, "the chain verifies only under the key it was written with"


def test_the_fixture_stays_small():
    assert FIXTURE.stat().st_size < 1_000_000
