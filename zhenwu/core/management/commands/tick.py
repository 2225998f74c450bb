from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from zhenwu.core.tick import TASKS, TaskFailed, run_tick


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
        failed = [name for name, count in results.items() if isinstance(count, TaskFailed)]
        if failed:
            # Non-zero so cron/systemd report it, after every other task has run.
            self.stderr.write(f"定时任务失败：{'、'.join(failed)}（详见日志；其余任务已照常执行）")
            raise SystemExit(1)
