"""Committing a plan: all of it or nothing, every row through the ledger's services.

New rows go through services.problems_import (the batched form of problem_create,
problem_assign and problem_record_step, with the same checks, steps and audit events);
updates to rows imported before through problem_record_closure and problem_update_completion;
department names the office confirmed and asked to remember through department_alias_save.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhenwu.core.actors import Actor
from zhenwu.core.audit import audit_record
from zhenwu.ledger.constants import DeadlineBasis, LedgerAudit, RowStatus, Status
from zhenwu.ledger.importer.directory import Directory
from zhenwu.ledger.importer.planning import ImportPlan, RowResult, moment
from zhenwu.ledger.models import Problem
from zhenwu.ledger.services import (
    ImportedProblem,
    closure_moment,
    department_alias_save,
    problem_record_closure,
    problem_update_completion,
    problems_import,
)
from zhenwu.org.models import Town
from zhenwu.org.services import person_create


@dataclass
class ImportOutcome:
    created: list[Problem] = field(default_factory=list)
    updated: list[Problem] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)


def refusal(plan: ImportPlan) -> str | None:
    """Why the plan cannot be committed, naming the rows; None when it can."""
    bad = [r for r in plan.rows if r.status == RowStatus.ERROR]
    if bad:
        return _("台账有%(n)s行存在错误（第%(lines)s行等），请修正后再导入；本次没有导入任何一行") % {
            "n": len(bad),
            "lines": "、".join(r.lines for r in bad[:10]),
        }
    open_rows = [r for r in plan.rows if r.status == RowStatus.CONFIRM]
    if open_rows:
        return _("有%(n)s行待确认（第%(lines)s行等）：请在预览页下方作出选择后重新检查") % {
            "n": len(open_rows),
            "lines": "、".join(r.lines for r in open_rows[:10]),
        }
    if plan.work == 0:
        return plan.messages[0] if plan.messages else _("台账中没有可导入的行")
    return None


@transaction.atomic
def commit_import(
    plan: ImportPlan,
    *,
    actor: Actor,
    file_name: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> ImportOutcome:
    """Write every planned row, or none: one refusal anywhere leaves the database as it was."""
    if (why := refusal(plan)) is not None:
        raise ValidationError({"file": why})
    outcome = ImportOutcome()
    choices = plan.choices
    directory = Directory(plan.town_id, mappings=choices.mappings)
    for question in plan.departments:
        unit = directory.by_id.get(question.chosen or 0)
        if unit is not None and question.key in choices.remember:
            department_alias_save(actor=actor, alias=question.text, unit=unit)
            outcome.aliases.append(f"{question.text} → {unit.name}")
    for name in plan.to_create:
        if not directory.people.get(name):
            directory.people[name].append(person_create(actor=actor, name=name, note=_("台账导入时新建")))
    new = [r for r in plan.rows if r.status == RowStatus.OK]
    now = timezone.now()  # one moment for every row closed today, not one each
    items = [_item(r, plan, directory, now) for r in new]
    outcome.created = problems_import(
        actor=actor, items=items, file_name=file_name, town=Town(pk=plan.town_id), progress=progress
    )
    updates = [r for r in plan.rows if r.status == RowStatus.UPDATE]
    # Loaded at once, not one get a row; each service still locks its problem as it writes.
    problems = Problem.objects.in_bulk([r.problem_id for r in updates])
    for row in updates:
        assert row.problem_id is not None  # planning names the problem every update is to
        outcome.updated.append(_update(row, problems[row.problem_id], actor))
    audit_record(
        actor=actor,
        action=LedgerAudit.PROBLEM_IMPORTED,
        object_type="ledger.problem",
        object_label=_("导入台账：%(name)s") % {"name": file_name} if file_name else str(_("导入台账")),
        after={
            "problems": len(outcome.created),
            "updated": len(outcome.updated),
            "people_created": plan.to_create,
            "aliases": outcome.aliases,
            "file": file_name,
            "year": plan.year.year,
        },
    )
    return outcome


def _item(row: RowResult, plan: ImportPlan, directory: Directory, now: datetime) -> ImportedProblem:
    f = row.fields
    department = (
        directory.by_id.get(f.get("department_id") or 0) or directory.department(f["department_text"]).unit
    )
    assign = f.get("outcome", Status.IN_PROGRESS) != Status.PENDING
    today = timezone.localdate(now)
    deadline = date.fromisoformat(f["deadline"]) if f.get("deadline") else None
    basis = f.get("deadline_basis") or DeadlineBasis.DATE
    assigned_on = date.fromisoformat(f["assigned_on"])  # as planned and shown in the preview
    closed_on = date.fromisoformat(f["closed_on"]) if f.get("closed_on") else None
    # The sheet's own dates: collected and assigned when it was drawn up, closed when it says.
    at = moment(assigned_on, 9) if assigned_on < today else None
    closed_at = None
    if closed_on is not None:
        closed_at = closure_moment(closed_on, now=now)
        at = min(moment(assigned_on, 9), closed_at)
    remarks = [f.get("remarks", "")]
    if f.get("serial"):
        remarks.append(_("原台账序号：%(n)s") % {"n": f["serial"]})
    if f.get("number") and f["number"] != f.get("serial"):
        remarks.append(_("原台账编号：%(n)s") % {"n": f["number"]})
    if not assign and f.get("owners_note"):
        remarks.append(f["owners_note"])
    people = directory.person
    return ImportedProblem(
        line=_("第%(n)s行") % {"n": row.lines},
        source=f["source"],
        category=f["category"],
        description=f["description"],
        village=directory.places.get(f["village"]) if f.get("village") else None,
        goal=f.get("goal", ""),
        measures=f.get("measures", ""),
        milestones=f.get("milestones", ""),
        remarks="；".join(x for x in remarks if x),
        completion=f.get("completion", ""),
        leader=people(f["leader"], department)[0] if f.get("leader") else None,
        department=department,
        assignees=[p for name in f.get("assignees", []) if (p := people(name, department)[0])],
        cooperating_units=[
            u for n in f.get("cooperating", []) if (u := directory.department(n).unit) is not None
        ],
        acceptor=people(f["acceptor"], department)[0] if f.get("acceptor") else None,
        assign=assign,
        deadline_basis=basis,
        deadline=deadline if basis == DeadlineBasis.DATE else None,
        deadline_days=f.get("deadline_days"),
        assigned_on=assigned_on if assign else None,
        at=at,
        closed_at=closed_at,
        closure_note=_("导入：原台账记载已于%(d)s销号") % {"d": f["closed_on"]} if closed_on else "",
        import_key=f.get("key", ""),
        serial=f.get("serial", ""),
    )


def _update(row: RowResult, problem: Problem, actor: Actor) -> Problem:
    """A row imported before whose status or progress moved on: record what the sheet adds."""
    f = row.fields
    # Only what the preview listed (planning decided it; the same rule twice drifted apart).
    if f.get("update_completion"):
        problem = problem_update_completion(
            actor=actor,
            problem=problem,
            completion=f["completion"],
            note=_("按台账第%(n)s行") % {"n": row.lines},
        )
    if f.get("update_closes"):
        problem = problem_record_closure(
            actor=actor,
            problem=problem,
            closed_on=date.fromisoformat(f["closed_on"]),
            note=_("导入：原台账记载已于%(d)s销号") % {"d": f["closed_on"]},
        )
    return problem
