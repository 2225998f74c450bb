from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from zhenwu.core.audit import ChainHead, audit_verify


class Command(BaseCommand):
    help = "审计日志：verify 校验哈希链，报告第一处断链"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])
        parser.add_argument(
            "--expect-head",
            metavar="SEQ:HASH",
            help="记在库外的末条（备份清单、每日锚点）：链必须到达该条、哈希一致，且到此为止",
        )
        parser.add_argument(
            "--allow-later",
            action="store_true",
            help="允许预期末条之后还有记录（锚点取自运行中的系统时）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        expected = None
        if options["expect_head"]:
            try:
                expected = ChainHead.parse(options["expect_head"])
            except ValueError as exc:
                raise CommandError(f"--expect-head：{exc}") from exc
        result = audit_verify(expect_head=expected, allow_later=options["allow_later"])
        if result.ok:
            self.stdout.write(f"审计日志完整：共校验 {result.checked} 条，哈希链无断裂")
            if expected is not None:
                self.stdout.write(
                    _("末条为第%(seq)s条（%(hash)s…），与预期一致")
                    % {"seq": result.head.seq, "hash": result.head.hash[:12]}
                )
            return
        brk = result.first_break
        assert brk is not None
        raise CommandError(f"审计日志第 {brk.seq} 条处断链：{brk.reason}（此前 {result.checked} 条完好）")
