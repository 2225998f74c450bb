"""The shipped layout resists slow clients (issue 12 §3): a short run of bench/slow_clients.py.

gunicorn with 2 sync workers, alone, stops answering while four connections trickle header
lines; behind nginx, rendered by deploy-config, the same server keeps answering, a body above
client_max_body_size is refused with 413 at once, static files carry their cache headers and
/media/ is not served. Skipped where nginx is not installed (.ci/run installs it).
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pytest

from zhenwu.core.deploy import MB, max_body_mb

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
pytestmark = [
    pytest.mark.skipif(NGINX is None, reason="nginx is not installed"),
    pytest.mark.xdist_group("servers"),
]


def _probe():
    spec = importlib.util.spec_from_file_location("slow_clients", ROOT / "bench" / "slow_clients.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def layout():
    probe = _probe()
    # Not pytest's tmp_path: its parents are 0700, and nginx's workers (nobody, when the tests
    # run as root) must read the static files and use their temp directories.
    root = Path(tempfile.mkdtemp(prefix="zhenwu-layout-"))
    root.chmod(0o755)
    (root / "var").mkdir()
    static = root / "static"
    static.mkdir()
    (static / "app.0123456789ab.css").write_text("body{}")
    (static / "plain.css").write_text("body{}")
    app_port = probe.free_port()
    nginx_port = probe.free_port(taken=[app_port])  # both were picked the same once, so nginx never bound
    app = probe.start_app(app_port, root, via_serve=False)  # what `serve` execs, without collectstatic
    web = None
    try:
        probe.wait_for(app_port, timeout=60)
        web = probe.start_nginx(probe.render_site(root, listen_port=nginx_port, app_port=app_port))
        probe.wait_for(nginx_port, timeout=10)
        assert web.poll() is None, "nginx exited (its port taken?): the tests would talk to gunicorn alone"
        yield probe, app_port, nginx_port, root
    finally:
        if web is not None:
            probe.stop(web)
        probe.stop(app)
        shutil.rmtree(root, ignore_errors=True)


# Any request needs a worker; /healthz needs nothing else (no collected static files, no tables).
PROBE = "/healthz"


def test_gunicorn_alone_stops_answering_while_slow_clients_hold_its_workers(layout):
    probe, app_port, _nginx, _root = layout
    assert probe.time_requests(app_port, 1, path=PROBE, timeout=2).failures == 0
    timings = probe.under_slow_clients(app_port, slow=4, interval=1, seconds=2.5, path=PROBE, timeout=2)
    assert timings.latencies == [] and timings.failures >= 1


def test_behind_nginx_the_site_keeps_answering_slow_clients(layout):
    probe, _app, nginx_port, _root = layout
    timings = probe.under_slow_clients(nginx_port, slow=16, interval=1, seconds=3, path=PROBE, timeout=2)
    assert timings.failures == 0 and len(timings.latencies) >= 4
    assert max(timings.latencies) < 1.5


def test_nginx_refuses_a_body_above_the_limit_at_once(layout):
    probe, _app, nginx_port, _root = layout
    first, took = probe.oversized(nginx_port, (max_body_mb() + 1) * MB)
    assert first.startswith("HTTP/1.1 413") and took < 2


def test_nginx_serves_static_files_with_their_cache_and_never_media(layout):
    probe, _app, nginx_port, _root = layout
    status, headers, _body = probe.get(nginx_port, "/static/app.0123456789ab.css")
    assert status == 200 and "immutable" in headers["cache-control"]
    status, headers, _body = probe.get(nginx_port, "/static/plain.css")
    assert status == 200 and headers["cache-control"] == "public, max-age=3600"
    status, headers, body = probe.get(nginx_port, "/media/suggestions/2026/12/photo.jpg")
    assert status == 404 and b"nginx" in body  # answered by nginx, not passed on


def test_the_request_id_nginx_logs_is_the_one_the_application_echoes(layout):
    probe, _app, nginx_port, root = layout
    # An API refusal: no template and no static files (this layout skips collectstatic), and
    # through every middleware.
    status, headers, _body = probe.get(nginx_port, "/api/problems?phone=13812345678")
    assert status == 401
    rid = headers["x-request-id"]
    assert len(rid) == 32 and all(ch in "0123456789abcdef" for ch in rid)
    # nginx writes the access line after it has answered: wait for it (bounded).
    line = ""
    for _attempt in range(50):
        access_log = (root / "zhenwu.access.log").read_text()
        line = next((line for line in access_log.splitlines() if rid in line), "")
        if line:
            break
        time.sleep(0.1)
    assert '"GET /api/problems"' in line and "13812345678" not in line and "127.0.0.1" not in line
