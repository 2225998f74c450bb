from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhenwu.core.deploy import DeployConfig, render_all


class Command(BaseCommand):
    help = "生成正式部署文件：nginx 站点（HTTPS、请求缓冲、上传限制、超时）和 systemd 服务与定时任务"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", required=True, help="群众访问的域名，例如 zhenwu.example.gov.cn")
        parser.add_argument("--port", type=int, default=8000, help="gunicorn 在本机监听的端口")
        parser.add_argument("--root", default="/srv/zhenwu", help="安装目录（代码、.venv、var/）")
        parser.add_argument("--user", default="zhenwu", help="运行服务的系统账号")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn 进程数（每个CPU核一个）")
        parser.add_argument("--cert", default="", help="证书链文件，默认 certbot 的位置")
        parser.add_argument("--key", default="", help="证书私钥文件，默认 certbot 的位置")
        parser.add_argument("--env-file", default="/etc/zhenwu/zhenwu.env", help="服务读取的设置文件")
        parser.add_argument("--out", default="", help="写入此目录（不给则打印到屏幕）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            config = DeployConfig(
                host=options["host"],
                port=options["port"],
                root=Path(options["root"]),
                user=options["user"],
                workers=options["workers"],
                cert=options["cert"],
                key=options["key"],
                env_file=Path(options["env_file"]),
            )
        except ValidationError as exc:
            raise CommandError("；".join(m for ms in exc.message_dict.values() for m in ms)) from exc
        files = render_all(config)
        if not options["out"]:
            for name, text in files.items():
                self.stdout.write(f"# ==> {name} <==\n{text}")
            return
        out = Path(options["out"])
        for name, text in files.items():
            path = out / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            self.stdout.write(str(path))
        self.stdout.write(f"安装步骤见 {out / 'INSTALL.txt'}")
