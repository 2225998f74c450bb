"""Bench runner: the real server against its own hello, with wrk; prints figures, asserts nothing.

.venv/bin/python bench/load.py [--postgres] [--problems 100000] [--seconds 10]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = ROOT / ".venv" / "bin" / "python"
ZHENWU = ROOT / ".venv" / "bin" / "zhenwu"


def sh(args: list[str], env: dict[str, str], **kw) -> str:
    return subprocess.run(args, env=env, check=True, capture_output=True, text=True, **kw).stdout


def start_postgres(port: int) -> tuple[str, callable]:
    pg = "/usr/lib/postgresql/15/bin"
    folder = Path(tempfile.mkdtemp(prefix="zhenwu-bench-pg-"))
    shutil.chown(folder, "postgres", "postgres")

    def as_pg(cmd: str) -> None:
        subprocess.run(["su", "postgres", "-s", "/bin/bash", "-c", cmd], check=True, capture_output=True)

    as_pg(f"{pg}/initdb -D {folder}/data -A trust -E UTF8 --locale=C.UTF-8 -U postgres")
    # fsync stays on: the figures must be what a real server would do.
    as_pg(
        f"{pg}/pg_ctl -D {folder}/data -l {folder}/log -w start -o '-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={folder}'"
    )

    def stop() -> None:
        as_pg(f"{pg}/pg_ctl -D {folder}/data -m fast stop")
        shutil.rmtree(folder, ignore_errors=True)

    return f"postgresql://postgres@127.0.0.1:{port}/zhenwu_bench", stop


# The public submit form as a resident's phone sends it, each request from its own address
# (behind the town's proxy, so X-Forwarded-For carries it): the per-address limit applies
# to every request as it would in real use, without one address using up its quota.
SUBMIT_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  wrk.headers["X-Forwarded-For"] = "10." .. (n % 250) .. "." .. (math.floor(n / 250) % 250) .. "." .. math.random(1, 250)
  return wrk.format(nil, nil, nil, '{"text": "村口路灯坏了好几盏，晚上太黑，老人出门不安全，希望尽快修复", "phone": ""}')
end
"""


# Casting a ballot from the phone page: each request uses the next unused code from a file
# written by prepare_ballots.py, with the CSRF cookie and token that page hands out, from its
# own address (voters' phones), so one address's misses from earlier runs do not throttle all.
VOTE_LUA = """
local codes = {}
for line in io.lines("%(codes)s") do codes[#codes + 1] = line end
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "csrftoken=%(cookie)s"
request = function()
  i = i + 1
  wrk.headers["X-Forwarded-For"] = "10." .. (i %% 250) .. "." .. (math.floor(i / 250) %% 250) .. ".7"
  local body = "csrfmiddlewaretoken=%(token)s&code=" .. codes[i] .. "&%(field)s=" .. (i %% 4)
  return wrk.format(nil, nil, nil, body)
end
"""


def wrk(url: str, seconds: int, cookie: str = "", script: str = "") -> dict[str, float]:
    args = ["wrk", "-t1", "-c8", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if cookie:
        args += ["-H", f"Cookie: {cookie}"]
    if script:
        lua = Path(tempfile.mkstemp(suffix=".lua")[1])
        lua.write_text(script)
        args += ["-s", str(lua)]
    out = subprocess.run([*args, url], check=True, capture_output=True, text=True).stdout
    total = int(re.search(r"(\d+) requests in", out).group(1))
    bad = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    duration = float(re.search(r"requests in ([\d.]+)s", out).group(1))

    def ms(label: str) -> float:
        m = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    return {"ok_per_s": (total - bad) / duration, "errors": bad, "p50": ms("50"), "p99": ms("99")}


# The unused codes of this run's survey only (older runs' surveys have other question ids).
_UNUSED_CODES = (
    "from zhenwu.evaluation.models import Survey, VotingCode; "
    "survey = Survey.objects.filter(title__startswith='压测：群众').latest('id'); "
    "print(chr(10).join(VotingCode.objects.filter(used=False, survey=survey).values_list('code', flat=True)))"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--problems", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument(
        "--ballots", type=int, default=1_000_000, help="PostgreSQL only: the big results page"
    )
    parser.add_argument("--port", type=int, default=int(os.environ.get("ZHENWU_BENCH_PORT", "8765")))
    args = parser.parse_args()
    db = "postgresql" if args.postgres else "sqlite"
    env = {
        **os.environ,
        "ZHENWU_BENCH": "true",
        "ZHENWU_DEBUG": "false",
        "ZHENWU_VAR_DIR": str(ROOT / "var" / f"bench-{db}"),
        "ZHENWU_TRUSTED_PROXIES": "1",
    }
    stop_db = None
    if args.postgres:
        env["DATABASE_URL"], stop_db = start_postgres(int(os.environ.get("ZHENWU_BENCH_PGPORT", "15434")))
        subprocess.run(
            [
                "su",
                "postgres",
                "-c",
                f"createdb -h 127.0.0.1 -p {env['DATABASE_URL'].split(':')[-1].split('/')[0]} zhenwu_bench",
            ],
            check=True,
        )
    server = None
    try:
        t0 = time.time()
        sh([str(ZHENWU), "migrate", "--no-input", "-v0"], env)
        sh([str(ZHENWU), "seed-demo", "--if-empty"], env)
        have = int(
            sh(
                [
                    str(ZHENWU),
                    "shell",
                    "-c",
                    "from zhenwu.ledger.models import Problem; print(Problem.objects.count())",
                ],
                env,
            ).split()[-1]
        )
        if have < args.problems:
            sh([str(ZHENWU), "seed-scale", "--problems", str(args.problems - have)], env)
        print(f"[{db}] data ready in {time.time() - t0:.0f} s: {max(have, args.problems)} problems")
        sh([str(ZHENWU), "collectstatic", "--no-input", "-v0"], env)
        session, url, queries = (
            sh([str(PY), str(ROOT / "bench" / "prepare.py")], env, cwd=ROOT).strip().splitlines()[-3:]
        )
        server = subprocess.Popen([str(ZHENWU), "serve", "--port", str(args.port)], env=env, cwd=ROOT,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
        base = f"http://127.0.0.1:{args.port}"
        for _ in range(120):
            try:
                urllib.request.urlopen(base + "/bench/hello", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        cookie = f"sessionid={session}"
        csrf, token, field, codes = (
            sh([str(PY), str(ROOT / "bench" / "prepare_ballots.py"), "30000"], env, cwd=ROOT)
            .strip()
            .splitlines()[-4:]
        )
        vote_lua = VOTE_LUA % {"codes": codes, "cookie": csrf, "token": token, "field": field}
        rounds: dict[str, list[dict[str, float]]] = {
            "hello": [],
            "ledger": [],
            "dashboard": [],
            "submit": [],
            "ballot": [],
        }
        for _ in range(2):
            rounds["hello"].append(wrk(base + "/bench/hello", args.seconds))
            rounds["ledger"].append(wrk(base + url, args.seconds, cookie))
            rounds["dashboard"].append(wrk(base + "/dashboard/", args.seconds, cookie))
            rounds["submit"].append(wrk(base + "/api/public/suggestions", args.seconds, script=SUBMIT_LUA))
            rounds["ballot"].append(wrk(base + "/v/cast/", args.seconds, script=vote_lua))
            # The codes used in this round are spent: drop them from the file for the next one.
            unused = sh([str(ZHENWU), "shell", "-c", _UNUSED_CODES], env).splitlines()
            Path(codes).write_text("\n".join(c for c in unused if re.fullmatch(r"[2-9A-Z]{8}", c)) + "\n")
        hello = sum(r["ok_per_s"] for r in rounds["hello"]) / 2
        runs = ", ".join(f"{r['ok_per_s']:.0f}" for r in rounds["hello"])
        print(f"[{db}] hello: {hello:.0f} req/s (runs {runs})")
        labels = {
            "ledger": f"ledger list (50 rows, status+department filter, logged in, {queries} queries/page)",
            "dashboard": "领导驾驶舱 (all figures, logged in)",
            "submit": "public suggestion submit (POST, text only, rate limit checked, audited)",
            "ballot": "ballot cast on the phone page (POST, one-time code claimed, answers stored)",
        }
        for name, label in labels.items():
            mean = sum(r["ok_per_s"] for r in rounds[name]) / 2
            p50 = max(r["p50"] for r in rounds[name])
            p99 = max(r["p99"] for r in rounds[name])
            errors = sum(r["errors"] for r in rounds[name])
            print(
                f"[{db}] {label}: {mean:.0f} req/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
                f"non-2xx {errors}, ratio 1/{hello / mean:.1f} of hello"
            )
        report = sh([str(ZHENWU), "routing-report"], env).strip().splitlines()[:5]  # the history part
        print(f"[{db}] routing on the demo's triage history: " + "；".join(report))
        print(sh([str(PY), str(ROOT / "bench" / "bulletin.py")], env, cwd=ROOT).strip())
        if args.postgres and args.ballots:
            print(
                sh([str(PY), str(ROOT / "bench" / "big_tally.py"), str(args.ballots)], env, cwd=ROOT).strip()
            )
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(10)
        if stop_db:
            stop_db()


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
