from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from zhenwu.core.tick import TASKS, run_tick


class Command(BaseCommand):
    help = "定时任务：提醒、预警等（幂等，可并发运行）"

    def handle(self, *args: Any, **options: Any) -> None:
        results = run_tick(timezone.now())
        if results is None:
            self.stdout.write("另一个定时任务正在运行，本次跳过")
            return
        if not TASKS:
            self.stdout.write("没有需要执行的定时任务")
        for name, count in results.items():
            self.stdout.write(f"{name}: {count}")
