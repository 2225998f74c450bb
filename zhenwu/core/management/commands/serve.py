import os
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "启动正式服务器（gunicorn + WhiteNoise），监听 127.0.0.1"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=settings.ZHENWU_SERVER_PORT)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--workers", type=int, default=2, help="2 cores: 2 workers (more only adds waiting)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
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
