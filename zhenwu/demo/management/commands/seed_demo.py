from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhenwu.demo.town import database_is_empty, seed_town


class Command(BaseCommand):
    help = "生成演示镇（××镇）：46个党组织、2767名党员、部门、领导和各角色演示账号"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="数据库已有数据时静默跳过")

    def handle(self, *args: Any, **options: Any) -> None:
        if not database_is_empty():
            if options["if_empty"]:
                self.stdout.write("数据库已有数据，跳过演示数据")
                return
            raise CommandError("数据库已有数据；演示数据只能装入空数据库")
        town = seed_town()
        self.stdout.write(self.style.SUCCESS(f"演示镇已生成：{len(town.branches)} 个支部"))
        self.stdout.write("演示账号（首次登录须修改密码）：")
        for username, password, role in town.accounts:
            self.stdout.write(f"  {role:<16} 用户名 {username:<14} 密码 {password}")
