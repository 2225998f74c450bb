import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhenwu.core.actors import IMPORT
from zhenwu.ledger.constants import RowStatus
from zhenwu.ledger.importer import SheetError, commit_import, plan_import


class Command(BaseCommand):
    help = "导入整改台账（Excel）：逐行报告规范化结果或拒绝原因；不带 --dry-run 时整表提交，要么全部导入，要么一行不导"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出逐行报告")
        parser.add_argument("--create-missing", action="store_true", help="人员名册中没有的责任人自动新建")
        parser.add_argument("--year", type=int, help="“5月底前”这类不写年份的时限所属年份（默认今年）")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        try:
            with path.open("rb") as handle:
                plan = plan_import(
                    handle, create_missing=options["create_missing"], default_year=options["year"]
                )
        except SheetError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(plan.as_json(), ensure_ascii=False, indent=1))
        else:
            self._print(plan)
        if options["dry_run"]:
            return
        try:
            created = commit_import(plan, actor=IMPORT, file_name=path.name)
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from exc
        if not options["json"]:
            self.stdout.write(self.style.SUCCESS(f"已导入 {len(created)} 个问题"))

    def _print(self, plan: Any) -> None:
        self.stdout.write(f"表头在第{plan.header_line}行；栏目：{plan.columns}")
        for row in plan.rows:
            if row.status == RowStatus.OK:
                f = row.fields
                deadline = "长期坚持" if f.get("long_term") else f.get("deadline")
                self.stdout.write(
                    f"第{row.line}行 可导入：{f['description'][:20]} | {f['leader']} | {f['department']} | "
                    f"{'、'.join(f['assignees'])} | {deadline}"
                    + (f"（{'；'.join(row.notes)}）" if row.notes else "")
                )
            elif row.status == RowStatus.SKIPPED:
                self.stdout.write(f"第{row.line}行 跳过：{'；'.join(row.notes)}")
            else:
                self.stdout.write(f"第{row.line}行 不能导入：{'；'.join(row.errors)}")
        self.stdout.write(f"合计：{plan.counts}")
