"""Time to read, plan and commit a 10,000-row ledger sheet (SQLite unless DATABASE_URL is set).

ZHENWU_VAR_DIR=var/bench-import .venv/bin/python bench/import_10k.py

The sheet is shaped like a town's: a 完成情况 column beside the others, a third of the rows
已完成 (imported closed, with their 销号 steps), the rest 正在整改. Every row goes through the
ledger's services with its audit events; the figure to beat was 141 s for the commit (71 rows/s)
before the writes and the audit chain were batched. The chain is verified afterwards.
"""

import io
import os
import random
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhenwu.settings")
os.environ.setdefault("ZHENWU_VAR_DIR", str(Path(__file__).resolve().parent.parent / "var" / "bench-import"))
django.setup()

from django.core.management import call_command  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from zhenwu.core.actors import IMPORT  # noqa: E402
from zhenwu.core.audit import audit_verify  # noqa: E402
from zhenwu.core.models import AuditEvent  # noqa: E402
from zhenwu.ledger.importer import Choices, commit_import, plan_import  # noqa: E402
from zhenwu.ledger.models import Problem  # noqa: E402
from zhenwu.org.constants import RoleKind, UnitKind  # noqa: E402
from zhenwu.org.models import Person  # noqa: E402

ROWS = int(os.environ.get("BENCH_ROWS", "10000"))
BEFORE_SECONDS = 141  # the commit before batching (issue 21)


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("seed_demo", if_empty=True, stdout=io.StringIO())
    rng = random.Random(7)
    leaders = [p for p in Person.objects.filter(roles__kind=RoleKind.LEADER).distinct()]
    staff = [p for p in Person.objects.filter(unit__kind=UnitKind.DEPARTMENT).select_related("unit")]
    unique = {}
    for p in staff:
        unique.setdefault(p.name, []).append(p)
    staff = [p for p in staff if len(unique[p.name]) == 1 and len(Person.objects.filter(name=p.name)) == 1]
    leaders = [p for p in leaders if Person.objects.filter(name=p.name).count() == 1]
    run = time.strftime("%H%M%S")  # a new sheet each run: the same sheet again would be recognised
    book = Workbook()
    sheet = book.active
    sheet.append(["××镇问题整改台账"])
    sheet.append(
        [
            "序号",
            "问题来源",
            "问题描述",
            "整改措施",
            "责任领导",
            "责任部门",
            "责任人",
            "整改时限",
            "完成情况",
            "备注",
        ]
    )
    for n in range(1, ROWS + 1):
        person = rng.choice(staff)
        status = "已完成" if n % 3 == 0 else "正在整改"
        sheet.append([n, "群众献言献策", f"第{n}号问题：道路破损，雨天无法通行（{rng.randint(1, 9)}组，{run}）", "硬化",
                      rng.choice(leaders).name, person.unit.name, person.name, f"2026年12月{rng.randint(1, 31)}日",
                      status, ""])  # fmt: skip
    data = io.BytesIO()
    book.save(data)
    before, events = Problem.objects.count(), AuditEvent.objects.count()
    t0, c0 = time.perf_counter(), time.process_time()
    data.seek(0)
    plan = plan_import(data, choices=Choices(year=2026))
    t1, c1 = time.perf_counter(), time.process_time()
    outcome = commit_import(plan, actor=IMPORT, file_name="10k.xlsx")
    t2, c2 = time.perf_counter(), time.process_time()
    written = AuditEvent.objects.count() - events
    t3 = time.perf_counter()
    verified = audit_verify()
    t4 = time.perf_counter()
    vendor = __import__("django.db", fromlist=["connection"]).connection.vendor
    print(f"{vendor}: import of {ROWS} rows: read+plan {t1 - t0:.1f} s, commit {t2 - t1:.1f} s "
          f"({ROWS / (t2 - t1):.0f} rows/s; {BEFORE_SECONDS / (t2 - t1):.0f}x faster than {BEFORE_SECONDS} s), "
          f"total {t2 - t0:.1f} s; {plan.counts}; problems {before} → {Problem.objects.count()} "
          f"({len(outcome.created)} created); audit events written {written}; "
          f"audit verify {'ok' if verified.ok else verified.first_break} in {t4 - t3:.1f} s; "
          f"CPU of this process: plan {c1 - c0:.1f} s, commit {c2 - c1:.1f} s; load average {os.getloadavg()[0]:.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
