"""`zhenwu deploy-config`: one host name in, an nginx site and systemd units out, all agreeing.

The rendered site is checked by the real `nginx -t` (with a self-signed certificate made here)
where nginx is installed, the units by `systemd-analyze verify` where it exists, and the
environment file by `check --deploy` with exactly the settings it sets.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from zhenwu.core.deploy import (
    REQUEST_BODIES,
    DeployConfig,
    max_body_mb,
    render,
    render_all,
    standalone_nginx_conf,
)

HOST = "zhenwu.example.gov.cn"
ROOT = Path(__file__).resolve().parents[3]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def parse_env(text: str) -> dict[str, str]:
    return dict(
        line.split("=", 1) for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
    )


def unit_sections(text: str) -> dict[str, dict[str, list[str]]]:
    """A systemd unit file as sections of keys (a key may repeat); refuses what is not one."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None and "=" in line, f"line {number} is not key=value in a section: {raw!r}"
        key, value = line.split("=", 1)
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", key), f"line {number}: bad key {key!r}"
        current.setdefault(key, []).append(value)
    return sections


@pytest.fixture
def files():
    return render_all(DeployConfig(host=HOST, port=8123, workers=3))


def test_the_host_name_is_written_once_and_agrees_everywhere(files):
    env = parse_env(files["zhenwu.env"])
    assert env["ZHENWU_HTTPS"] == "1" and env["ZHENWU_DEBUG"] == "0"
    assert env["ZHENWU_PUBLIC_URL"] == f"https://{HOST}/"
    assert env["ZHENWU_ALLOWED_HOSTS"] == HOST and env["ZHENWU_TRUSTED_PROXIES"] == "1"
    site = files["nginx/zhenwu.conf"]
    assert f"server_name {HOST};" in site and f"return 301 https://{HOST}$request_uri;" in site
    assert "server 127.0.0.1:8123 " in site and env["ZHENWU_PORT"] == "8123"
    assert f"ssl_certificate     /etc/letsencrypt/live/{HOST}/fullchain.pem;" in site
    assert f"alias {env['ZHENWU_STATIC_ROOT']}/;" in site
    server = unit_sections(files["systemd/zhenwu.service"])["Service"]
    assert server["ExecStart"] == [
        "/srv/zhenwu/.venv/bin/zhenwu serve --host 127.0.0.1 --port 8123 --workers 3"
    ]
    assert server["EnvironmentFile"] == ["/etc/zhenwu/zhenwu.env"]
    assert server["ReadWritePaths"] == [f"{env['ZHENWU_VAR_DIR']} {env['ZHENWU_STATIC_ROOT']}"]
    tick = unit_sections(files["systemd/zhenwu-tick.service"])["Service"]
    assert tick["ExecStart"] == ["/srv/zhenwu/.venv/bin/zhenwu tick"] and tick["Type"] == ["oneshot"]
    assert unit_sections(files["systemd/zhenwu-tick.timer"])["Timer"]["OnCalendar"] == ["*:0/5"]


def test_both_services_are_hardened_alike(files):
    for name in ("systemd/zhenwu.service", "systemd/zhenwu-tick.service"):
        service = unit_sections(files[name])["Service"]
        assert service["User"] == ["zhenwu"] and service["NoNewPrivileges"] == ["yes"]
        assert service["ProtectSystem"] == ["strict"] and service["PrivateTmp"] == ["yes"]


def test_the_site_buffers_requests_limits_them_and_keeps_media_private(files):
    site = files["nginx/zhenwu.conf"]
    for directive in (
        "proxy_request_buffering on;", "proxy_buffering on;", "client_header_timeout 10s;",
        "client_body_timeout 20s;", "send_timeout 30s;", "keepalive_timeout 15s;",
        "large_client_header_buffers 4 8k;", "proxy_set_header X-Request-ID $request_id;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
    ):  # fmt: skip
        assert directive in site
    media = site.split("location /media/ {", 1)[1].split("}", 1)[0]
    assert media.strip() == "return 404;"
    # The access log holds neither the client's address nor the query string.
    log_format = site.split("log_format zhenwu_private", 1)[1].split(";", 1)[0]
    assert "$remote_addr" not in log_format and "$request_uri" not in log_format and "$uri" in log_format


def test_the_body_limit_is_the_largest_upload_plus_a_margin(settings):
    assert {"suggestions.photos", "ledger.evidence", "ledger.import"} <= set(REQUEST_BODIES)
    # Evidence: 5 files × 20 MB is the largest; photos are 6 × 10 MB.
    assert max_body_mb() == 101
    settings.ZHENWU_PHOTO_MAX_MB = 30  # now 6 × 30 MB of photos is the largest
    assert max_body_mb() == 181
    assert "client_max_body_size 181m;" in render(DeployConfig(host=HOST), "nginx/zhenwu.conf")


@pytest.mark.parametrize(
    "kwargs, field, words",
    [
        ({"host": "127.0.0.1"}, "host", "只能在本机访问"),
        ({"host": "localhost"}, "host", "只能在本机访问"),
        ({"host": "bad_name!.cn"}, "host", "不是有效的域名"),
        ({"host": ""}, "host", "不能为空"),
        ({"host": HOST, "port": 40000}, "port", "1到32767"),
        ({"host": HOST, "workers": 0}, "workers", "1到64"),
        ({"host": HOST, "user": "Root User"}, "user", "不是有效的系统用户名"),
        ({"host": HOST, "root": Path("srv/zhenwu")}, "root", "绝对路径"),
    ],
)
def test_bad_settings_are_refused_naming_the_field(kwargs, field, words):
    with pytest.raises(ValidationError) as caught:
        DeployConfig(**kwargs)
    assert words in caught.value.message_dict[field][0]


def test_the_command_writes_every_file_into_a_directory(tmp_path, capsys):
    call_command("deploy_config", host=HOST.upper(), out=str(tmp_path))
    written = {str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()}
    assert written == set(render_all(DeployConfig(host=HOST)))
    assert f"ZHENWU_PUBLIC_URL=https://{HOST}/" in (tmp_path / "zhenwu.env").read_text()
    assert "INSTALL.txt" in capsys.readouterr().out


def test_the_command_prints_when_no_directory_is_given(capsys):
    call_command("deploy_config", host=HOST)
    out = capsys.readouterr().out
    assert "# ==> nginx/zhenwu.conf <==" in out and "# ==> systemd/zhenwu-tick.timer <==" in out


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={HOST}",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed")
@pytest.mark.parametrize("plain", [False, True], ids=["tls", "plain-probe"])
def test_nginx_accepts_the_rendered_site(tmp_path, plain):
    cert, key = _self_signed(tmp_path)
    config = DeployConfig(
        host=HOST, cert=str(cert), key=str(key), nginx_log_dir=tmp_path, acme_root=tmp_path,
        root=tmp_path, plain_listen="127.0.0.1:18199" if plain else "",
    )  # fmt: skip
    site = tmp_path / "site.conf"
    site.write_text(render(config, "nginx/zhenwu.conf"))
    conf = tmp_path / "nginx.conf"
    conf.write_text(standalone_nginx_conf(prefix=tmp_path, site=site))
    result = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(conf)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed")
def test_nginx_refuses_a_site_with_a_mistake(tmp_path):
    """The check above can fail: the same run over a broken site says so."""
    cert, key = _self_signed(tmp_path)
    text = render(
        DeployConfig(host=HOST, cert=str(cert), key=str(key), nginx_log_dir=tmp_path), "nginx/zhenwu.conf"
    )
    site = tmp_path / "site.conf"
    site.write_text(text.replace("client_body_timeout 20s;", "client_body_timeout twenty;"))
    conf = tmp_path / "nginx.conf"
    conf.write_text(standalone_nginx_conf(prefix=tmp_path, site=site))
    result = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(conf)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode != 0 and "client_body_timeout" in result.stderr


def test_systemd_accepts_the_units(tmp_path):
    # A root whose zhenwu command exists, so verify can check ExecStart for real.
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "zhenwu").symlink_to(Path(sys.executable).parent / "zhenwu")
    files = render_all(DeployConfig(host=HOST, root=tmp_path))
    units = []
    for name in ("systemd/zhenwu.service", "systemd/zhenwu-tick.service", "systemd/zhenwu-tick.timer"):
        path = tmp_path / Path(name).name
        path.write_text(files[name])
        units.append(str(path))
        sections = unit_sections(files[name])  # the parse check, wherever this runs
        assert "Unit" in sections and ("Service" in sections or "Timer" in sections)
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed: the parse check above is all")
    result = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True)
    # verify exits 0 on unknown keys but names them: any word about our files is a failure.
    ours = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if str(tmp_path) in line or "zhenwu" in line
    ]
    assert result.returncode == 0 and ours == [], result.stdout + result.stderr


def test_check_deploy_passes_with_the_settings_the_env_file_sets(tmp_path):
    env = parse_env(render_all(DeployConfig(host=HOST))["zhenwu.env"])
    env.update(ZHENWU_VAR_DIR=str(tmp_path / "var"), ZHENWU_STATIC_ROOT=str(tmp_path / "static"))
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ZHENWU_", "DJANGO_", "DATABASE_URL"))}
    result = subprocess.run(
        [sys.executable, "-m", "zhenwu", "check", "--deploy", "--fail-level", "WARNING"],
        env={**clean, **env, "DJANGO_SETTINGS_MODULE": "zhenwu.settings", "PYTHONPATH": str(ROOT)},
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout and "WARNING" not in result.stdout + result.stderr


def test_check_deploy_does_fail_without_https(tmp_path):
    """The check above can fail: the defaults (no HTTPS) are reported."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ZHENWU_", "DJANGO_", "DATABASE_URL"))}
    result = subprocess.run(
        [sys.executable, "-m", "zhenwu", "check", "--deploy", "--fail-level", "WARNING"],
        env={**clean, "ZHENWU_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "zhenwu.settings",
             "PYTHONPATH": str(ROOT)},
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0 and "security.W012" in result.stdout + result.stderr
