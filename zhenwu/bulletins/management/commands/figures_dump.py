from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhenwu.bulletins.dump import figures_dump_json


class Command(BaseCommand):
    help = "打印全部统计数字（每月通报数字、驾驶舱、满意率、测评计票、名册计数、各表行数、审计日志末条）为稳定的JSON，升级前后对照"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today", required=True, metavar="YYYY-MM-DD", help="按哪一天计算（必填，结果才可重复）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            today = date.fromisoformat(options["today"])
        except ValueError as exc:
            raise CommandError(f"--today：日期应写作YYYY-MM-DD，收到“{options['today']}”") from exc
        self.stdout.write(figures_dump_json(today), ending="")
