"""The production layout: an nginx site and systemd units for one host name, from one place.

`zhenwu deploy-config --host NAME` renders the files under templates/deploy/ from a
DeployConfig, so the public URL, the allowed host, HTTPS, the trusted proxy count, the port
gunicorn listens on and the directories are written once and agree everywhere.

The largest request body nginx lets through is not typed in by hand: each app registers the
largest upload one request of it may carry (register_request_body), and the site allows the
largest of those plus a margin for the form's other fields. An upload the application would
accept is never cut off by nginx, and anything bigger is refused by nginx before it reaches
a worker.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.template import Context, Engine
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from zhenwu.lib.hosts import is_loopback_host

MB = 1024 * 1024
# The form's text fields, the multipart boundaries and headers of each part.
BODY_MARGIN_MB = 1
TEMPLATES = Path(__file__).resolve().parent / "templates" / "deploy"


@dataclass(frozen=True)
class RequestBody:
    key: str
    label: str | Promise
    max_bytes: Callable[[], int]  # read when rendering, so a changed setting is seen


REQUEST_BODIES: dict[str, RequestBody] = {}


def register_request_body(key: str, label: str | Promise, max_bytes: Callable[[], int]) -> None:
    """An app's largest upload in one request (its count limit × its per-file limit)."""
    REQUEST_BODIES[key] = RequestBody(key, label, max_bytes)


def body_limits() -> list[tuple[str, int]]:
    """(label, bytes) of each registered upload, largest first."""
    found = [(str(body.label), body.max_bytes()) for body in REQUEST_BODIES.values()]
    return sorted(found, key=lambda item: -item[1])


def max_body_mb() -> int:
    """nginx's client_max_body_size in MB: the largest registered upload plus the margin."""
    largest = max((size for _label, size in body_limits()), default=0)
    return math.ceil(largest / MB) + BODY_MARGIN_MB


_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def check_host(host: str) -> str:
    """The host name residents type, lower-cased; ValidationError naming what is wrong."""
    name = host.strip().lower().rstrip(".")
    if not name:
        raise ValidationError(
            {"host": _("主机名：不能为空，请填写群众访问的域名，例如 zhenwu.example.gov.cn")}
        )
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        address = None
    if is_loopback_host(name):
        raise ValidationError(
            {
                "host": _("主机名：“%(host)s”只能在本机访问，群众的手机打不开，请填写对外的域名")
                % {"host": host}
            }
        )
    if address is None and (len(name) > 253 or not all(_LABEL.match(part) for part in name.split("."))):
        raise ValidationError(
            {"host": _("主机名：“%(host)s”不是有效的域名（只能包含字母、数字、连字符和点）") % {"host": host}}
        )
    return name


@dataclass(frozen=True)
class DeployConfig:
    """Everything the rendered files must agree on."""

    host: str
    port: int = 8000
    root: Path = Path("/srv/zhenwu")
    user: str = "zhenwu"
    workers: int = 2
    cert: str = ""  # empty: where certbot puts it for this host
    key: str = ""
    env_file: Path = Path("/etc/zhenwu/zhenwu.env")
    nginx_log_dir: Path = Path("/var/log/nginx")
    acme_root: Path = Path("/var/www/letsencrypt")
    # For the probe and the test only: listen on this plain-HTTP loopback address instead of
    # 443 with TLS (everything else — limits, timeouts, buffering, locations — is the same text).
    plain_listen: str = ""
    extra_env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        errors: dict[str, str] = {}
        try:
            object.__setattr__(self, "host", check_host(self.host))
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
        if not 0 < self.port < 32768:
            # The house rule: service ports stay below the ephemeral range, where they collide.
            errors["port"] = _("端口：须在1到32767之间，收到%(port)s") % {"port": self.port}
        if not 1 <= self.workers <= 64:
            errors["workers"] = _("进程数：须在1到64之间，收到%(n)s") % {"n": self.workers}
        if not re.fullmatch(r"[a-z_][a-z0-9_-]{0,31}", self.user):
            errors["user"] = _("运行账号：“%(user)s”不是有效的系统用户名") % {"user": self.user}
        if not Path(self.root).is_absolute():
            errors["root"] = _("安装目录：须为绝对路径，收到%(root)s") % {"root": self.root}
        if errors:
            raise ValidationError(errors)

    @property
    def var_dir(self) -> Path:
        return Path(self.root) / "var"

    @property
    def static_root(self) -> Path:
        # Outside var/: nginx (www-data) reads the static files and nothing else of ours;
        # var/ (database, photos, evidence, the secret key) stays readable by the service only.
        return Path(self.root) / "static"

    @property
    def zhenwu_bin(self) -> Path:
        return Path(self.root) / ".venv" / "bin" / "zhenwu"

    @property
    def public_url(self) -> str:
        return f"https://{self.host}/"

    @property
    def cert_path(self) -> str:
        return self.cert or f"/etc/letsencrypt/live/{self.host}/fullchain.pem"

    @property
    def key_path(self) -> str:
        return self.key or f"/etc/letsencrypt/live/{self.host}/privkey.pem"

    def environment(self) -> dict[str, str]:
        """The server's settings; the units read them from env_file, the check from here."""
        return {
            "ZHENWU_DEBUG": "0",
            "ZHENWU_HTTPS": "1",
            "ZHENWU_PUBLIC_URL": self.public_url,
            "ZHENWU_ALLOWED_HOSTS": self.host,
            # nginx is the one proxy in front: it appends the resident's address last.
            "ZHENWU_TRUSTED_PROXIES": "1",
            "ZHENWU_PORT": str(self.port),
            "ZHENWU_VAR_DIR": str(self.var_dir),
            "ZHENWU_STATIC_ROOT": str(self.static_root),
            **self.extra_env,
        }


_engine = Engine(dirs=[str(TEMPLATES)], autoescape=False)

# Rendered file → template; the directory part is where --out puts it.
FILES = {
    "nginx/zhenwu.conf": "nginx_site.conf",
    "systemd/zhenwu.service": "zhenwu.service",
    "systemd/zhenwu-tick.service": "zhenwu-tick.service",
    "systemd/zhenwu-tick.timer": "zhenwu-tick.timer",
    "zhenwu.env": "zhenwu.env",
    "INSTALL.txt": "INSTALL.txt",
}


def _context(config: DeployConfig) -> dict[str, object]:
    return {
        "c": config,
        "env": config.environment(),
        "max_body_mb": max_body_mb(),
        "body_limits": [(label, math.ceil(size / MB)) for label, size in body_limits()],
        "margin_mb": BODY_MARGIN_MB,
        # Shown by nginx itself: the request never reaches the application to say it.
        "too_large": _("上传的内容超过%(mb)sMB，请减少文件数量或压缩后再试。") % {"mb": max_body_mb()},
    }


def render(config: DeployConfig, name: str) -> str:
    return _engine.get_template(FILES[name]).render(Context(_context(config)))


def render_all(config: DeployConfig) -> dict[str, str]:
    return {name: render(config, name) for name in FILES}


def standalone_nginx_conf(*, prefix: Path, site: Path) -> str:
    """A whole nginx.conf around the site, with every path under `prefix`.

    It lets `nginx -t` and the slow-client probe run a private nginx (own pid file, logs and
    temp directories) without touching the system's nginx or needing its service.
    """
    mime = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").exists() else ""
    return f"""daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    {mime}
    default_type application/octet-stream;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {site};
}}
"""
