"""Accounts and work lists for the soak run (bench/soak.py), on a town from seed-demo/seed-scale.

prepare_soak.py OWNERS OUT.json: a 镇领导 account for reading, OWNERS accounts of people who
own working problems (the 责任领导 or a 责任人), each with the report periods it may still file
(every (problem, period) pair goes to one owner only, so no filing is refused as a duplicate),
the ledger filters staff read and a sample of problem pages. bench/prepare.py must have run
(its bench-office account is the office's reader).
"""

import json
import os
import random
import sys
from collections import defaultdict

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhenwu.settings")
django.setup()

from django.utils import timezone  # noqa: E402

from zhenwu.core.actors import DEMO  # noqa: E402
from zhenwu.ledger.constants import WORKING, Colour, Status  # noqa: E402
from zhenwu.ledger.models import Problem, ProgressReport  # noqa: E402
from zhenwu.ledger.rules import LIST_RULES  # noqa: E402
from zhenwu.lib.cadence import Cadence, periods_between  # noqa: E402
from zhenwu.org.constants import PLACE_KINDS, AccountRole, RoleKind, UnitKind  # noqa: E402
from zhenwu.org.models import Person, Unit, User  # noqa: E402
from zhenwu.org.services import account_create  # noqa: E402

PASSWORD = "Soak#Owner2026"
owners_wanted, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(13)
today = timezone.localdate()
leader_ids = set(Person.objects.filter(roles__kind=RoleKind.LEADER).values_list("pk", flat=True))


def account(username: str, person: Person) -> dict[str, str]:
    """A login for this person: town-wide for a 镇领导, else scoped to the person's department."""
    if not User.objects.filter(username=username).exists():
        leader = person.pk in leader_ids
        account_create(
            actor=DEMO, username=username, password=PASSWORD, person=person, must_change_password=False,
            role=AccountRole.LEADER if leader else AccountRole.DEPARTMENT, unit=None if leader else person.unit,
        )  # fmt: skip
    return {"username": username, "password": PASSWORD}


# The periods each working problem may still be reported for, from its assignment to today.
filed = defaultdict(set)
for problem_id, key in ProgressReport.objects.filter(submitted_at__isnull=False).values_list(
    "problem_id", "period_key"
):
    filed[problem_id].add(key)
free: dict[int, list[str]] = {}
owned_by: dict[int, set[int]] = defaultdict(set)  # person -> problems they may report on
working = Problem.objects.filter(status__in=WORKING, assigned_on__isnull=False)
for p in working.only("pk", "assigned_on", "cadence", "leader_id").prefetch_related("assignees"):
    cadence = Cadence(p.cadence) if p.cadence != Cadence.NONE else Cadence.MONTHLY
    keys = [period.key for period in periods_between(p.assigned_on, today, cadence)]
    free[p.pk] = [k for k in keys if k not in filed[p.pk]]
    for person_id in {p.leader_id, *(a.pk for a in p.assignees.all())} - {None}:
        owned_by[person_id].add(p.pk)

# Half the owners are 镇领导 (many problems each), half 责任人 in departments (a few each).
staff_ids = set(Person.objects.filter(unit__kind=UnitKind.DEPARTMENT).values_list("pk", flat=True))
# A person has one account at most: leave out those the demo already gave one.
with_login = set(User.objects.exclude(username__startswith="soak-").values_list("person_id", flat=True))
by_load = sorted(set(owned_by) - with_login, key=lambda person: (-len(owned_by[person]), person))
leaders = [p for p in by_load if p in leader_ids]
others = [p for p in by_load if p in staff_ids and p not in leader_ids]
chosen = (leaders[: (owners_wanted + 1) // 2] + others)[:owners_wanted]
taken: set[int] = set()
owners = []
for n, person_id in enumerate(chosen):
    person = Person.objects.select_related("unit").get(pk=person_id)
    mine = sorted(owned_by[person_id] - taken)
    taken.update(mine)
    pairs = [[pk, key] for pk in mine for key in free[pk]]
    rng.shuffle(pairs)
    owners.append({**account(f"soak-owner-{n + 1}", person), "name": person.name, "pairs": pairs})

reader = account("soak-leader", Person.objects.get(pk=leaders[-1]))
departments = list(Unit.objects.filter(kind=UnitKind.DEPARTMENT).values_list("pk", flat=True))
villages = list(Unit.objects.filter(kind__in=PLACE_KINDS).values_list("pk", flat=True))
words = ["路灯", "道路", "垃圾", "村", "排水"]
ledger_urls = [
    "/ledger/",
    "/ledger/?page=3",
    *(f"/ledger/?status=in_progress&department={d}" for d in departments),
    *(f"/ledger/?village={v}&sort=deadline" for v in rng.sample(villages, min(5, len(villages)))),
    *(f"/ledger/?leader={p}" for p in sorted(leader_ids)[:5]),
    *(f"/ledger/?q={w}" for w in words),
    *(f"/ledger/?colour={c}" for c in Colour.values),
    "/ledger/?overdue=on",
    "/ledger/?report_missing=on&status=in_progress",
    *(f"/ledger/?rule={key}" for key in LIST_RULES),
    f"/ledger/?status={Status.CLOSED}&sort=-deadline",
]
problem_ids = list(Problem.objects.values_list("pk", flat=True))
with open(out, "w") as f:
    json.dump(
        {
            "staff": [{"username": "bench-office", "password": "Bench#Office2026"}, reader],
            "owners": owners,
            "ledger_urls": ledger_urls,
            "problem_ids": rng.sample(problem_ids, min(1000, len(problem_ids))),
        },
        f,
        ensure_ascii=False,
    )
print(f"{len(owners)} owners, {sum(len(o['pairs']) for o in owners)} report periods to file, {out}")
