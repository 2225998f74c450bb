import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhenwu.core.actors import IMPORT
from zhenwu.ledger.constants import NotStarted, RowStatus
from zhenwu.ledger.importer import Choices, ImportPlan, SheetError, commit_import, plan_import
from zhenwu.ledger.importer.directory import Directory
from zhenwu.org.constants import UnitKind
from zhenwu.org.models import Town, Unit
from zhenwu.org.services import town_for_new


class Command(BaseCommand):
    help = (
        "导入整改台账（Excel .xlsx 或 .xls）：逐行报告规范化结果、已导入的行和拒绝原因；"
        "不带 --dry-run 时整表提交，要么全部导入，要么一行不导"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出逐行报告")
        parser.add_argument("--create-missing", action="store_true", help="人员名册中没有的责任人自动新建")
        parser.add_argument(
            "--year",
            type=int,
            help="“6月底前”这类不写年份的日期所属年份（默认取台账的填报时间、标题或其他行的年份）",
        )
        parser.add_argument(
            "--not-started",
            choices=[c.value for c in NotStarted],
            help="台账写“未启动”的问题导入为 in_progress（整改中）还是 pending（待分派）",
        )
        parser.add_argument("--immediate-days", type=int, help="“立行立改”的期限：几个工作日")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="台账写法=部门",
            help="台账中的部门写法对应到哪个部门，如 --map 建设办=村镇建设办（可多次）",
        )
        parser.add_argument(
            "--remember", action="store_true", help="把 --map 的对应记为部门别名，以后自动识别"
        )
        parser.add_argument(
            "--town", default="", metavar="镇代码", help="导入到哪个镇（本系统有多个镇时必填）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        town_id = self._town(options["town"])
        choices = Choices(
            year=options["year"],
            not_started=options["not_started"] or "",
            immediate_days=options["immediate_days"],
            create_missing=options["create_missing"],
            mappings=self._mappings(town_id, options["map"]),
        )
        if options["remember"]:
            choices.remember = set(choices.mappings)
        try:
            with path.open("rb") as handle:
                plan = plan_import(handle, town_id=town_id, choices=choices)
        except SheetError as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:  # --year or --immediate-days out of range
            said = [f"--{name.replace('_', '-')} {m}" for name, ms in exc.message_dict.items() for m in ms]
            raise CommandError("；".join(said)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(plan.as_json(), ensure_ascii=False, indent=1))
        else:
            self._print(plan)
        if options["dry_run"]:
            return
        try:
            outcome = commit_import(plan, actor=IMPORT, file_name=path.name)
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from exc
        if not options["json"]:
            self.stdout.write(
                self.style.SUCCESS(f"已导入 {len(outcome.created)} 个问题，更新 {len(outcome.updated)} 个")
            )

    def _town(self, code: str) -> int:
        if code:
            town = Town.objects.filter(code=code.strip().upper()).first()
            if town is None:
                raise CommandError(f"--town {code}：没有这个镇代码")
            return town.pk
        try:
            return town_for_new(actor=IMPORT)
        except ValidationError as exc:
            raise CommandError("--town：本系统有多个镇，请用 --town 指定镇代码") from exc

    def _mappings(self, town_id: int, pairs: list[str]) -> dict[str, int]:
        directory = Directory(town_id)
        units = {u.name: u.pk for u in Unit.objects.filter(town_id=town_id, kind=UnitKind.DEPARTMENT)}
        mappings = {}
        for pair in pairs:
            text, sep, name = pair.partition("=")
            if not sep or name.strip() not in units:
                raise CommandError(f"--map {pair}：应写作“台账写法=部门名称”，部门须是组织机构中的镇政府部门")
            mappings[directory.key(text)] = units[name.strip()]
        return mappings

    def _print(self, plan: ImportPlan) -> None:
        self.stdout.write(f"工作表“{plan.sheet_name}”，表头在第{plan.header_line}行；栏目：{plan.columns}")
        if plan.year.why:
            self.stdout.write(plan.year.why)
        self.stdout.write(plan.start_why)
        for message in plan.messages:
            self.stdout.write(self.style.WARNING(message))
        for row in plan.rows:
            f = row.fields
            said = row.said
            if row.status in (RowStatus.OK, RowStatus.UPDATE):
                self.stdout.write(
                    f"第{row.lines}行 {row.label}：{f['description'][:20]} | {f.get('leader', '')} | "
                    f"{f.get('department', '')} | {'、'.join(f.get('assignees', []))} | {f.get('deadline_shown', '')} | "
                    f"{row.outcome}" + (f"（{said}）" if said else "")
                )
            else:
                self.stdout.write(f"第{row.lines}行 {row.label}：{said}")
        for question in plan.departments:
            hint = "、".join(name for _, name in question.candidates) or "无相近部门"
            self.stdout.write(
                f"部门对应：“{question.text}”（第{'、'.join(map(str, question.lines[:5]))}行）可能是：{hint}；"
                f"用 --map {question.text}=部门名称 指定"
            )
        self.stdout.write("合计：" + "，".join(f"{label}{n}行" for _, label, n in plan.badges))
