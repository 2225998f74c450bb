"""Oversized images against the real server: does the site keep answering?

    .venv/bin/python bench/big_images.py [--seconds 30] [--attackers 4] [--megapixels 119]

Issue 12 §3 found that two unauthenticated requests, each with six 119-megapixel PNGs
(highly compressible, so a few hundred KB each), held both gunicorn workers for 30 s. This
starts `zhenwu serve` (2 sync workers, no nginx: nginx buffers bodies but does not look at
pixels) on a loopback port, builds one such PNG, and has N threads post the public form with
six copies each, from changing addresses (one trusted proxy), while the sign-in page is timed
every half second. It prints how the attackers were answered and how the page fared.

Bounded by --seconds; the server is stopped at the end. Figures, not a test
(zhenwu/suggestions/tests/test_hostile_input.py tests the refusal itself).
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import shutil
import struct
import sys
import tempfile
import threading
import time
import zlib
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from slow_clients import HOST, start_app, stop, time_requests, wait_for  # noqa: E402


def compressible_png(megapixels: int) -> bytes:
    """A real, fully decodable black PNG of about `megapixels` MP (zlib streams the rows)."""
    side = int((megapixels * 1_000_000) ** 0.5)
    row = b"\x00" + b"\x00" * (side * 3)
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def _form_token(port: int) -> tuple[str, str]:
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    conn.request("GET", "/s/", headers={"Host": f"{HOST}:{port}"})
    response = conn.getresponse()
    page = response.read().decode()
    cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    conn.close()
    if not cookie or not token:
        raise RuntimeError("the form page carries no CSRF token")
    return cookie.group(1), token.group(1)


def _multipart(fields: dict[str, str], photo: bytes, copies: int) -> tuple[bytes, str]:
    boundary = f"zhenwu{random.getrandbits(64):x}"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    for n in range(copies):
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="p{n}.png"\r\n'
            "Content-Type: image/png\r\n\r\n".encode()
            + photo
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Attacker(threading.Thread):
    def __init__(self, port: int, photo: bytes, copies: int, until: float) -> None:
        super().__init__(daemon=True)
        self.port, self.photo, self.copies, self.until = port, photo, copies, until
        self.answers: Counter[str] = Counter()
        self.seconds: list[float] = []

    def run(self) -> None:
        while time.monotonic() < self.until:
            started = time.monotonic()
            try:
                cookie, token = _form_token(self.port)
                fields = {"csrfmiddlewaretoken": token, "text": "村口路灯坏了很久没人修"}
                body, kind = _multipart(fields, self.photo, self.copies)
                conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
                address = f"198.51.{random.randint(0, 255)}.{random.randint(1, 254)}"
                conn.request(
                    "POST", "/s/", body=body,
                    headers={"Host": f"{HOST}:{self.port}", "Content-Type": kind, "Cookie": f"csrftoken={cookie}",
                             "X-Forwarded-For": address},
                )  # fmt: skip
                status = conn.getresponse().status
                conn.close()
                self.answers[str(status)] += 1
            except OSError as exc:
                self.answers[type(exc).__name__] += 1
            self.seconds.append(time.monotonic() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--attackers", type=int, default=4)
    parser.add_argument("--copies", type=int, default=6, help="photos per request")
    parser.add_argument("--megapixels", type=int, default=119)
    parser.add_argument("--port", type=int, default=int(os.environ.get("ZHENWU_BENCH_PORT", 18125)))
    args = parser.parse_args()

    root = Path(tempfile.gettempdir()) / "zhenwu-bench-big-images"
    shutil.rmtree(root / "var", ignore_errors=True)
    (root / "var").mkdir(parents=True, exist_ok=True)
    photo = compressible_png(args.megapixels)
    print(
        f"big images: {args.attackers} attackers, {args.copies} × {args.megapixels} MP PNG "
        f"({len(photo) // 1024} KB each) per request, {args.seconds:.0f} s"
    )
    subprocess_env_migrate(root)
    app = start_app(args.port, root)
    try:
        wait_for(args.port, timeout=180)
        quiet = time_requests(args.port, 3)
        print(f"quiet:        {quiet.summary()}")
        until = time.monotonic() + args.seconds
        attackers = [Attacker(args.port, photo, args.copies, until) for _ in range(args.attackers)]
        for attacker in attackers:
            attacker.start()
        loaded = time_requests(args.port, args.seconds)
        for attacker in attackers:
            attacker.join(timeout=90)
        answers = sum((a.answers for a in attackers), Counter())
        took = sorted(s for a in attackers for s in a.seconds)
        print(f"attackers:    {sum(answers.values())} requests answered {dict(answers)}")
        if took:
            print(
                f"attackers:    median {took[len(took) // 2] * 1000:.0f} ms, worst {took[-1] * 1000:.0f} ms a request"
            )
        print(f"sign-in page: {loaded.summary()}")
        verdict = "keeps answering" if loaded.failures == 0 and loaded.longest_gap < 2 else "NOT answering"
        print(f"=> the site {verdict} while oversized images are posted")
    finally:
        stop(app)


def subprocess_env_migrate(root: Path) -> None:
    """The form needs its tables: `zhenwu serve` does not migrate a fresh var/."""
    import subprocess

    from slow_clients import ROOT, server_env

    subprocess.run(
        [sys.executable, "-m", "zhenwu", "migrate", "--no-input"], cwd=ROOT, env=server_env(root),
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip


if __name__ == "__main__":
    main()
