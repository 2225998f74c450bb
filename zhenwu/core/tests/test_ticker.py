"""The demo's background tick: `zhenwu serve` runs `zhenwu tick` every N minutes when told to,
never two at once, and Ctrl+C or SIGTERM stops the server and the tick cleanly."""

import os
import signal
import sys
import threading
import time

from django.core.management import call_command

from zhenwu.core import ticker as ticker_module
from zhenwu.core.management.commands import serve
from zhenwu.core.ticker import Ticker

PY = sys.executable


def _counting(tmp_path, seconds: float = 0.0) -> list[str]:
    """A stand-in for `zhenwu tick` that notes when it starts and ends."""
    log = tmp_path / "runs"
    code = (
        f"import time; f = open({str(log)!r}, 'a'); f.write('start\\n'); f.flush(); "
        f"time.sleep({seconds}); f.write('end\\n')"
    )
    return [PY, "-c", code]


def test_the_ticker_runs_its_command_again_and_again_never_two_at_once(tmp_path):
    ticker = Ticker(0.1, command=_counting(tmp_path, 0.3), first_after=0)
    ticker.start()
    time.sleep(2.0)
    ticker.stop()
    lines = (tmp_path / "runs").read_text().split()
    assert ticker.runs >= 3 and not ticker.is_alive()
    # start/end strictly alternate (the last run may be cut short by the stop): a run never
    # began while the one before was still going.
    assert lines[0] == "start" and all(a != b for a, b in zip(lines, lines[1:], strict=False))
    # The run the stop cut short may have been ended before its first line.
    assert ticker.runs - 1 <= lines.count("start") <= ticker.runs


def test_stopping_ends_a_running_tick_at_once(tmp_path):
    ticker = Ticker(60, command=_counting(tmp_path, 30), first_after=0)
    ticker.start()
    time.sleep(0.5)
    started = time.monotonic()
    ticker.stop()
    assert time.monotonic() - started < 5 and not ticker.is_alive()
    assert (tmp_path / "runs").read_text().split() == ["start"]  # ended before its 30 s were up


def test_the_first_run_waits_for_the_server_to_come_up(tmp_path):
    ticker = Ticker(0.1, command=_counting(tmp_path), first_after=30)
    ticker.start()
    time.sleep(0.5)
    ticker.stop()
    assert ticker.runs == 0 and not (tmp_path / "runs").exists()


def test_sigterm_stops_the_server_then_the_ticker(tmp_path):
    stopped = tmp_path / "server-stopped"
    fake_server = [
        PY, "-c",
        "import signal, sys, time\n"
        f"def bye(*a): open({str(stopped)!r}, 'w').write('ok'); sys.exit(0)\n"
        "signal.signal(signal.SIGTERM, bye)\n"
        "time.sleep(60)\n",
    ]  # fmt: skip
    ticker = Ticker(0.2, command=_counting(tmp_path), first_after=0)
    before = signal.getsignal(signal.SIGTERM)
    threading.Timer(1.5, os.kill, args=(os.getpid(), signal.SIGTERM)).start()
    started = time.monotonic()
    code = serve.serve_with_ticker(fake_server, every=0.2, ticker=ticker)
    assert code == 0 and stopped.read_text() == "ok"
    assert time.monotonic() - started < 10
    assert not ticker.is_alive() and ticker.runs >= 1
    assert signal.getsignal(signal.SIGTERM) is before


def test_serve_execs_gunicorn_alone_unless_told_to_tick(monkeypatch, settings):
    calls = []
    monkeypatch.setattr(serve, "_collect_static_if_changed", lambda: None)
    monkeypatch.setattr(serve.os, "execv", lambda path, argv: calls.append(("exec", argv)))
    monkeypatch.setattr(serve, "serve_with_ticker", lambda argv, every: calls.append(("tick", every)) or 0)
    call_command("serve", port=8123)
    assert calls[-1][0] == "exec" and "gunicorn" in calls[-1][1]
    try:
        call_command("serve", port=8123, tick_minutes=5)
    except SystemExit as exit_:
        assert exit_.code == 0
    assert calls[-1] == ("tick", 300)
    assert ticker_module.TICK_COMMAND[1:] == ("-m", "zhenwu", "tick")
