"""Time to read, plan and commit a 10,000-row ledger sheet (SQLite unless DATABASE_URL is set).

ZHENWU_VAR_DIR=var/bench-import .venv/bin/python bench/import_10k.py
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
from zhenwu.ledger.importer import commit_import, plan_import  # noqa: E402
from zhenwu.ledger.models import Problem  # noqa: E402
from zhenwu.org.constants import RoleKind, UnitKind  # noqa: E402
from zhenwu.org.models import Person  # noqa: E402

ROWS = 10_000


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
    book = Workbook()
    sheet = book.active
    sheet.append(["××镇问题整改台账"])
    sheet.append(
        ["序号", "问题来源", "问题描述", "整改措施", "责任领导", "责任部门", "责任人", "整改时限", "备注"]
    )
    for n in range(1, ROWS + 1):
        person = rng.choice(staff)
        sheet.append([n, "群众献言献策", f"第{n}号问题：道路破损", "硬化", rng.choice(leaders).name, person.unit.name,
                      person.name, f"2026年12月{rng.randint(1, 31)}日", ""])  # fmt: skip
    data = io.BytesIO()
    book.save(data)
    before = Problem.objects.count()
    t0 = time.perf_counter()
    data.seek(0)
    plan = plan_import(data, default_year=2026)
    t1 = time.perf_counter()
    commit_import(plan, actor=IMPORT, file_name="10k.xlsx")
    t2 = time.perf_counter()
    print(f"import of {ROWS} rows: read+plan {t1 - t0:.1f} s, commit {t2 - t1:.1f} s, total {t2 - t0:.1f} s "
          f"({ROWS / (t2 - t0):.0f} rows/s); {plan.counts}; problems {before} → {Problem.objects.count()}")  # fmt: skip


if __name__ == "__main__":
    main()
