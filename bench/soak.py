"""Soak run: mixed traffic against the real server for a bounded time; exits 1 when a target is missed.

python bench/soak.py --db sqlite|postgresql --minutes 30 [--concurrency 8] [--problems 20000]

A fresh town (seed-demo + seed-scale) under var/soak-<db>/, `zhenwu serve` (gunicorn, 2 workers)
on --port, and `--concurrency` simulated users in threads, in four roles taken in turn:
residents submitting suggestions (the API, and the phone form with CSRF, sometimes a photo),
voters casting ballots with one-time codes, staff reading the ledger list with filters, the
驾驶舱 and problem pages, and owners filing progress reports through the form. Besides them one
address floods the submit API (the per-address limit must hold), and `zhenwu tick` runs every
minute. Each minute prints requests/s, p50/p99 and errors per kind, the workers' RSS and CPU.
At the end the database must hold exactly the acknowledged rows and `audit verify` say 完整.

Targets (exit 1 when one is missed): no 5xx and no other unexpected answer or transport error,
worker RSS growth < 10 % from the end of the first minute (warm) to the end, no worker
restarted, stored rows = acknowledged, audit chain 完整, every tick exits 0.
"""

from __future__ import annotations

import argparse
import http.client
import io
import itertools
import json
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(BENCH))
from load import start_postgres  # noqa: E402  the same private cluster the bench uses

PY = sys.executable  # the venv's python; PYTHONPATH below makes it import this checkout
TICK = os.sysconf("SC_CLK_TCK")
HZ_LIMIT = int(os.environ.get("ZHENWU_SUGGEST_PER_IP_HOUR", "20"))


def sh(args: list[str], env: dict[str, str], timeout: float = 1800) -> str:
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    if done.returncode:
        raise SystemExit(f"{' '.join(args)} exited {done.returncode}:\n{done.stderr[-3000:]}")
    return done.stdout


# --- measurements ---------------------------------------------------------------------------


class Stats:
    """Answers per minute and kind: latencies and a label per answer ("ok" or what went wrong)."""

    def __init__(self, t0: float) -> None:
        self.t0 = t0
        self.lock = threading.Lock()
        self.lat: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        self.labels: dict[int, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
        self.samples: list[str] = []  # the first few unexpected answers, for the log

    def add(self, kind: str, label: str, seconds: float, note: str = "") -> None:
        minute = int((time.monotonic() - self.t0) // 60)
        with self.lock:
            self.lat[minute][kind].append(seconds)
            self.labels[minute][kind][label] += 1
            if label not in ("ok", "throttled"):
                self.sample(f"{kind} {label} {note}")

    def sample(self, text: str) -> None:
        if len(self.samples) < 20:
            self.samples.append(text[:400])

    def minute(self, m: int) -> tuple[dict[str, list[float]], dict[str, Counter[str]]]:
        with self.lock:
            return {k: list(v) for k, v in self.lat[m].items()}, {
                k: Counter(v) for k, v in self.labels[m].items()
            }

    def whole(self) -> tuple[dict[str, list[float]], dict[str, Counter[str]]]:
        lat: dict[str, list[float]] = defaultdict(list)
        labels: dict[str, Counter[str]] = defaultdict(Counter)
        with self.lock:
            for m in self.lat:
                for k, v in self.lat[m].items():
                    lat[k] += v
                for k, c in self.labels[m].items():
                    labels[k] += c
        return lat, labels


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else 0.0


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def all_pids() -> list[int]:
    return [int(e.name) for e in Path("/proc").iterdir() if e.name.isdigit()]


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def workers(master: int) -> list[int]:
    """The children of `master` (gunicorn's workers, or a postmaster's backends)."""
    found = []
    for pid in all_pids():
        try:
            if int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1]) == master:
                found.append(pid)
        except (OSError, IndexError):
            pass
    return sorted(found)


# --- the HTTP side: one connection per request, as gunicorn's sync workers close each one -----


def multipart(fields: list[tuple[str, str]], files: list[tuple[str, str, bytes]] = ()) -> tuple[bytes, str]:
    boundary = f"----soak{random.getrandbits(64):016x}"
    out = io.BytesIO()
    for name, value in fields:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, filename, data in files:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: image/jpeg\r\n\r\n".encode()
        )
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser:
    """A user's cookies and address; each request is timed and labelled into Stats."""

    def __init__(self, run: Run, ip: str) -> None:
        self.run, self.ip, self.cookies = run, ip, {}

    def go(
        self, kind: str, method: str, path: str, body: bytes | None = None, ctype: str = "",
        expect: tuple[int, ...] = (200,),
    ) -> tuple[int, dict[str, str], str]:  # fmt: skip
        headers = {"X-Forwarded-For": self.ip, "User-Agent": "zhenwu-soak"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            headers["Origin"] = self.run.base  # what a browser sends; CSRF checks it
            headers["Content-Type"] = ctype
        start = time.perf_counter()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.run.port, timeout=60)
            conn.request(method, path, body=body, headers=headers)
            answer = conn.getresponse()
            text = answer.read().decode("utf-8", "replace")
            conn.close()
        except (OSError, http.client.HTTPException) as exc:
            self.run.stats.add(kind, f"transport:{type(exc).__name__}", time.perf_counter() - start, path)
            return 0, {}, ""
        seconds = time.perf_counter() - start
        for cookie in answer.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        status = answer.status
        label = ("throttled" if status == 429 else "ok") if status in expect else str(status)
        self.run.stats.add(kind, label, seconds, f"{method} {path} -> {answer.headers.get('Location', '')}")
        return status, {k.lower(): v for k, v in answer.headers.items()}, text

    def token(self, page: str) -> str:
        found = TOKEN.search(page)
        return found.group(1) if found else ""

    def login(self, username: str, password: str) -> bool:
        _status, _h, page = self.go("login_page", "GET", "/login/")
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": self.token(page), "username": username, "password": password, "next": ""}
        ).encode()
        status, headers, _ = self.go(
            "login", "POST", "/login/", body, "application/x-www-form-urlencoded", expect=(302,)
        )
        return status == 302 and "sessionid" in self.cookies


# --- what the users do -----------------------------------------------------------------------

PLACES = ["村口", "小学门口", "菜市场", "卫生院旁", "文化广场", "三组", "河堤", "老街"]
ISSUES = [
    "路灯坏了好几盏，晚上太黑，老人出门不安全，希望尽快修复",
    "垃圾清运不及时，天热有异味，希望增加清运次数",
    "排水沟堵塞，一下雨就积水，出行困难",
    "道路坑洼不平，电动车经常摔倒，希望修补",
    "健身器材损坏，孩子玩耍有危险，请尽快更换",
]


class Run:
    def __init__(
        self, args: argparse.Namespace, base: str, plan: dict[str, Any], ballot: dict[str, str]
    ) -> None:
        self.args, self.base, self.port = args, base, args.port
        self.plan, self.ballot = plan, ballot
        self.stop = threading.Event()
        self.stats = Stats(time.monotonic())
        self.lock = threading.Lock()
        self.addresses = itertools.count()
        self.receipts: list[str] = []
        self.photos = 0
        self.ballots = 0
        self.flood_accepted = 0
        self.reports: list[list[Any]] = []
        self.codes = iter(Path(ballot["codes"]).read_text().split())
        self.owner_accounts = iter(plan["owners"])
        self.notes: list[str] = []
        self.photo = self._photo()

    @staticmethod
    def _photo() -> bytes:
        """A phone-sized JPEG of noise (about 200 KB): the server checks and thumbnails it."""
        from PIL import Image

        out = io.BytesIO()
        Image.effect_noise((1024, 768), 60).convert("RGB").save(out, "JPEG", quality=80)
        return out.getvalue()

    def address(self) -> str:
        # Ten submits per address, well under the hourly limit of 20: every request still runs
        # the limit's count, and that count is not always zero.
        n = next(self.addresses) // 10
        return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"

    def text(self) -> str:
        return f"{random.choice(PLACES)}{random.choice(ISSUES)}（第{random.randint(1, 99999)}号反映）"

    def pause(self) -> None:
        if self.args.think:
            self.stop.wait(random.expovariate(1 / self.args.think))

    # residents
    def resident(self) -> None:
        for n in itertools.count():
            if self.stop.is_set():
                return
            if n % 3 == 2:
                self.resident_form()
            else:
                self.resident_api()
            self.pause()

    def resident_api(self) -> None:
        browser = Browser(self, self.address())
        payload: dict[str, Any] = {"text": self.text()}
        if random.random() < 0.3:
            payload["phone"] = f"139{random.randint(0, 99999999):08d}"
        status, _h, text = browser.go(
            "submit_api", "POST", "/api/public/suggestions", json.dumps(payload).encode(),
            "application/json", expect=(201,),
        )  # fmt: skip
        if status == 201:
            with self.lock:
                self.receipts.append(json.loads(text)["receipt"])

    def resident_form(self) -> None:
        browser = Browser(self, self.address())
        status, _h, page = browser.go("s_page", "GET", "/s/")
        if status != 200:
            return
        villages = re.findall(
            r'<option value="(\d+)"', page.split('name="village"', 1)[-1].split("</select>", 1)[0]
        )
        fields = [
            ("csrfmiddlewaretoken", browser.token(page)), ("text", self.text()),
            ("village", random.choice(villages) if villages else ""), ("category", ""), ("name", ""),
            ("phone", ""), ("website", ""),
        ]  # fmt: skip
        photo = random.random() < 0.1
        body, ctype = multipart(fields, [("photos", "photo.jpg", self.photo)] if photo else [])
        status, headers, _ = browser.go("s_form", "POST", "/s/", body, ctype, expect=(302,))
        found = re.match(r"/s/([^/]+)/\?new=1$", headers.get("location", ""))
        if status == 302 and found:
            with self.lock:
                self.receipts.append(found.group(1))
                self.photos += photo
            browser.go("s_follow", "GET", headers["location"])
        elif status == 302:
            self.stats.sample(f"s_form redirected without a receipt: {headers.get('location', '')}")

    def flood(self) -> None:
        """One address over its limit: after HZ_LIMIT accepted in the hour, every one is a 429."""
        browser = Browser(self, "192.0.2.1")
        while not self.stop.wait(2):
            status, _h, text = browser.go(
                "submit_flood", "POST", "/api/public/suggestions",
                json.dumps({"text": self.text()}).encode(), "application/json", expect=(201, 429),
            )  # fmt: skip
            if status == 201:
                with self.lock:
                    self.receipts.append(json.loads(text)["receipt"])
                    self.flood_accepted += 1

    # voters
    def voter(self) -> None:
        browser = Browser(self, self.address())
        _status, _h, page = browser.go("v_page", "GET", "/v/")
        token = browser.token(page)
        while not self.stop.is_set():
            with self.lock:
                code = next(self.codes, None)
            if code is None:
                self.notes.append("voting codes ran out: raise --codes-per-minute")
                return
            form = {"csrfmiddlewaretoken": token, "code": code}
            body = urllib.parse.urlencode(form).encode()
            status, _h, page = browser.go(
                "ballot_open", "POST", "/v/", body, "application/x-www-form-urlencoded"
            )
            if status != 200:
                continue
            form[self.ballot["field"]] = str(random.randint(0, 3))
            body = urllib.parse.urlencode(form).encode()
            status, headers, page = browser.go(
                "ballot_cast", "POST", "/v/cast/", body, "application/x-www-form-urlencoded", expect=(302,)
            )
            # A cast answers with a redirect to the thank-you page (a refresh must not re-post).
            if status == 302 and headers.get("location", "").endswith("/v/done/"):
                with self.lock:
                    self.ballots += 1
            elif status == 200:
                self.stats.sample(
                    f"ballot_cast answered 200 instead of the thank-you redirect: {_errors(page)}"
                )
            self.pause()

    # staff
    def staff(self, account: dict[str, str]) -> None:
        browser = Browser(self, f"172.16.0.{random.randint(2, 250)}")
        if not browser.login(account["username"], account["password"]):
            self.notes.append(f"{account['username']} could not log in")
            return
        urls = [urllib.parse.quote(u, safe="/?=&") for u in self.plan["ledger_urls"]]
        while not self.stop.is_set():
            pick = random.random()
            if pick < 0.5:
                browser.go("ledger", "GET", random.choice(urls))
            elif pick < 0.7:
                browser.go("dashboard", "GET", "/dashboard/")
            else:
                browser.go("problem", "GET", f"/ledger/{random.choice(self.plan['problem_ids'])}/")
            self.pause()

    # owners
    def owner(self) -> None:
        while not self.stop.is_set():
            with self.lock:
                account = next(self.owner_accounts, None)
            if account is None:
                self.notes.append("an owner ran out of report periods: raise --problems")
                return
            browser = Browser(self, f"172.16.1.{random.randint(2, 250)}")
            if not browser.login(account["username"], account["password"]):
                self.notes.append(f"{account['username']} could not log in")
                continue
            for pk, key in account["pairs"]:
                if self.stop.is_set():
                    return
                self.file_report(browser, pk, key)
                self.pause()

    def file_report(self, browser: Browser, pk: int, key: str) -> None:
        status, _h, page = browser.go("report_form", "GET", f"/ledger/{pk}/report/")
        if status != 200:
            return
        body, ctype = multipart(
            [
                ("csrfmiddlewaretoken", browser.token(page)), ("progress", str(random.randint(10, 90))),
                ("done", "已组织人员现场核查，完成部分整改，群众反映问题已逐项登记。"),
                ("difficulties", "资金尚未全部到位"), ("next_steps", "下半月完成剩余整改并组织自查"),
                ("period_key", key), ("submit", "submit"),
            ]
        )  # fmt: skip
        status, headers, page = browser.go(
            "report", "POST", f"/ledger/{pk}/report/", body, ctype, expect=(302,)
        )
        if status == 302:
            with self.lock:
                self.reports.append([pk, key])
            browser.go("problem", "GET", headers["location"])  # the page the form returns to
        elif status == 200:  # the form again, with the refusal
            self.stats.sample(f"report {pk} {key} refused: {_errors(page)}")


def _errors(page: str) -> str:
    found = re.findall(r'class="(?:invalid-feedback|alert alert-danger)[^"]*"[^>]*>(.*?)</div>', page, re.S)
    return " | ".join(re.sub(r"<[^>]+>", "", f).strip() for f in found)[:300]


# --- the run ---------------------------------------------------------------------------------


def ticker(run: Run, env: dict[str, str], log: list[dict[str, Any]]) -> None:
    """`zhenwu tick` on the minute, as cron would start it (straight after, when one overruns)."""
    for k in itertools.count(1):
        if run.stop.wait(max(0, run.stats.t0 + 60 * k - time.monotonic())):
            return
        start = time.monotonic()
        done = subprocess.run([PY, "-m", "zhenwu", "tick"], env=env, cwd=ROOT, capture_output=True, text=True)
        log.append(
            {
                "minute": int((start - run.stats.t0) // 60),
                "rc": done.returncode,
                "seconds": round(time.monotonic() - start, 1),
                "stderr": done.stderr.strip()[-2000:],
                "tasks": " ".join(
                    line.replace(": ", "=") for line in done.stdout.split("\n") if ": " in line
                ),
            }
        )


KINDS = [
    "submit_api", "s_page", "s_form", "s_follow", "submit_flood", "v_page", "ballot_open", "ballot_cast",
    "login_page", "login", "ledger", "dashboard", "problem", "report_form", "report",
]  # fmt: skip


def table(lat: dict[str, list[float]], labels: dict[str, Counter[str]], seconds: float) -> list[str]:
    rows = [f"    {'kind':<13}{'n':>7}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}  not ok"]
    for kind in KINDS:
        if kind not in labels:
            continue
        bad = {k: v for k, v in labels[kind].items() if k != "ok"}
        rows.append(
            f"    {kind:<13}{len(lat[kind]):>7}{len(lat[kind]) / seconds:>8.1f}"
            f"{pct(lat[kind], 0.5):>9.1f}{pct(lat[kind], 0.99):>9.1f}  {dict(bad) if bad else ''}"
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--concurrency", type=int, default=8, help="simulated users (at least 4)")
    parser.add_argument("--think", type=float, default=0.0, help="mean seconds between a user's actions")
    parser.add_argument("--problems", type=int, default=20_000, help="seed-scale problems on top of the demo")
    parser.add_argument("--codes-per-minute", type=int, default=2500, help="voting codes prepared")
    parser.add_argument("--port", type=int, default=int(os.environ.get("ZHENWU_SOAK_PORT", "18200")))
    parser.add_argument("--pg-port", type=int, default=int(os.environ.get("ZHENWU_SOAK_PGPORT", "15503")))
    args = parser.parse_args()
    args.concurrency = max(4, args.concurrency)
    var = ROOT / "var" / f"soak-{args.db}"
    shutil.rmtree(var, ignore_errors=True)  # a fresh town each run: the counts compare like with like
    var.mkdir(parents=True)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "ZHENWU_BENCH": "true",
        "ZHENWU_DEBUG": "false",
        "ZHENWU_VAR_DIR": str(var),
        "ZHENWU_STATIC_ROOT": str(ROOT / "var" / "soak-static"),  # collected once for both databases
        # Residents reach the town through its proxy: X-Forwarded-For carries each phone's address,
        # so the per-address limit is counted for every submit as in real use (see Run.address).
        "ZHENWU_TRUSTED_PROXIES": "1",
    }
    tag = f"[soak {args.db}]"
    stop_db = server = None
    log = open(var / "server.log", "w")  # noqa: SIM115 - closed in the finally below
    try:
        t = time.monotonic()
        if args.db == "postgresql":
            env["DATABASE_URL"], stop_db = start_postgres(args.pg_port)
            subprocess.run(
                ["su", "postgres", "-c", f"createdb -h 127.0.0.1 -p {args.pg_port} zhenwu_bench"], check=True
            )
        sh([PY, "-m", "zhenwu", "migrate", "--no-input", "-v0"], env)
        sh([PY, "-m", "zhenwu", "seed-demo"], env)
        sh([PY, "-m", "zhenwu", "seed-scale", "--problems", str(args.problems)], env)
        server = subprocess.Popen(
            [PY, "-m", "zhenwu", "serve", "--port", str(args.port)], env=env, cwd=ROOT,
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        base = f"http://127.0.0.1:{args.port}"
        for _ in range(600):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=2)
                conn.request("GET", "/bench/hello")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        else:
            raise SystemExit(f"{tag} the server did not start: see {var / 'server.log'}")
        sh([PY, str(BENCH / "prepare.py")], env)  # bench-office
        codes = int(args.codes_per_minute * args.minutes) + 2000
        cookie, token, field, codes_file = sh(
            [PY, str(BENCH / "prepare_ballots.py"), str(codes)], env
        ).split()[-4:]
        owners = sum(1 for i in range(args.concurrency) if i % 4 == 3)
        print(sh([PY, str(BENCH / "prepare_soak.py"), str(owners * 3), str(var / "plan.json")], env).strip())
        plan = json.loads((var / "plan.json").read_text())
        print(
            f"{tag} ready in {time.monotonic() - t:.0f} s: demo + {args.problems} problems, {codes} voting codes"
        )

        master = server.pid
        pids = workers(master)
        cold = {p: rss_kb(p) for p in pids}
        run = Run(args, base, plan, {"field": field, "codes": codes_file})
        started_at = datetime.now(UTC)
        threads = [threading.Thread(target=run.flood, daemon=True)]
        staff_accounts = itertools.cycle(plan["staff"])
        for i in range(args.concurrency):
            role = ["resident", "voter", "staff", "owner"][i % 4]
            extra = (next(staff_accounts),) if role == "staff" else ()
            threads.append(threading.Thread(target=getattr(run, role), args=extra, daemon=True))
        ticks: list[dict[str, Any]] = []
        threads.append(threading.Thread(target=ticker, args=(run, env, ticks), daemon=True))
        run.stats.t0 = time.monotonic()
        for th in threads:
            th.start()

        postmaster = next(
            (p for p in all_pids() if f"port={args.pg_port}" in cmdline(p) and "postgres" in cmdline(p)), None
        ) if args.db == "postgresql" else None  # fmt: skip

        family: dict[int, set[int]] = defaultdict(set)  # a parent and every child it had
        seen: dict[int, float] = {}  # each one's CPU seconds when last seen

        def tree_cpu(parent: int) -> float:
            """A process and its children, counting those that have exited since (a database
            backend ends with its connection: its CPU must not drop out of the sum)."""
            family[parent].update([parent, *workers(parent)])
            for p in family[parent]:
                seen[p] = max(seen.get(p, 0.0), cpu_seconds(p))
            return sum(seen[p] for p in family[parent])

        def cpu() -> dict[str, float]:
            """CPU seconds so far: ours, the server's, the database's, the ticks', and the machine's."""
            me, ticks_done = (
                resource.getrusage(resource.RUSAGE_SELF),
                resource.getrusage(resource.RUSAGE_CHILDREN),
            )
            stat = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
            return {
                "load": me.ru_utime + me.ru_stime,
                "server": tree_cpu(master),
                "db": tree_cpu(postmaster) if postmaster else 0.0,
                "tick": ticks_done.ru_utime + ticks_done.ru_stime,
                "busy": sum(stat[i] for i in (0, 1, 2, 5, 6)) / TICK,  # user nice system irq softirq
                "steal": stat[7] / TICK,
            }

        minutes = max(1, round(args.minutes))
        warm: dict[int, int] = {}
        rows: list[dict[str, Any]] = []
        last_cpu, last_t = cpu(), time.monotonic()
        for m in range(minutes):
            run.stop.wait(max(0, run.stats.t0 + 60 * (m + 1) - time.monotonic()))
            if m == minutes - 1:
                run.stop.set()
                for th in threads:
                    th.join(120)
            now_cpu, now_t = cpu(), time.monotonic()
            span = now_t - last_t
            use = {k: (now_cpu[k] - last_cpu[k]) / span for k in now_cpu}
            use["others"] = max(0.0, use["busy"] - use["load"] - use["server"] - use["db"] - use["tick"])
            load_cpu, server_cpu = use["load"], use["server"]
            last_cpu, last_t = now_cpu, now_t
            rss = {p: rss_kb(p) for p in workers(master)}
            if m == 0:
                warm = dict(rss)
            lat, labels = run.stats.minute(m)
            total = sum(len(v) for v in lat.values())
            fivexx = sum(n for c in labels.values() for k, n in c.items() if k.startswith("5"))
            tick = [f"rc={x['rc']} {x['seconds']}s" for x in ticks if x["minute"] == m]
            print(
                f"{tag} {time.strftime('%H:%M:%S')} minute {m + 1}: {total / 60:.1f} req/s, 5xx {fivexx}, "
                f"RSS MB {' '.join(f'{v / 1024:.1f}' for v in rss.values())}, "
                f"tick {', '.join(tick) or '-'}\n"
                f"    CPU (100% = one of the 2 cores): load generator {load_cpu:.0%}, server {server_cpu:.0%} "
                f"({1000 * server_cpu * 60 / max(total, 1):.1f} ms a request), database {use['db']:.0%}, "
                f"tick {use['tick']:.0%}, other users of the machine {use['others']:.0%}, steal {use['steal']:.0%}"
            )
            print("\n".join(table(lat, labels, 60)), flush=True)
            rows.append(
                {
                    "minute": m + 1, "rps": total / 60, "rss_kb": rss, "load_cpu": load_cpu, "server_cpu": server_cpu, "cpu": use,
                    "kinds": {k: {"n": len(v), "p50": pct(v, 0.5), "p99": pct(v, 0.99), "labels": dict(labels[k])}
                              for k, v in lat.items()},
                }
            )  # fmt: skip
        end_rss = {p: rss_kb(p) for p in workers(master)}
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
        server = None
        (var / "acks.json").write_text(
            json.dumps(
                {
                    "started_at": started_at.isoformat(),
                    "receipts": run.receipts,
                    "photos": run.photos,
                    "ballots": run.ballots,
                    "reports": run.reports,
                }
            )
        )
        check = json.loads(
            sh([PY, str(BENCH / "soak_check.py"), str(var / "acks.json")], env).strip().splitlines()[-1]
        )
        verify = subprocess.run(
            [PY, "-m", "zhenwu", "audit", "verify"], env=env, cwd=ROOT, capture_output=True, text=True
        )
        verify_text = (verify.stdout + verify.stderr).strip()
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)
        if stop_db:
            stop_db()
        log.close()

    # --- the verdict ----------------------------------------------------------------------
    lat, labels = run.stats.whole()
    seconds = 60 * minutes
    print(f"{tag} whole run, {minutes} min, concurrency {args.concurrency}, think {args.think}s:")
    print("\n".join(table(lat, labels, seconds)))

    def avg(key: str) -> str:
        return f"{sum(r['cpu'][key] for r in rows) / len(rows):.0%}"

    if len(rows) > 1:
        first, last = rows[0]["kinds"], rows[-1]["kinds"]
        print(f"{tag} minute 1 against minute {len(rows)} (n, p50 ms, p99 ms):")
        for kind in KINDS:
            if kind in first and kind in last:
                a, b = first[kind], last[kind]
                print(
                    f"    {kind:<13}{a['n']:>7}{a['p50']:>8.0f}{a['p99']:>8.0f}   ->{b['n']:>7}{b['p50']:>8.0f}{b['p99']:>8.0f}"
                )
    print(
        f"{tag} CPU on average (100% = one core): load generator {avg('load')}, server {avg('server')}, "
        f"database {avg('db')}, tick {avg('tick')}, other users of the machine {avg('others')}, steal {avg('steal')}; "
        f"server CPU a request {1000 * sum(r['cpu']['server'] for r in rows) * 60 / max(1, sum(r['rps'] * 60 for r in rows)):.1f} ms"
    )
    missed = []
    fivexx = sum(n for c in labels.values() for k, n in c.items() if k.startswith("5"))
    unexpected = sum(
        n
        for c in labels.values()
        for k, n in c.items()
        if k not in ("ok", "throttled") and not k.startswith("5")
    )
    if fivexx:
        missed.append(f"{fivexx} answers 5xx (tracebacks in {var / 'server.log'})")
    if unexpected:
        missed.append(f"{unexpected} unexpected answers or transport errors")
    for p in sorted(cold):
        if p not in end_rss:
            missed.append(f"worker {p} is gone (restarted: see server.log)")
    for p, end in end_rss.items():
        start = warm.get(p)
        if start is None:
            missed.append(f"worker {p} started during the run")
            continue
        growth = (end - start) / start
        print(
            f"{tag} worker {p} RSS: {cold.get(p, 0) / 1024:.1f} MB before load, {start / 1024:.1f} MB after "
            f"minute 1, {end / 1024:.1f} MB at the end: {growth:+.1%}"
        )
        if growth >= 0.10:
            missed.append(f"worker {p} RSS grew {growth:.1%}")
    flood_ok = run.flood_accepted
    print(
        f"{tag} flood from one address: {flood_ok} accepted (limit {HZ_LIMIT} an hour), {labels['submit_flood']['throttled'] if 'submit_flood' in labels else 0} refused with 429"
    )
    if flood_ok > HZ_LIMIT:
        missed.append(f"one address got {flood_ok} submits through, over the limit of {HZ_LIMIT}")
    print(f"{tag} stored vs acknowledged: {json.dumps(check, ensure_ascii=False)}")
    for what in ("suggestions", "reports"):
        if check[what]["stored"] != check[what]["acknowledged"] or check[what]["lost"]:
            missed.append(
                f"{what}: {check[what]['stored']} stored, {check[what]['acknowledged']} acknowledged, {check[what]['lost']} lost"
            )
    if not check["ballots"]["stored"] == check["ballots"]["codes_used"] == check["ballots"]["acknowledged"]:
        missed.append(f"ballots: {check['ballots']}")
    if check["photos"]["stored"] != check["photos"]["acknowledged"]:
        missed.append(f"photos: {check['photos']}")
    print(f"{tag} audit verify: {verify_text}")
    if verify.returncode or "完整" not in verify_text:
        missed.append("audit verify did not say 完整")
    print(f"{tag} tick: {len(ticks)} runs, exit codes {dict(Counter(x['rc'] for x in ticks))}, "
          f"{max((x['seconds'] for x in ticks), default=0)} s the longest")  # fmt: skip
    for x in ticks[:1] + ticks[1:][-1:]:
        print(f"{tag} tick in minute {x['minute'] + 1}: {x['seconds']} s, {x['tasks']}")
    for x in ticks:
        if x["rc"]:
            missed.append(f"tick in minute {x['minute'] + 1} exited {x['rc']}: {x['stderr'][-300:]}")
    for note in sorted(set(run.notes)):
        print(f"{tag} note: {note}")
    for sample in run.stats.samples:
        print(f"{tag} unexpected: {sample}")
    # Kept outside var/soak-<db>/, which the next run starts by deleting.
    results = ROOT / "var" / "soak-results"
    results.mkdir(exist_ok=True)
    name = f"{args.db}-{minutes}min-{started_at.astimezone():%Y%m%d-%H%M}.json"
    (results / name).write_text(
        json.dumps({"minutes": rows, "check": check, "ticks": ticks, "missed": missed}, ensure_ascii=False)
    )
    print(f"{tag} figures by minute: {results / name}")
    for line in missed:
        print(f"{tag} TARGET MISSED: {line}")
    print(f"{tag} {'FAILED' if missed else 'all targets met'}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
