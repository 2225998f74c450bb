from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhenwu.core.audit import audit_verify


class Command(BaseCommand):
    help = "审计日志：verify 校验哈希链，报告第一处断链"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_verify()
        if result.ok:
            self.stdout.write(f"审计日志完整：共校验 {result.checked} 条，哈希链无断裂")
            return
        brk = result.first_break
        assert brk is not None
        raise CommandError(f"审计日志第 {brk.seq} 条处断链：{brk.reason}（此前 {result.checked} 条完好）")
