"""Build the one-town upgrade fixture (county plan, step 0): run by hand, never by the suite.

    cd <worktree> && PYTHONPATH=. /work/main/.venv/bin/python -m zhenwu.tests.upgrade.build_fixture

It builds a fresh SQLite database in a temporary folder, at a pinned clock, through the
services — the demo town's own seeders (zhenwu/demo), run with smaller numbers (fewer
villages, members, problems, answers and ballots) — and writes under one_town/:

- data.json.gz: `dumpdata` of every app (contenttypes, permissions and sessions left out:
  migrations make them, and loaddata would collide with the rows they made);
- figures.json: `figures-dump --today TODAY` of that database;
- audit_key: the key the audit chain was written under (a test key, published on purpose;
  loading the fixture verifies only under it).

Files (photos, evidence, the routing model) are not kept: the figures do not read them.
"""

from __future__ import annotations

import gzip
import io
import os
import sys
import tempfile
from contextlib import ExitStack
from datetime import date, datetime
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent / "one_town"
TODAY = date(2026, 11, 16)
# Mid-morning in the town: the demo's history is dated before it, its "today" is TODAY.
NOW = datetime(2026, 11, 16, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
AUDIT_KEY = "one-town-upgrade-fixture-audit-key-not-secret-0008"
# Left out of the dump: rows that migrate itself writes (they exist in any empty database).
EXCLUDED = ("contenttypes", "auth.permission", "sessions", "admin.logentry")


def _environment(work: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "zhenwu.settings"
    os.environ["ZHENWU_VAR_DIR"] = str(work)
    os.environ["ZHENWU_SQLITE_PATH"] = str(work / "one_town.sqlite3")
    os.environ["ZHENWU_MEDIA_ROOT"] = str(work / "media")
    os.environ["ZHENWU_AUDIT_KEY"] = AUDIT_KEY
    os.environ.pop("DATABASE_URL", None)


def _smaller(stack: ExitStack) -> None:
    """The demo town, reduced: a few hundred rows, every kind of record still made."""
    from zhenwu.demo import evaluation, ledger, suggestions, town

    stack.enter_context(mock.patch.object(town, "PARTY_MEMBERS", 90))
    stack.enter_context(mock.patch.object(town, "VILLAGES", town.VILLAGES[:4]))
    stack.enter_context(mock.patch.object(ledger, "PROBLEMS", 24))
    stack.enter_context(mock.patch.object(suggestions, "ANSWERS", 12))
    single = evaluation._single_question_survey

    def fewer_ballots(*args, plan, **kwargs):  # the demo's 2,200 respondents as 50 or so
        return single(*args, plan=[(name, max(3, n // 50)) for name, n in plan], **kwargs)

    stack.enter_context(mock.patch.object(evaluation, "_single_question_survey", fewer_ballots))
    # A reduced ballot count cannot print the demo's exact rates; one unhappy answer is enough.
    stack.enter_context(mock.patch.object(evaluation, "_unsatisfied_for", lambda n, target: 1))
    stack.enter_context(
        mock.patch.object(evaluation, "REVIEW", [(name, max(2, n // 5)) for name, n in evaluation.REVIEW])
    )


def build() -> None:
    import time_machine

    work = Path(tempfile.mkdtemp(prefix="zhenwu-one-town-"))
    _environment(work)
    import django

    django.setup()
    from django.core.management import call_command

    from zhenwu.bulletins.dump import figures_dump_json

    call_command("migrate", verbosity=0)
    with time_machine.travel(NOW, tick=False), ExitStack() as stack:
        _smaller(stack)
        from zhenwu.demo.town import seed_town

        seed_town()
        from zhenwu.tests.upgrade.extras import seed_extras

        seed_extras(today=TODAY)
        figures = figures_dump_json(TODAY)
    HERE.mkdir(exist_ok=True)
    out = io.StringIO()
    call_command("dumpdata", exclude=list(EXCLUDED), indent=None, stdout=out, natural_foreign=False)
    # mtime=0: the same data gives the same bytes.
    with gzip.GzipFile(HERE / "data.json.gz", "wb", mtime=0) as f:
        f.write(out.getvalue().encode("utf-8"))
    (HERE / "figures.json").write_text(figures, encoding="utf-8")
    (HERE / "audit_key").write_text(AUDIT_KEY + "\n", encoding="utf-8")
    sys.stdout.write(f"{HERE}: {(HERE / 'data.json.gz').stat().st_size} bytes; database in {work}\n")


if __name__ == "__main__":
    build()
