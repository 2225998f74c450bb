"""`zhenwu tick` every N minutes beside the server, for the demo (`make run`).

Production runs tick from a systemd timer (zhenwu-tick.timer, every 5 minutes), so nothing
here runs there: `zhenwu serve` starts a Ticker only when ZHENWU_SERVE_TICK_MINUTES (or
`--tick-minutes`) is above 0, which `make run` sets. Each run is its own `zhenwu tick`
process, exactly what the timer starts: the server's workers never run tasks, a task that
hangs or crashes costs only its process, and tick's own lock still keeps two runs apart.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from collections.abc import Sequence

logger = logging.getLogger(__name__)

TICK_COMMAND = (sys.executable, "-m", "zhenwu", "tick")
# The first run waits for the server to come up; a stop waits this long for a running tick.
FIRST_RUN_AFTER_SECONDS = 5.0
STOP_GRACE_SECONDS = 10.0


class Ticker(threading.Thread):
    """Runs `command` at once (after `first_after` seconds), then every `every` seconds, until stopped."""

    def __init__(
        self,
        every: float,
        *,
        command: Sequence[str] = TICK_COMMAND,
        first_after: float = FIRST_RUN_AFTER_SECONDS,
    ) -> None:
        super().__init__(name="zhenwu-ticker", daemon=True)
        self.every, self.command, self.first_after = every, list(command), first_after
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._running: subprocess.Popen[bytes] | None = None
        self.runs = 0

    def run(self) -> None:
        wait = self.first_after
        while not self._stopping.wait(wait):
            self._run_once()
            wait = self.every

    def _run_once(self) -> None:
        with self._lock:
            if self._stopping.is_set():
                return
            # Its counts go nowhere (the demo's console is for the server); its errors show.
            self._running = subprocess.Popen(
                self.command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL
            )
        # Waited for, however long: like a systemd timer, a run never overlaps the last one.
        code = self._running.wait()
        with self._lock:
            self._running = None
        self.runs += 1
        if code:
            logger.warning("zhenwu tick ended with %s", code)

    def stop(self) -> None:
        """No further runs; a running tick is asked to end (its tasks write in short atomic
        steps and are idempotent, so the next run completes whatever it leaves), then killed."""
        self._stopping.set()
        with self._lock:
            running = self._running
        if running is not None and running.poll() is None:
            running.terminate()
            try:
                running.wait(timeout=STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                running.kill()
        self.join(timeout=STOP_GRACE_SECONDS)
