import hashlib
import os
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


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

    def handle(self, *args: Any, **options: Any) -> None:
        _collect_static_if_changed()
        bind = f"{options['host']}:{options['port']}"
        self.stdout.write(f"镇务已启动：http://{bind}/  （Ctrl+C 停止）")
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
        os.execv(sys.executable, argv)
