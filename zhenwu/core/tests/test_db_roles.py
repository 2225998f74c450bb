"""`zhenwu db-roles` on PostgreSQL: the server's role may append to the audit log and nothing else.

pytest-django creates and drops its test database as the superuser, which the app role could
not; so the suite runs as today, and these tests create the two roles on the test database,
connect as each, and try what an intruder holding the app's password would try.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from zhenwu.core.actors import DEMO
from zhenwu.core.audit import _digest, _hashed_fields, audit_record
from zhenwu.core.dbroles import audit_table_tighten, connected_as
from zhenwu.core.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("database roles are PostgreSQL's")


@dataclass
class Roles:
    owner: str
    app: str

    def url(self, role: str) -> str:
        db = connection.settings_dict
        return f"postgresql://{role}@{db['HOST']}:{db['PORT']}/{db['NAME']}"

    def connect(self, role: str) -> psycopg.Connection:
        db = connection.settings_dict
        return psycopg.connect(
            host=db["HOST"], port=db["PORT"], dbname=db["NAME"], user=role, password="", autocommit=True
        )


@pytest.fixture
def roles(monkeypatch) -> Iterator[Roles]:
    suffix = uuid.uuid4().hex[:8]
    made = Roles(f"zwt_owner_{suffix}", f"zwt_app_{suffix}")
    monkeypatch.setenv("ZHENWU_DB_APP_PASSWORD", "app-password-never-printed")
    monkeypatch.delenv("ZHENWU_DB_OWNER_PASSWORD", raising=False)
    monkeypatch.delenv("ZHENWU_DATABASE_OWNER_URL", raising=False)
    yield made
    connection.close()
    with connection.cursor() as cursor:
        for role in (made.owner, made.app):
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone():
                cursor.execute(f'REASSIGN OWNED BY "{role}" TO CURRENT_USER')
                cursor.execute(f'DROP OWNED BY "{role}"')
                cursor.execute(f'DROP ROLE "{role}"')


def _set_up(roles: Roles) -> str:
    from io import StringIO

    out = StringIO()
    call_command("db_roles", owner=roles.owner, app=roles.app, stdout=out)
    return out.getvalue()


def _record(n: int) -> None:
    with transaction.atomic():
        for i in range(n):
            audit_record(actor=DEMO, action="test.event", object_type="x", object_id=i, after={"i": i})


def _refused(conn: psycopg.Connection, sql: str) -> str:
    with pytest.raises(psycopg.Error) as caught:
        conn.execute(sql)
    return str(caught.value)


def test_db_roles_creates_both_roles_says_what_it_did_and_changes_nothing_the_second_time(roles):
    out = _set_up(roles)
    assert f"已创建所有者账号 {roles.owner}（未设置密码）" in out
    assert f"已创建应用账号 {roles.app}（已设置密码）" in out
    assert f"审计日志表 core_auditevent：{roles.app} 只能 INSERT 和 SELECT" in out
    assert "app-password-never-printed" not in out
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolname, rolsuper, rolcreaterole, rolcanlogin, rolpassword LIKE 'SCRAM-SHA-256$%%' "
            "FROM pg_authid WHERE rolname IN (%s, %s) ORDER BY rolname",
            [roles.app, roles.owner],
        )
        assert cursor.fetchall() == [
            (roles.app, False, False, True, True),
            (roles.owner, False, False, True, None),
        ]
        cursor.execute("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'core_auditevent'")
        assert cursor.fetchone() == (roles.owner,)
    again = _set_up(roles)
    assert "已创建" not in again and f"所有者账号 {roles.owner} 已存在，未改动" in again


def test_the_app_role_may_append_to_the_audit_log_and_may_not_empty_edit_or_unguard_it(roles):
    _record(2)
    _set_up(roles)
    last = AuditEvent.objects.get(seq=2)
    forged = AuditEvent(
        seq=3, created_at=timezone.now(), actor_label="app", action="test.event", object_type="x",
        object_id="3", object_label="", after={"i": 3}, prev_hash=last.hash,
    )  # fmt: skip
    forged.hash = _digest(_hashed_fields(forged))
    with roles.connect(roles.app) as app:
        app.execute(
            "INSERT INTO core_auditevent (seq, created_at, actor_label, action, object_type, object_id, "
            "object_label, after, prev_hash, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [3, forged.created_at, "app", "test.event", "x", "3", "", json.dumps({"i": 3}), forged.prev_hash, forged.hash],
        )  # fmt: skip
        assert app.execute("SELECT count(*) FROM core_auditevent").fetchone() == (3,)
        for sql in (
            "TRUNCATE core_auditevent",
            "UPDATE core_auditevent SET action = 'forged'",
            "DELETE FROM core_auditevent WHERE seq = 3",
        ):
            assert "permission denied for table core_auditevent" in _refused(app, sql)
        for sql in (
            "ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_no_update",
            "DROP TRIGGER core_auditevent_no_truncate ON core_auditevent",
            "ALTER TABLE core_auditevent OWNER TO CURRENT_USER",
            "DROP TABLE core_auditevent",
        ):
            assert "must be owner of" in _refused(app, sql)
        assert "permission denied for schema public" in _refused(app, "CREATE TABLE public.zz_mine (n int)")
        assert "permission denied to set role" in _refused(app, f'SET ROLE "{roles.owner}"')
        # Everything else the server does: ordinary reads and writes.
        app.execute("INSERT INTO core_throttlehit (scope, key, at) VALUES ('t', 'k', now())")
        app.execute("UPDATE core_throttlehit SET key = 'k2' WHERE scope = 't'")
        app.execute("DELETE FROM core_throttlehit WHERE scope = 't'")
    assert AuditEvent.objects.count() == 3


def test_the_owner_is_refused_truncate_by_the_statement_trigger(roles):
    _record(1)
    _set_up(roles)
    with roles.connect(roles.owner) as owner:
        assert "audit log is append-only" in _refused(owner, "TRUNCATE core_auditevent")
    assert AuditEvent.objects.count() == 1


def test_tables_made_later_are_granted_and_the_audit_log_is_tightened_again(roles):
    _set_up(roles)
    with roles.connect(roles.owner) as owner:
        owner.execute("CREATE TABLE public.zz_later (id serial PRIMARY KEY, n int)")
        # What default privileges do to a table the owner recreates (pg_restore does):
        owner.execute(f'GRANT UPDATE, DELETE, TRUNCATE ON core_auditevent TO "{roles.app}"')
    with roles.connect(roles.app) as app:
        app.execute("INSERT INTO zz_later (n) VALUES (1)")
        app.execute("UPDATE zz_later SET n = 2")
        app.execute("DELETE FROM zz_later")
    with transaction.atomic(), connection.cursor() as cursor:
        assert audit_table_tighten(cursor) == [roles.app]
    with roles.connect(roles.app) as app:
        assert "permission denied" in _refused(app, "TRUNCATE core_auditevent")
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE zz_later")


def test_migrate_as_a_role_that_owns_nothing_is_refused_with_the_way_out(roles):
    _set_up(roles)
    with connected_as(roles.url(roles.app), variable="test"):
        with pytest.raises(CommandError, match=f"{roles.app} 不是数据库的所有者.*ZHENWU_DATABASE_OWNER_URL"):
            call_command("migrate", "core", "0009_audit_no_truncate", verbosity=0)
        call_command("migrate", verbosity=0)  # nothing to do: harmless as the app role (make run does it)


def test_the_server_s_commands_run_as_the_app_role(roles, settings, tmp_path):
    _record(3)
    _set_up(roles)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "zhenwu.settings",
        "DATABASE_URL": roles.url(roles.app),
        "ZHENWU_VAR_DIR": str(tmp_path / "var"),
        "ZHENWU_AUDIT_KEY_FILE": str(Path(settings.VAR_DIR) / "audit_key"),
        "ZHENWU_MEDIA_ROOT": str(tmp_path / "media"),
    }
    env.pop("ZHENWU_DATABASE_OWNER_URL", None)
    for command in (["tick"], ["backup", str(tmp_path / "backups")], ["audit", "verify", "--anchors"]):
        done = subprocess.run(
            [sys.executable, "-m", "zhenwu", *command], env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, f"zhenwu {' '.join(command)}: {done.stdout}{done.stderr}"
    assert len((tmp_path / "var" / "audit-anchors.txt").read_text().splitlines()) == 1  # tick anchored
    assert AuditEvent.objects.filter(action="system.backup").exists()
