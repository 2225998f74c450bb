import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from zhenwu.core.ticker import Ticker


def _static_fingerprint() -> str:
    """Every source file's path, size and time: unchanged means the collected copy is current."""
    digest = hashlib.sha256()
    for finder in get_finders():
        for path, storage in finder.list([]):
            full = storage.path(path)
            stat = os.stat(full)
            digest.update(f"{full}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _collect_static_if_changed() -> None:
    """Collecting and compressing takes ~20 s; a restart with the same files need not pay it."""
    stamp = Path(settings.STATIC_ROOT) / ".zhenwu-sources"
    current = _static_fingerprint()
    if stamp.exists() and stamp.read_text() == current:
        return
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(current)


class Command(BaseCommand):
    help = "启动正式服务器（gunicorn + WhiteNoise），监听 127.0.0.1"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=settings.ZHENWU_SERVER_PORT)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--workers", type=int, default=2, help="2 cores: 2 workers (more only adds waiting)"
        )
        parser.add_argument(
            "--tick-minutes",
            type=float,
            default=settings.ZHENWU_SERVE_TICK_MINUTES,
            help="每隔N分钟在后台运行 zhenwu tick（演示用；正式部署用 systemd 定时器，默认0即不运行）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        _collect_static_if_changed()
        bind = f"{options['host']}:{options['port']}"
        self.stdout.write(f"镇务已启动：http://{bind}/  （Ctrl+C 停止）")
        minutes = options["tick_minutes"]
        if minutes > 0:
            self.stdout.write(f"定时任务（zhenwu tick）每{minutes:g}分钟在后台运行一次")
        sys.stdout.flush()
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "zhenwu.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(options["workers"]),
            "--access-logfile",
            "-" if settings.DEBUG else "/dev/null",
            "--log-level",
            "warning",
        ]
        if minutes > 0:
            raise SystemExit(serve_with_ticker(argv, every=minutes * 60))
        os.execv(sys.executable, argv)  # production: gunicorn is the process systemd watches


def serve_with_ticker(argv: list[str], *, every: float, ticker: Ticker | None = None) -> int:
    """gunicorn as a child, tick beside it; SIGTERM or Ctrl+C stops both, the server first.
    Returns gunicorn's exit status."""
    server = subprocess.Popen(argv)
    ticker = ticker or Ticker(every)
    ticker.start()

    def forward(signum: int, _frame: object) -> None:
        # Ctrl+C reaches gunicorn too (the terminal signals the whole group); SIGTERM from a
        # supervisor reaches only us. Either way gunicorn is told, and shuts down gracefully.
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        return server.wait()
    finally:
        ticker.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
