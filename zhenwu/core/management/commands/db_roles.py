"""zhenwu db-roles: the owner and app roles on PostgreSQL (see zhenwu/core/dbroles.py)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils.translation import gettext as _

from zhenwu.core.dbroles import Role, RoleError, connected_as, db_roles_apply, owner_connection


class Command(BaseCommand):
    help = (
        "PostgreSQL：创建或更新所有者账号（拥有表、运行迁移）和应用账号（服务器用，审计日志只能追加）。"
        "以超级用户连接：--admin-url，或 ZHENWU_DATABASE_OWNER_URL / DATABASE_URL。可重复运行。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--owner", default="zhenwu_owner", help="所有者账号名（默认 zhenwu_owner）")
        parser.add_argument("--app", default="zhenwu_app", help="应用账号名（默认 zhenwu_app）")
        parser.add_argument(
            "--admin-url",
            metavar="URL",
            help="以此账号（超级用户）连接同一数据库；密码请用 PGPASSWORD，勿写在命令行",
        )
        for who in ("owner", "app"):
            parser.add_argument(
                f"--{who}-password-file",
                metavar="FILE",
                help=f"从文件读取{'所有者' if who == 'owner' else '应用'}账号的密码"
                f"（或环境变量 ZHENWU_DB_{who.upper()}_PASSWORD；都没有则不改密码）",
            )

    def handle(self, *args: Any, **options: Any) -> None:
        owner = Role(options["owner"], _password(options["owner_password_file"], "ZHENWU_DB_OWNER_PASSWORD"))
        app = Role(options["app"], _password(options["app_password_file"], "ZHENWU_DB_APP_PASSWORD"))
        try:
            if options["admin_url"]:
                with connected_as(options["admin_url"], variable="--admin-url"):
                    done = db_roles_apply(owner=owner, app=app)
            else:
                with owner_connection():
                    done = db_roles_apply(owner=owner, app=app)
        except (RoleError, ImproperlyConfigured) as exc:
            raise CommandError(str(exc)) from exc
        except DatabaseError as exc:
            raise CommandError(_("数据库拒绝了操作（请以超级用户连接）：%(error)s") % {"error": exc}) from exc
        for line in done:
            self.stdout.write(line)
        self.stdout.write(
            _(
                "服务器请用应用账号连接（DATABASE_URL=postgresql://%(app)s@…），迁移和恢复用所有者账号（ZHENWU_DATABASE_OWNER_URL）"
            )
            % {"app": app.name}
        )


def _password(path: str | None, variable: str) -> str | None:
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise CommandError(
                _("读不了密码文件 %(path)s：%(error)s") % {"path": path, "error": exc}
            ) from exc
    return os.environ.get(variable) or None
