"""`zhenwu routing-report`: how well routing does on the part of the history it did not see."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from zhenwu.suggestions.routing import evaluate, history


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


class Command(BaseCommand):
    help = "Top-1 and top-3 accuracy of department routing on the newest 20% of triage decisions."

    def handle(self, *args: Any, **options: Any) -> None:
        examples = history()
        report = evaluate(examples)
        self.stdout.write(
            f"分派历史 {len(examples)} 条：训练 {report.trained} 条，留出检验 {report.held_out} 条（按时间，最新的20%）"
        )
        self.stdout.write(f"责任部门 top-1 准确率 {_pct(report.department_top1)}")
        self.stdout.write(f"责任部门 top-3 准确率 {_pct(report.department_top3)}")
        self.stdout.write(f"问题类别 top-1 准确率 {_pct(report.category_top1)}")
        self.stdout.write(f"对照：关键词规则 top-1 {_pct(report.rules_top1)}")
