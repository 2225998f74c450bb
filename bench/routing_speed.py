"""Time one suggestion's routing after warm-up: `route()` as the triage page calls it
(database reads included) and the catalogue's scoring alone, over the evaluation set's texts.

    ZHENWU_VAR_DIR=var/bench .venv/bin/python bench/routing_speed.py

Uses whatever town the database holds (the demo town after `make seed`).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhenwu.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from zhenwu.suggestions import text  # noqa: E402
from zhenwu.suggestions.catalogue import town_catalogue  # noqa: E402
from zhenwu.suggestions.routing import rank, route  # noqa: E402
from zhenwu.suggestions.routing_eval import load_messages  # noqa: E402


def timed(label: str, call, texts: list[str]) -> None:
    """Wall time, and this process's CPU time (on a shared 2-core machine, the honest one)."""
    spent, cpu = [], []
    for t in texts:
        start, start_cpu = time.perf_counter(), time.process_time()
        call(t)
        spent.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    spent.sort()
    p95 = spent[int(len(spent) * 0.95)]
    print(
        f"{label:<34} wall: median {spent[len(spent) // 2]:5.2f} ms, p95 {p95:5.2f} ms;"
        f" cpu: mean {statistics.mean(cpu):5.2f} ms"
    )


def main() -> None:
    texts = [m.text for m in load_messages()]
    start = time.perf_counter()
    text.tokens("预热")
    print(f"jieba's first load (dictionary and cache): {(time.perf_counter() - start) * 1000:.0f} ms")
    start = time.perf_counter()
    catalogue = town_catalogue()
    route(texts[0])
    print(f"first route() (catalogue snapshot, model file): {(time.perf_counter() - start) * 1000:.0f} ms")
    with CaptureQueriesContext(connection) as queries:
        route(texts[1])
    print(f"queries per route(): {len(queries.captured_queries)}")
    timed("route() (as the triage page)", route, texts)
    timed("catalogue scoring alone (rank)", lambda t: rank(t, catalogue), texts)
    timed("normalise + tokens", text.tokens, texts)
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
