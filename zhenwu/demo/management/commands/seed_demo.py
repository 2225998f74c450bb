from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhenwu.demo.constants import DEMO_PASSWORD
from zhenwu.demo.town import database_is_empty, demo_accounts, seed_town


class Command(BaseCommand):
    help = "生成演示镇（××镇）：46个党组织、2767名党员、部门、领导和各角色演示账号"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="数据库已有数据时静默跳过")

    def handle(self, *args: Any, **options: Any) -> None:
        if not database_is_empty():
            if options["if_empty"]:
                self.stdout.write("数据库已有数据，跳过演示数据")
                self._print_logins(demo_accounts())
                return
            raise CommandError("数据库已有数据；演示数据只能装入空数据库")
        town = seed_town()
        self.stdout.write(self.style.SUCCESS(f"演示镇已生成：{len(town.branches)} 个支部"))
        self._print_logins(town.accounts)

    def _print_logins(self, accounts: list[tuple[str, str, str]]) -> None:
        if not accounts:
            return
        self.stdout.write(f"演示账号（初始密码 {DEMO_PASSWORD}，首次登录须修改；已修改的以新密码为准）：")
        for username, _password, role in accounts:
            self.stdout.write(f"  {role:<14} 用户名 {username}")
