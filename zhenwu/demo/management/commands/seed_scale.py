"""Scale data for the benchmarks: N problems on top of the demo town, written in bulk."""

import random
from datetime import datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from zhenwu.core.actors import DEMO
from zhenwu.core.audit import audit_record
from zhenwu.demo.constants import DemoAudit
from zhenwu.demo.ledger import TEMPLATES
from zhenwu.ledger.constants import Action, Category, Source, Status
from zhenwu.ledger.models import Problem, ProblemTransition
from zhenwu.lib.cadence import Cadence, period_containing
from zhenwu.org.constants import PLACE_KINDS, RoleKind, UnitKind
from zhenwu.org.models import Person, Unit


class Command(BaseCommand):
    help = "为基准测试生成大量问题（在演示镇之上，批量写入）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--problems", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        departments = list(Unit.objects.filter(kind=UnitKind.DEPARTMENT))
        villages = list(Unit.objects.filter(kind__in=PLACE_KINDS))
        leaders = list(Person.objects.filter(roles__kind=RoleKind.LEADER).distinct())
        staff = list(Person.objects.filter(unit__kind=UnitKind.DEPARTMENT))
        if not (departments and leaders and staff):
            raise CommandError("请先运行 zhenwu seed-demo")
        rng = random.Random(options["seed"])
        today = timezone.localdate()
        tz = ZoneInfo(settings.TIME_ZONE)
        statuses = [Status.IN_PROGRESS] * 5 + [Status.CLOSED] * 4 + [Status.LONG_TERM]
        start = Problem.objects.count()
        through = Problem.assignees.through
        total = options["problems"]
        with transaction.atomic():
            for batch_start in range(0, total, 5000):
                problems = []
                for i in range(batch_start, min(total, batch_start + 5000)):
                    _, _, what, goal, measures = rng.choice(TEMPLATES)
                    village = rng.choice(villages)
                    assigned = today - timedelta(days=rng.randint(1, 200))
                    status = rng.choice(statuses)
                    deadline = (
                        None
                        if status == Status.LONG_TERM
                        else assigned + timedelta(days=rng.choice([30, 60, 90]))
                    )
                    reported = period_containing(
                        today - timedelta(days=rng.randint(0, 40)), Cadence.HALF_MONTHLY
                    )
                    problems.append(
                        Problem(
                            town_id=cast(int, village.town_id),  # a village is always a town's
                            number=f"S{start + i + 1:07d}",
                            source=rng.choice(Source.values),
                            category=rng.choice(Category.values),
                            description=what.format(v=village.name),
                            goal=goal,
                            measures=measures,
                            village=village,
                            leader=rng.choice(leaders),
                            department=rng.choice(departments),
                            status=status,
                            assigned_on=assigned,
                            deadline=deadline,
                            original_deadline=deadline,
                            last_report_period=reported.key,
                            last_progress=rng.randint(0, 100),
                            closed_on=assigned + timedelta(days=20) if status == Status.CLOSED else None,
                        )
                    )
                Problem.objects.bulk_create(problems, batch_size=1000)
                # History as the engine would have written it: collected two days before being
                # assigned, then assigned (and closed, for the closed ones). Bulletins read it.
                steps = []
                for p in problems:
                    assert p.assigned_on is not None
                    assigned_at = datetime.combine(p.assigned_on, time(9), tzinfo=tz)
                    p.created_at = assigned_at - timedelta(days=2)
                    first = Status.LONG_TERM if p.status == Status.LONG_TERM else Status.IN_PROGRESS
                    steps.append(
                        ProblemTransition(
                            problem=p,
                            action=Action.ASSIGN,
                            from_status=Status.PENDING,
                            to_status=first,
                            at=assigned_at,
                        )
                    )
                    if p.status == Status.CLOSED:
                        # Closed the way the engine closes: applied for, then accepted. Every
                        # action must be one of Action's, or the problem page cannot name it.
                        closed_at = assigned_at + timedelta(days=20)
                        steps += [
                            ProblemTransition(
                                problem=p, action=Action.APPLY_CLOSE, from_status=first,
                                to_status=Status.CLOSURE_REQUESTED, at=closed_at - timedelta(days=1),
                            ),
                            ProblemTransition(
                                problem=p, action=Action.ACCEPT, from_status=Status.CLOSURE_REQUESTED,
                                to_status=Status.CLOSED, at=closed_at,
                            ),
                        ]  # fmt: skip
                Problem.objects.bulk_update(problems, ["created_at"], batch_size=1000)
                ProblemTransition.objects.bulk_create(steps, batch_size=2000)
                through.objects.bulk_create(
                    [through(problem_id=p.pk, person_id=rng.choice(staff).pk) for p in problems],
                    batch_size=2000,
                )
            audit_record(
                actor=DEMO,
                action=DemoAudit.DEMO_SEEDED,
                object_type="ledger.problem",
                object_label=f"基准测试数据：{total}条问题",
                after={"problems": total},
            )
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # What autovacuum would soon do on a live server: statistics and the visibility map
            # (without it, index-only counts still visit every heap page of fresh rows). Not
            # inside a transaction (a test's): VACUUM cannot run there.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE ledger_problem")
                cursor.execute("VACUUM ANALYZE ledger_problem_assignees")
                cursor.execute("VACUUM ANALYZE ledger_problemtransition")
        self.stdout.write(f"已生成 {total} 个问题，共 {Problem.objects.count()} 个")
