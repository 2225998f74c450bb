"""`zhenwu routing-report`: how well routing does on history it did not see, and on the
hand-written residents' messages (dev to tune on, test held out)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhenwu.org.constants import UnitKind
from zhenwu.org.models import Unit
from zhenwu.suggestions.catalogue import (
    catalogue_departments,
    match_department,
    shipped,
    shipped_catalogue,
    town_catalogue,
    unmatched_offices,
)
from zhenwu.suggestions.routing import _current_models, department_names, history, rank
from zhenwu.suggestions.routing_eval import (
    MESSAGES,
    Message,
    SetFigures,
    evaluate,
    evaluate_messages,
    load_messages,
)

TARGET_TOP1 = 0.80
TARGET_TOP3 = 0.95


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _rate(hits: int, total: int) -> str:
    return f"{_pct(hits / total if total else None)}（{hits}/{total}）"


class Command(BaseCommand):
    help = (
        "Routing accuracy: top-1/top-3 on the newest 20% of triage decisions, and on the residents' "
        "messages of the evaluation set (top-1 on unambiguous ones, top-1 counting the second office, "
        "top-3, per office), dev and test."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--messages", default=str(MESSAGES), help="the evaluation set (JSON lines)")
        parser.add_argument(
            "--misses", action="store_true", help="also list the dev messages routed wrong (never test's)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self._history()
        path = Path(options["messages"])
        if not path.exists():
            raise CommandError(f"评测集不存在：{path}")
        messages = load_messages(path)
        self.stdout.write("")
        self.stdout.write(
            f"群众来信评测集 {path.name}：{len(messages)} 条（手写，dev 用于调参，其余集合留出不看错例）"
        )
        day_one = shipped_catalogue()
        self._figures(
            "派单目录（新镇第一天，无历史）",
            messages,
            lambda t: [e.office for e in rank(t, day_one)],
            options,
        )
        if Unit.objects.filter(kind=UnitKind.DEPARTMENT).exists():
            self._figures("本镇现行分派（本镇目录+本镇历史）", *self._town(messages), options)
            for office, topics in unmatched_offices().items():
                self.stdout.write(
                    f"  注意：派单目录的“{office}”在本镇没有对应部门，其{len(topics)}个事项分派时不会用到"
                )

    def _history(self) -> None:
        examples = history()
        report = evaluate(examples, town_catalogue())
        self.stdout.write(
            f"分派历史 {len(examples)} 条：训练 {report.trained} 条，留出检验 {report.held_out} 条（按时间，最新的20%）"
        )
        self.stdout.write(
            f"责任部门 top-1 准确率 {_pct(report.combined_top1)}（派单目录+本镇历史，即现行分派）"
        )
        self.stdout.write(f"责任部门 top-3 准确率 {_pct(report.combined_top3)}")
        self.stdout.write(f"问题类别 top-1 准确率 {_pct(report.category_top1)}")
        self.stdout.write(
            f"对照：只用以往记录的字符模型 top-1 {_pct(report.department_top1)}、top-3 {_pct(report.department_top3)}；"
            f"只用派单目录 top-1 {_pct(report.catalogue_top1)}"
        )

    def _town(self, messages: list[Message]) -> tuple[list[Message], Callable[[str], list[str]]]:
        """The set's offices as this town's departments, and the town's own ranking."""
        departments = catalogue_departments()
        aliases = {t.office: t.words for t in shipped()[1] if t.names_office}

        def local(office: str | None) -> str | None:
            if office is None:
                return None
            found = match_department(office, aliases.get(office, ()), departments)
            return found.name if found else office

        mapped = [
            Message(m.id, m.text, local(m.office) or m.office, local(m.second), m.split) for m in messages
        ]
        names = department_names()
        catalogue, models = town_catalogue(), _current_models()

        def ranking(text: str) -> list[str]:
            return [names[e.office] for e in rank(text, catalogue, models, names) if e.office in names]

        return mapped, ranking

    def _figures(
        self,
        title: str,
        messages: list[Message],
        ranking: Callable[[str], list[str]],
        options: dict[str, Any],
    ) -> None:
        figures = evaluate_messages(messages, ranking)
        # The splits the file has, dev first: every other split is held out (test, or a set
        # written later by someone who never saw the code, such as a blind set).
        splits = sorted(figures, key=lambda s: (s != "dev", s))
        self.stdout.write(f"\n{title}")
        self.stdout.write("  集合   条数  无歧义 top-1        含第二部门 top-1     top-3")
        for split in splits:
            f = figures[split]
            self.stdout.write(
                f"  {split:<5} {f.total:>4}  {_rate(f.top1_unambiguous, f.unambiguous):<18} "
                f"{_rate(f.top1_with_second, f.total):<18} {_rate(f.top3, f.total)}"
            )
        for split in splits:
            if split == "dev":
                continue
            held = figures[split]
            top1 = SetFigures.rate(held.top1_unambiguous, held.unambiguous) or 0.0
            top3 = SetFigures.rate(held.top3, held.total) or 0.0
            verdict = "达标" if top1 >= TARGET_TOP1 and top3 >= TARGET_TOP3 else "未达标"
            self.stdout.write(
                f"  目标（{split}）：无歧义 top-1 ≥ {TARGET_TOP1:.0%}、top-3 ≥ {TARGET_TOP3:.0%}：{verdict}"
            )
        self.stdout.write(f"  各部门 top-1（{' | '.join(splits)}）：")
        offices = sorted({o for f in figures.values() for o in f.per_office})
        for office in offices:
            cells = []
            for split in splits:
                n, hits = figures[split].per_office.get(office, [0, 0])
                cells.append(f"{hits}/{n}")
            self.stdout.write(f"    {office:<10} " + " | ".join(f"{c:>6}" for c in cells))
        if options["misses"] and "dev" in figures:
            self.stdout.write("  dev 错例：")
            for m, ranked in figures["dev"].misses:
                self.stdout.write(
                    f"    #{m.id} 应为 {m.office}（第二：{m.second or '无'}），给出 {ranked}：{m.text}"
                )
