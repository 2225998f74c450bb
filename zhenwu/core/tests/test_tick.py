import threading

import pytest
from django.core.management import call_command
from django.utils import timezone

from zhenwu.core import tick
from zhenwu.core.tick import run_tick


@pytest.mark.django_db
def test_tick_runs_each_registered_task_once(monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(tick, "TASKS", {"count": lambda now: calls.append(now) or 1})
    call_command("tick")
    assert len(calls) == 1
    assert "count: 1" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_a_second_tick_while_one_runs_skips_instead_of_overlapping(monkeypatch):
    started, release = threading.Event(), threading.Event()
    results: list[object] = []

    def slow(now):
        started.set()
        release.wait(5)
        return 1

    monkeypatch.setattr(tick, "TASKS", {"slow": slow})

    def first_tick():
        from django.db import connection

        results.append(run_tick(timezone.now()))
        connection.close()

    first = threading.Thread(target=first_tick)
    first.start()
    assert started.wait(5)
    second = run_tick(timezone.now())
    release.set()
    first.join()
    assert second is None
    assert results == [{"slow": 1}]
