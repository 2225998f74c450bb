"""zhenwu migrate: Django's migrate, connected as the owner when ZHENWU_DATABASE_OWNER_URL is set.

On PostgreSQL the server's own role (DATABASE_URL) owns no table and cannot change the schema
(see zhenwu/core/dbroles.py); migrations run as the owner. Without the owner's URL, pending
migrations under a role that owns nothing are refused with that explanation, rather than
failing half-way with "must be owner of table".
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _

from zhenwu.core.dbroles import owner_connection


class Command(DjangoMigrate):
    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("database", DEFAULT_DB_ALIAS) != DEFAULT_DB_ALIAS:
            super().handle(*args, **options)
            return
        with owner_connection() as as_owner:
            if not as_owner:
                _refuse_when_not_owner(targeted=bool(options.get("app_label")))
            super().handle(*args, **options)


def _refuse_when_not_owner(*, targeted: bool) -> None:
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        return
    executor = MigrationExecutor(connection)
    if not targeted and not executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return  # nothing to change: the app role may run `migrate` (make run does) harmlessly
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper OR pg_get_userbyid(d.datdba) = current_user FROM pg_roles r, pg_database d "
            "WHERE r.rolname = current_user AND d.datname = current_database()"
        )
        row = cursor.fetchone()
        cursor.execute("SELECT current_user")
        user = cursor.fetchone()[0]
    if not (row and row[0]):
        raise CommandError(
            _(
                "数据库账号 %(user)s 不是数据库的所有者，不能运行迁移：请设置 ZHENWU_DATABASE_OWNER_URL"
                "（zhenwu db-roles 建立的所有者账号）后再运行 zhenwu migrate"
            )
            % {"user": user}
        )
