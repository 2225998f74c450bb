"""`zhenwu similarity-report`: how well repeated complaints are grouped, on the hand-written
residents' messages (dev to tune on, test held out), by pair precision and recall."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhenwu.suggestions.catalogue import shipped_catalogue
from zhenwu.suggestions.similarity_eval import (
    MESSAGES,
    TARGET_PRECISION,
    TARGET_RECALL,
    TUNING,
    Labelled,
    PairFigures,
    evaluate,
    load,
)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def report_lines(figures: dict[str, PairFigures]) -> list[str]:
    """The figures as printed (also for `routing-report` or a page to reuse)."""
    lines = []
    for split, f in figures.items():
        name = {"dev": "dev（调参用）", "test": "test（留出检验）", "tuning": "tuning（手写调参集）"}.get(
            split, split
        )
        lines.append(
            f"{name}：{f.messages} 条，重复对 {f.duplicate_pairs} 对；归为一组 {f.grouped_pairs} 对，"
            f"其中正确 {f.right_pairs} 对 —— 精确率 {_pct(f.precision)}，召回率 {_pct(f.recall)}；"
            f"整组找全 {f.whole}/{f.clusters} 组" + ("" if f.meets_target else "（未达目标）")
        )
    lines.append(f"目标：召回率 ≥ {TARGET_RECALL:.0%}，精确率 ≥ {TARGET_PRECISION:.0%}（以 test 为准）")
    return lines


class Command(BaseCommand):
    help = (
        "Duplicate grouping on the evaluation set: pair precision/recall and clusters found whole, per split."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--messages", type=Path, default=MESSAGES, help="the evaluation set (JSON lines)")
        parser.add_argument(
            "--file",
            type=Path,
            default=None,
            help="score this JSON-lines file alone (id, text, village, cluster, split), its splits as found;"
            " rows without a split are scored under the file's name",
        )
        parser.add_argument("--misses", action="store_true", help="list the pairs missed and wrongly grouped")
        parser.add_argument(
            "--tuning",
            type=Path,
            default=TUNING,
            help="hand-written tuning messages, scored as split 'tuning'",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        alone: Path | None = options["file"]
        path: Path = alone or options["messages"]
        if not path.exists():
            raise CommandError(f"评测集不存在：{path}")
        try:
            messages = load(path, default_split=path.stem if alone else "dev")
        except (ValueError, KeyError, TypeError) as error:
            raise CommandError(
                f"评测集格式不对（每行一条 JSON，需有 id 和 text）：{path}：{error}"
            ) from error
        tuning: Path = options["tuning"]
        if alone is None and tuning.exists():
            # The tuning set has no split of its own: it is tuned on, like dev.
            messages += [Labelled(m.id, m.text, m.village, m.cluster, "tuning") for m in load(tuning)]
        # The shipped catalogue, as a new town has it on day one: the figures do not depend
        # on the database's own edits.
        figures = evaluate(messages, catalogue=shipped_catalogue())
        self.stdout.write(
            f"重复投诉归组（评测集 {path.name}，{len(messages)} 条，每个 split 作为一个收件箱）"
        )
        for line in report_lines(figures):
            self.stdout.write(line)
        if options["misses"]:
            for f in figures.values():
                for a, b in f.missed:
                    self.stdout.write(f"  {f.split} 漏：{a} ~ {b}")
                for a, b in f.wrong:
                    self.stdout.write(f"  {f.split} 误：{a} ~ {b}")
