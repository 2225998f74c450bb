"""PostgreSQL roles: an owner that runs migrations, and the app role the server connects as.

The owner of a table can do anything to it — TRUNCATE it (row triggers do not fire), disable
or drop its triggers, rewrite its rows — so the server must not connect as the owner of the
audit log. `zhenwu db-roles` sets up two roles:

- the owner (default `zhenwu_owner`) owns the database, its schema and every table; it runs
  `zhenwu migrate` and `zhenwu restore` (connecting with ZHENWU_DATABASE_OWNER_URL), and
  nothing else: the server and its cron jobs never hold its password;
- the app role (default `zhenwu_app`, DATABASE_URL) may SELECT, INSERT, UPDATE and DELETE in
  the app's tables, but on core_auditevent only INSERT and SELECT; it owns nothing, so it can
  neither TRUNCATE, ALTER nor DROP, nor switch a trigger off. Default privileges give it the
  same on tables later migrations create, and audit_table_tighten() (run by the migration
  that adds the TRUNCATE trigger, by db-roles and after a restore) takes back what default
  privileges would give on the audit table.

Every step checks the catalogue first, so running it again changes nothing and says so.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils.translation import gettext as _

from zhenwu.lib.env import database_from_url

AUDIT_TABLE = "core_auditevent"
APP_TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
# What no role but the owner may hold on the audit log (TRUNCATE empties it without row triggers).
AUDIT_REFUSED = ("UPDATE", "DELETE", "TRUNCATE", "TRIGGER", "REFERENCES")


class RoleError(Exception):
    """A refusal with its reason in Chinese."""


def owner_url() -> str:
    """The owner's connection; only `migrate`, `db-roles` and `restore` read it, never the server."""
    return os.environ.get("ZHENWU_DATABASE_OWNER_URL", "")


@contextmanager
def owner_connection() -> Iterator[bool]:
    """Inside, the default database connects as the owner when ZHENWU_DATABASE_OWNER_URL is set.

    Yields whether it does.
    """
    url = owner_url()
    if not url:
        yield False
        return
    with connected_as(url, variable="ZHENWU_DATABASE_OWNER_URL"):
        yield True


@contextmanager
def connected_as(url: str, *, variable: str) -> Iterator[None]:
    """The default connection as another account of the same database (same installation,
    other rights), for the duration of one command."""
    if connection.vendor != "postgresql":
        raise ImproperlyConfigured(f"{variable} 只用于 PostgreSQL（DATABASE_URL 未设置）")
    other = database_from_url(url)
    current = connection.settings_dict
    if other["NAME"] != current["NAME"]:
        raise ImproperlyConfigured(
            f"{variable} 指向数据库 {other['NAME']}，DATABASE_URL 指向 {current['NAME']}：须为同一个"
        )
    keys = ("USER", "PASSWORD", "HOST", "PORT")
    saved = {key: current[key] for key in keys}
    connection.close()
    current.update({key: other[key] for key in keys})
    try:
        yield
    finally:
        connection.close()
        current.update(saved)


def _ident(name: str) -> str:
    return connection.ops.quote_name(name)


def _one(cursor: Any, sql: str, params: list[Any] | None = None) -> Any:
    cursor.execute(sql, params or [])
    row = cursor.fetchone()
    return row[0] if row else None


def audit_table_tighten(cursor: Any) -> list[str]:
    """Take UPDATE, DELETE, TRUNCATE, TRIGGER and REFERENCES on the audit log from every role but
    its owner (default privileges hand them out with each new table); returns whom."""
    cursor.execute(
        """
        SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE r.rolname END
        FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee
        WHERE c.oid = %s::regclass AND a.grantee <> c.relowner AND a.privilege_type = ANY(%s)
        ORDER BY 1
        """,
        [AUDIT_TABLE, list(AUDIT_REFUSED)],
    )
    grantees = [row[0] for row in cursor.fetchall()]
    for grantee in grantees:
        who = "PUBLIC" if grantee == "PUBLIC" else _ident(grantee)
        cursor.execute(f"REVOKE {', '.join(AUDIT_REFUSED)} ON {AUDIT_TABLE} FROM {who}")
    return grantees


@dataclass(frozen=True)
class Role:
    name: str
    password: str | None  # None: leave the role's password as it is


def db_roles_apply(*, owner: Role, app: Role) -> list[str]:
    """Create or bring up to date both roles and their rights in the connected database.

    Returns what was done, one line each (never a password). Needs a superuser, or the owner
    itself when the roles exist and no password changes (after a restore, say).
    """
    if connection.vendor != "postgresql":
        raise RoleError(_("db-roles 只用于 PostgreSQL：SQLite 没有数据库账号（请设置 DATABASE_URL）"))
    if owner.name == app.name:
        raise RoleError(_("所有者账号和应用账号不能是同一个（%(name)s）") % {"name": owner.name})
    done: list[str] = []
    database = str(connection.settings_dict["NAME"])
    with transaction.atomic(), connection.cursor() as cursor:
        for role, what in ((owner, _("所有者账号")), (app, _("应用账号"))):
            done += _role(cursor, role, what)
        done += _not_member(cursor, app.name, owner.name)
        done += _owner_owns_everything(cursor, database, owner.name)
        done += _app_grants(cursor, database, owner.name, app.name)
    return done


def _role(cursor: Any, role: Role, what: str) -> list[str]:
    cursor.execute("SELECT rolsuper, rolcanlogin FROM pg_roles WHERE rolname = %s", [role.name])
    found = cursor.fetchone()
    if found and found[0]:
        raise RoleError(
            _("%(what)s %(name)s 是超级用户：请另取一个名字（超级用户不受任何权限限制）")
            % {"what": what, "name": role.name}
        )
    params: list[str] = []
    if role.password is not None:
        # Hashed here (SCRAM-SHA-256), so the password itself never reaches the server's log.
        pgconn = connection.connection.pgconn  # type: ignore[union-attr]
        params.append(
            pgconn.encrypt_password(role.password.encode(), role.name.encode(), b"scram-sha-256").decode()
        )
    flags = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS" + (
        " PASSWORD %s" if params else ""
    )
    names = {"what": what, "name": role.name}
    if not found:
        cursor.execute(f"CREATE ROLE {_ident(role.name)} {flags}", params)
        return [
            _("已创建%(what)s %(name)s") % names + (_("（已设置密码）") if params else _("（未设置密码）"))
        ]
    if params or not found[1]:
        cursor.execute(f"ALTER ROLE {_ident(role.name)} {flags}", params)
        return [
            _("已更新%(what)s %(name)s") % names + (_("（已设置新密码）") if params else _("（允许登录）"))
        ]
    return [_("%(what)s %(name)s 已存在，未改动") % names]


def _not_member(cursor: Any, app: str, owner: str) -> list[str]:
    """The app role must not act as the owner through membership."""
    done = []
    direct = _one(
        cursor,
        "SELECT count(*) FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
        "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = %s AND g.rolname = %s",
        [app, owner],
    )
    if direct:
        cursor.execute(f"REVOKE {_ident(owner)} FROM {_ident(app)}")
        done.append(_("已取消 %(app)s 在 %(owner)s 中的成员资格") % {"app": app, "owner": owner})
    if _one(cursor, "SELECT pg_has_role(%s, %s, 'MEMBER')", [app, owner]):
        raise RoleError(
            _("应用账号 %(app)s 通过其他角色仍是 %(owner)s 的成员，请先取消") % {"app": app, "owner": owner}
        )
    return done


def _owner_owns_everything(cursor: Any, database: str, owner: str) -> list[str]:
    done = []
    if (
        _one(cursor, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", [database])
        != owner
    ):
        cursor.execute(f"ALTER DATABASE {_ident(database)} OWNER TO {_ident(owner)}")
        done.append(_("数据库 %(db)s 的所有者改为 %(owner)s") % {"db": database, "owner": owner})
    if _one(cursor, "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'public'") not in (
        owner,
        "pg_database_owner",
    ):
        cursor.execute(f"ALTER SCHEMA public OWNER TO {_ident(owner)}")
        done.append(_("模式 public 的所有者改为 %(owner)s") % {"owner": owner})
    moved = 0
    # Tables first: a sequence that belongs to a column follows its table.
    for kinds, keyword in (
        (("r", "p"), "TABLE"),
        (("v",), "VIEW"),
        (("m",), "MATERIALIZED VIEW"),
        (("S",), "SEQUENCE"),
    ):
        cursor.execute(
            """
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = ANY(%s) AND pg_get_userbyid(c.relowner) <> %s
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                              AND d.objid = c.oid AND d.deptype IN ('a', 'i', 'e'))
            ORDER BY c.relname
            """,
            [list(kinds), owner],
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f"ALTER {keyword} public.{_ident(name)} OWNER TO {_ident(owner)}")
            moved += 1
    cursor.execute(
        """
        SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> %s
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                          AND d.objid = p.oid AND d.deptype = 'e')
        """,
        [owner],
    )
    for (signature,) in cursor.fetchall():
        cursor.execute(f"ALTER FUNCTION {signature} OWNER TO {_ident(owner)}")
        moved += 1
    if moved:
        done.append(_("%(n)s个表、序列和函数的所有者改为 %(owner)s") % {"n": moved, "owner": owner})
    return done


def _app_grants(cursor: Any, database: str, owner: str, app: str) -> list[str]:
    o, a = _ident(owner), _ident(app)
    cursor.execute(f"GRANT CONNECT ON DATABASE {_ident(database)} TO {a}")
    cursor.execute(f"GRANT USAGE ON SCHEMA public TO {a}")
    # Nobody but the owner creates objects in the app's schema (PostgreSQL 15's default, made sure).
    cursor.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    cursor.execute(f"GRANT {APP_TABLE_PRIVILEGES} ON ALL TABLES IN SCHEMA public TO {a}")
    cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {a}")
    cursor.execute(
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA public GRANT {APP_TABLE_PRIVILEGES} ON TABLES TO {a}"
    )
    cursor.execute(
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {a}"
    )
    tables = _one(cursor, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
    done = [_("应用账号 %(app)s 可读写 %(n)s 张表（含以后迁移新建的表）") % {"app": app, "n": tables}]
    if _one(cursor, "SELECT to_regclass(%s) IS NOT NULL", [AUDIT_TABLE]):
        audit_table_tighten(cursor)
        done.append(
            _("审计日志表 %(table)s：%(app)s 只能 INSERT 和 SELECT") % {"table": AUDIT_TABLE, "app": app}
        )
    else:
        done.append(_("尚无审计日志表：请以所有者账号运行 zhenwu migrate，迁移会收回应用账号对它的修改权限"))
    return done
