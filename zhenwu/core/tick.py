"""Periodic work run by `zhenwu tick` (cron or a systemd timer, on every node).

Apps register idempotent tasks here in their AppConfig.ready(). A task must be safe to
run twice: it records what it has done (an outbox row with a unique key, say) and skips
what is already done. Each task runs in isolation: one that raises is logged and recorded
(TickRun) and the others still run, so a bad row in one app never stops every reminder.
The command holds a lock so two ticks never overlap: an advisory
lock on PostgreSQL (works across nodes), a file lock on SQLite (one node by definition).
"""

from __future__ import annotations

import fcntl
import logging
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone

logger = logging.getLogger(__name__)

TickTask = Callable[[datetime], int]
TASKS: dict[str, TickTask] = {}
_TICK_LOCK_KEY = 7_468_302


def register(name: str) -> Callable[[TickTask], TickTask]:
    def decorator(task: TickTask) -> TickTask:
        TASKS[name] = task
        return task

    return decorator


@contextmanager
def tick_lock() -> Iterator[bool]:
    """Yields True when this process holds the lock, False when another tick is running."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [_TICK_LOCK_KEY])
            acquired = bool(cursor.fetchone()[0])
        try:
            yield acquired
        finally:
            if acquired:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [_TICK_LOCK_KEY])
        return
    lock_path = settings.VAR_DIR / "tick.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass(frozen=True)
class TaskFailed:
    """What a task raised; run_tick goes on with the next task."""

    error: str

    def __str__(self) -> str:
        return f"失败：{self.error}"


def run_tick(now: datetime) -> dict[str, int | TaskFailed] | None:
    """Run every registered task once, each in isolation; None when another tick holds the lock."""
    with tick_lock() as acquired:
        if not acquired:
            return None
        return {name: _run_task(name, task, now) for name, task in sorted(TASKS.items())}


def _run_task(name: str, task: TickTask, now: datetime) -> int | TaskFailed:
    from zhenwu.core.models import TickRun

    started = timezone.now()
    try:
        # Not wrapped in a transaction: on SQLite (IMMEDIATE transactions) that would hold the
        # write lock for the whole task, computing included, and every request would queue
        # behind it (6 s behind red_alerts in the soak run). Tasks write in short atomic steps
        # of their own (notices_send), so a failure leaves nothing half-written.
        count = task(now)
    except Exception as exc:  # noqa: BLE001 — one task's bug must not stop the others
        logger.exception("tick task %s failed", name)
        failure = TaskFailed(f"{type(exc).__name__}: {exc}"[:500])
        TickRun.objects.update_or_create(
            task=name,
            defaults={
                "started_at": started,
                "finished_at": timezone.now(),
                "ok": False,
                "count": 0,
                "error": traceback.format_exc()[-4000:],
            },
        )
        return failure
    TickRun.objects.update_or_create(
        task=name,
        defaults={
            "started_at": started,
            "finished_at": timezone.now(),
            "ok": True,
            "count": count,
            "error": "",
        },
    )
    return count


def last_run() -> datetime | None:
    """When the last tick finished a task (any task), for 系统检查; None if it never ran."""
    from django.db.models import Max

    from zhenwu.core.models import TickRun

    return TickRun.objects.aggregate(last=Max("finished_at"))["last"]


def failed_tasks() -> list[str]:
    """Tasks whose last run raised: 系统检查 names them until a run succeeds."""
    from zhenwu.core.models import TickRun

    return list(TickRun.objects.filter(ok=False).values_list("task", flat=True))
