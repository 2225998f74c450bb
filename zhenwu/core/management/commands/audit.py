from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from zhenwu.core.anchors import AnchorFileError, anchor_file, anchors_read
from zhenwu.core.audit import ChainHead, audit_verify


class Command(BaseCommand):
    help = "审计日志：verify 校验哈希链（含密钥），报告第一处问题；可对照记在库外的末条和每日锚点"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])
        parser.add_argument(
            "--expect-head",
            metavar="SEQ:HASH",
            help="记在库外的末条（备份清单、每日锚点、通报上印的前12位）：链必须到达该条、哈希一致，且到此为止",
        )
        parser.add_argument(
            "--allow-later",
            action="store_true",
            help="允许预期末条之后还有记录（锚点取自运行中的系统时）",
        )
        parser.add_argument(
            "--anchors",
            metavar="FILE",
            nargs="?",
            const="",
            help="锚点文件（每行“日期 序号:哈希 时间”，tick 每日追加）：其中每一条都必须仍在链中；"
            "不写文件名则用本机的锚点文件",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        expected = None
        if options["expect_head"]:
            try:
                expected = ChainHead.parse(options["expect_head"])
            except ValueError as exc:
                raise CommandError(f"--expect-head：{exc}") from exc
        anchors = []
        if options["anchors"] is not None:
            path = Path(options["anchors"]) if options["anchors"] else anchor_file()
            try:
                anchors = anchors_read(path)
            except OSError as exc:
                raise CommandError(
                    _("--anchors：读不了锚点文件 %(path)s：%(error)s") % {"path": path, "error": exc}
                ) from exc
            except AnchorFileError as exc:
                raise CommandError(f"--anchors：{exc}") from exc
        result = audit_verify(
            expect_head=expected,
            allow_later=options["allow_later"],
            anchors=[a.expectation() for a in anchors],
        )
        if result.ok:
            self.stdout.write(f"审计日志完整：共校验 {result.checked} 条，哈希链无断裂")
            if expected is not None:
                self.stdout.write(
                    _("末条为第%(seq)s条（%(hash)s…），与预期一致")
                    % {"seq": result.head.seq, "hash": result.head.hash[:12]}
                )
            if anchors:
                self.stdout.write(
                    _("%(n)s个锚点（%(first)s至%(last)s）都在链中")
                    % {"n": len(anchors), "first": anchors[0].day, "last": anchors[-1].day}
                )
            return
        brk = result.first_break
        assert brk is not None
        message = f"审计日志第 {brk.seq} 条处断链：{brk.reason}（此前 {result.checked} 条完好）"
        others = len(result.breaks) - 1 + result.more
        if others > 0:
            listed = "、".join(str(b.seq) for b in result.breaks[1:11])
            message += _("；另有%(n)s处问题，在第%(seqs)s条") % {"n": others, "seqs": listed} + (
                "…" if others > 10 else ""
            )
        raise CommandError(message)
