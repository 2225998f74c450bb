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


@pytest.mark.django_db
def test_a_failing_task_is_recorded_and_the_others_still_run(monkeypatch, capsys):
    from zhenwu.core.models import TickRun

    calls = []

    def broken(now):
        raise ValueError("bad row")

    monkeypatch.setattr(tick, "TASKS", {"a_broken": broken, "b_fine": lambda now: calls.append(now) or 3})
    with pytest.raises(SystemExit) as exit_info:
        call_command("tick")
    assert exit_info.value.code == 1
    assert len(calls) == 1, "the task after the broken one still ran"
    out = capsys.readouterr()
    assert "b_fine: 3" in out.out
    assert "a_broken" in out.err
    runs = {run.task: run for run in TickRun.objects.all()}
    assert runs["a_broken"].ok is False and "bad row" in runs["a_broken"].error
    assert runs["b_fine"].ok is True and runs["b_fine"].count == 3
    assert tick.failed_tasks() == ["a_broken"]
    assert tick.last_run() is not None
