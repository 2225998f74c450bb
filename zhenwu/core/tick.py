"""Periodic work run by `zhenwu tick` (cron or a systemd timer, on every node).

Apps register idempotent tasks here in their AppConfig.ready(). A task must be safe to
run twice: it records what it has done (an outbox row with a unique key, say) and skips
what is already done. The command holds a lock so two ticks never overlap: an advisory
lock on PostgreSQL (works across nodes), a file lock on SQLite (one node by definition).
"""

from __future__ import annotations

import fcntl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from django.conf import settings
from django.db import connection

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


def run_tick(now: datetime) -> dict[str, int] | None:
    """Run every registered task once; None when another tick holds the lock."""
    with tick_lock() as acquired:
        if not acquired:
            return None
        return {name: task(now) for name, task in sorted(TASKS.items())}
