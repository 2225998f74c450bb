"""Slow clients and oversized requests against the real server, with and without nginx in front.

    .venv/bin/python bench/slow_clients.py [--seconds 60] [--slow 8] [--interval 5]

Starts `zhenwu serve` (gunicorn, 2 sync workers) on a loopback port, and nginx from the site
`zhenwu deploy-config` renders (the same limits, timeouts and buffering, on a plain-HTTP
loopback port instead of 443), its own prefix, pid file and logs. Then, for each way in:
K sockets each send one header line every few seconds and never finish (issue 12 §3's
Slowloris), while a normal request for the sign-in page is timed every half second. At the
end a request announcing a body just above client_max_body_size is sent without its body:
nginx answers 413 at once, gunicorn alone waits for the body with a worker.

Bounded: every phase has its own time limit; the processes are stopped at the end. Figures,
not a test; zhenwu/tests/test_slow_clients.py runs a short version of the same functions.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import select
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PAGE = "/login/"


def free_port(low: int = 18130, high: int = 18199, *, taken: Iterable[int] = ()) -> int:
    """A loopback port nobody listens on, below the ephemeral range (where ports collide).

    `taken`: ports already chosen but not bound yet (the app's, when choosing nginx's): a port
    is free until its server starts, so two calls can return the same one."""
    skip = set(taken)
    for port in random.sample(range(low, high + 1), high - low + 1):
        if port in skip:
            continue
        with socket.socket() as probe:
            try:
                probe.bind((HOST, port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port between {low} and {high}")


def wait_for(port: int, path: str = "/healthz", timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if get(port, path, timeout=2.0)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"nothing answers {path} on port {port} after {timeout:.0f} s")


def get(port: int, path: str = PAGE, timeout: float = 5.0) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Host": f"{HOST}:{port}"})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def server_env(root: Path) -> dict[str, str]:
    """The production-like settings the probe's server runs with (behind one trusted proxy)."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "zhenwu.settings",
        "PYTHONPATH": str(ROOT),
        "ZHENWU_VAR_DIR": str(root / "var"),
        "ZHENWU_STATIC_ROOT": str(root / "static"),
        "ZHENWU_TRUSTED_PROXIES": "1",
        "ZHENWU_REQUEST_LOG_LEVEL": "WARNING",
    }


def start_app(port: int, root: Path, *, via_serve: bool = True) -> subprocess.Popen[bytes]:
    """`zhenwu serve` (collects static files first), or the gunicorn command it becomes."""
    if via_serve:
        argv = [sys.executable, "-m", "zhenwu", "serve", "--port", str(port), "--workers", "2"]
    else:
        argv = [sys.executable, "-m", "gunicorn", "zhenwu.wsgi:application", "--bind", f"{HOST}:{port}"]
        argv += ["--workers", "2", "--log-level", "warning", "--access-logfile", "/dev/null"]
    log = open(root / "app.log", "ab")  # noqa: SIM115 - the child keeps it
    return subprocess.Popen(
        argv, cwd=ROOT, env=server_env(root), stdout=log, stderr=log, start_new_session=True
    )


def render_site(root: Path, *, listen_port: int, app_port: int) -> Path:
    """The deploy-config site with a plain-HTTP loopback listen, and a whole nginx.conf around it."""
    from zhenwu.core.deploy import DeployConfig, render, standalone_nginx_conf

    config = DeployConfig(
        host="zhenwu.test", port=app_port, root=root, nginx_log_dir=root, plain_listen=f"{HOST}:{listen_port}"
    )
    site = root / "site.conf"
    site.write_text(render(config, "nginx/zhenwu.conf"), encoding="utf-8")
    conf = root / "nginx.conf"
    conf.write_text(standalone_nginx_conf(prefix=root, site=site), encoding="utf-8")
    return conf


def start_nginx(conf: Path) -> subprocess.Popen[bytes]:
    prefix = conf.parent
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    argv = [nginx, "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(conf)]
    return subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stops the process group this script started (gunicorn's master and its workers)."""
    if process.poll() is None:
        os.killpg(process.pid, 15)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()


class SlowClients(threading.Thread):
    """K connections that each send one header line every `interval` seconds and never finish.

    A connection the server closes (or answers, e.g. 408) is opened again, as an attacker would.
    """

    def __init__(self, port: int, count: int, interval: float) -> None:
        super().__init__(daemon=True)
        self.port, self.count, self.interval = port, count, interval
        self.halt = threading.Event()
        self.opened = 0
        self.closed_by_server = 0
        self.answered: list[bytes] = []

    def _open(self) -> socket.socket:
        sock = socket.create_connection((HOST, self.port), timeout=5)
        sock.sendall(f"GET {PAGE} HTTP/1.1\r\nHost: {HOST}\r\n".encode())
        self.opened += 1
        return sock

    def run(self) -> None:
        socks = [self._open() for _ in range(self.count)]
        line = 0
        try:
            while not self.halt.wait(self.interval):
                line += 1
                for i, sock in enumerate(socks):
                    readable, _w, _x = select.select([sock], [], [], 0)
                    try:
                        if readable:
                            reply = sock.recv(200)
                            raise ConnectionResetError(reply)
                        sock.sendall(f"X-Slow-{line}: {i}\r\n".encode())
                    except OSError as exc:
                        reply = exc.args[0] if exc.args and isinstance(exc.args[0], bytes) else b""
                        if reply:
                            self.answered.append(reply.split(b"\r\n", 1)[0])
                        self.closed_by_server += 1
                        sock.close()
                        socks[i] = self._open()
        finally:
            for sock in socks:
                sock.close()


@dataclass
class Timings:
    latencies: list[float] = field(default_factory=list)  # seconds, answered requests
    failures: int = 0
    longest_gap: float = 0.0  # longest time without any answered request
    slow_dropped: int = 0  # slow connections the server closed (they were opened again)

    @property
    def sent(self) -> int:
        return len(self.latencies) + self.failures

    def summary(self) -> str:
        if not self.latencies:
            return (
                f"{self.sent} requests, 0 answered, {self.failures} failed; "
                f"longest without an answer {self.longest_gap:.1f} s"
            )
        ordered = sorted(self.latencies)
        p50 = statistics.median(ordered) * 1000
        worst = ordered[-1] * 1000
        return (
            f"{self.sent} requests, {len(ordered)} answered, {self.failures} failed; "
            f"p50 {p50:.0f} ms, worst {worst:.0f} ms; longest without an answer {self.longest_gap:.1f} s"
        )


def time_requests(
    port: int, seconds: float, *, path: str = PAGE, every: float = 0.5, timeout: float = 5.0
) -> Timings:
    """A normal request (the sign-in page) every `every` seconds, for `seconds` seconds."""
    timings = Timings()
    started = last_ok = time.monotonic()
    while time.monotonic() - started < seconds:
        sent = time.monotonic()
        try:
            status, _headers, _body = get(port, path, timeout=timeout)
            ok = status == 200
        except OSError:
            ok = False
        now = time.monotonic()
        if ok:
            timings.latencies.append(now - sent)
            timings.longest_gap = max(timings.longest_gap, sent - last_ok)
            last_ok = now
        else:
            timings.failures += 1
        time.sleep(max(0.0, every - (time.monotonic() - sent)))
    timings.longest_gap = max(timings.longest_gap, time.monotonic() - last_ok)
    return timings


def under_slow_clients(
    port: int, *, slow: int, interval: float, seconds: float, path: str = PAGE, timeout: float = 5.0
) -> Timings:
    attack = SlowClients(port, slow, interval)
    attack.start()
    time.sleep(0.5)  # let every slow connection be accepted first
    try:
        timings = time_requests(port, seconds, path=path, timeout=timeout)
    finally:
        attack.halt.set()
        attack.join(timeout=interval + 5)
    timings.slow_dropped = attack.closed_by_server
    return timings


def recovery(port: int, limit: float = 60.0) -> float:
    """Seconds until the page answers again (limit when it does not)."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        try:
            if get(port, PAGE, timeout=2.0)[0] == 200:
                break
        except OSError:
            pass
        time.sleep(0.2)
    return time.monotonic() - started


def oversized(port: int, body_bytes: int, timeout: float = 5.0) -> tuple[str, float]:
    """Announce a body of `body_bytes` and send none of it: (first line of the answer, seconds)."""
    started = time.monotonic()
    with socket.create_connection((HOST, port), timeout=timeout) as sock:
        sock.sendall(
            f"POST /s/ HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/octet-stream\r\n"
            f"Content-Length: {body_bytes}\r\n\r\n".encode()
        )
        try:
            reply = sock.recv(200)
        except TimeoutError:
            return f"no answer within {timeout:.0f} s", time.monotonic() - started
    first = reply.split(b"\r\n", 1)[0].decode(errors="replace") or "connection closed"
    return first, time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="length of each attack phase")
    parser.add_argument("--slow", type=int, default=8, help="slow connections (K)")
    parser.add_argument("--interval", type=float, default=5, help="seconds between a slow client's lines")
    parser.add_argument("--app-port", type=int, default=int(os.environ.get("ZHENWU_BENCH_PORT", 18120)))
    parser.add_argument(
        "--nginx-port", type=int, default=int(os.environ.get("ZHENWU_BENCH_NGINX_PORT", 18121))
    )
    args = parser.parse_args()
    if not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists():
        sys.exit("nginx is not installed (apt-get install nginx)")

    # Static files are collected once into a directory kept between runs (about 20 s the first time).
    root = Path(tempfile.gettempdir()) / "zhenwu-bench-slow-clients"
    shutil.rmtree(root / "var", ignore_errors=True)
    (root / "var").mkdir(parents=True, exist_ok=True)
    os.environ.update({k: v for k, v in server_env(root).items() if k.startswith(("ZHENWU_", "DJANGO_"))})
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from zhenwu.core.deploy import MB, max_body_mb

    print(
        f"slow clients: {args.slow} connections, one header line every {args.interval:.0f} s, {args.seconds:.0f} s per phase"
    )
    app = start_app(args.app_port, root)
    web = None
    try:
        wait_for(args.app_port, timeout=180)
        web = start_nginx(render_site(root, listen_port=args.nginx_port, app_port=args.app_port))
        wait_for(args.nginx_port)
        # Behind nginx first: the run without it leaves workers killed by gunicorn's timeout.
        for name, port in (("behind nginx", args.nginx_port), ("gunicorn alone", args.app_port)):
            quiet = time_requests(port, 3)
            print(f"{name:15} quiet:        {quiet.summary()}")
            loaded = under_slow_clients(port, slow=args.slow, interval=args.interval, seconds=args.seconds)
            print(f"{name:15} slow clients: {loaded.summary()}")
            verdict = (
                "keeps answering" if loaded.failures == 0 and loaded.longest_gap < 2 else "NOT answering"
            )
            print(f"{name:15} => the site {verdict} while {args.slow} slow clients are connected")
            print(f"{name:15} slow connections the server closed (each reopened): {loaded.slow_dropped}")
            print(f"{name:15} answering again {recovery(port):.1f} s after the slow clients left")
        limit = max_body_mb()
        body = (limit + 1) * MB
        for name, port in (("behind nginx", args.nginx_port), ("gunicorn alone", args.app_port)):
            first, took = oversized(port, body)
            print(f"{name:15} {limit + 1} MB body announced (limit {limit} MB): {first} after {took:.2f} s")
    finally:
        if web is not None:
            stop(web)
        stop(app)


if __name__ == "__main__":
    main()
