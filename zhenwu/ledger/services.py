"""Writes to the ledger. Every step locks the problem row, checks the transition table and
the actor's right to act, appends history, and records an audit event in one transaction."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import IntegerField, Max
from django.db.models.functions import Cast, Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhenwu.core.actors import CALENDAR, DEMO, IMPORT, Actor, SystemActor, account_of, is_system
from zhenwu.core.audit import AuditEntry, audit_record, audit_record_many
from zhenwu.core.bulk import insert_rows, insert_rows_with_ids, row_of
from zhenwu.core.calendar import Recomputed, deadline_out_of_range, work_calendar
from zhenwu.core.counters import counter_next, counter_note
from zhenwu.core.notices import Draft, notices_send
from zhenwu.core.refusals import require
from zhenwu.core.timefmt import shown
from zhenwu.ledger.constants import (
    ALLOWED_TRANSITIONS,
    CORRECTABLE,
    EVIDENCE_MAX_FILES,
    WORKING,
    Action,
    Category,
    DeadlineBasis,
    EvidenceKind,
    ExtensionStatus,
    LedgerAudit,
    Status,
)
from zhenwu.ledger.evidence import check_evidence_file
from zhenwu.ledger.models import (
    DepartmentAlias,
    Evidence,
    Extension,
    ImportedRow,
    Problem,
    ProblemTransition,
    ProgressReport,
    Suspension,
)
from zhenwu.ledger.policies import ClosureNeeds, policy_for
from zhenwu.ledger.rules import Thresholds, progress_slip_date
from zhenwu.ledger.selectors import assignee_ids, may_apply_close, may_report, town_names
from zhenwu.lib.cadence import Cadence, period_containing, period_from_text
from zhenwu.lib.ledger_text import unit_key
from zhenwu.lib.workdays import CalendarNotCovered
from zhenwu.org.constants import UnitKind
from zhenwu.org.models import Person, Town, Unit, User
from zhenwu.org.roles import is_office
from zhenwu.org.scope import (
    actor_town_id,
    refuse_other_town,
    refuse_outside_actors_town,
    refuse_people_outside_town,
)
from zhenwu.org.services import town_for_new


def _lock(problem: Problem) -> Problem:
    return Problem.objects.select_for_update().get(pk=problem.pk)


def _snapshot(problem: Problem) -> dict[str, Any]:
    return {
        "status": problem.status,
        "leader_id": problem.leader_id,
        "department_id": problem.department_id,
        "deadline": problem.deadline,
        "last_progress": problem.last_progress,
    }


def _person_only(actor: Actor, what: str) -> None:
    """Refuse the system on a path meant for people (reports, closure, acceptance)."""
    if isinstance(actor, SystemActor):
        raise PermissionError(
            _("%(who)s不能%(what)s：这一步须由本人登录办理") % {"who": actor.label, "what": what}
        )


def _who(actor: Actor) -> str:
    if isinstance(actor, SystemActor):
        return str(actor.label)
    return str(getattr(actor, "get_role_display", lambda: _("该账号"))())


def _when(at: datetime | None) -> datetime:
    """The moment a step happened: now, or an explicit past moment (import, demo history)."""
    if at is None:
        return timezone.now()
    if timezone.is_naive(at):
        raise ValueError("at must be an aware datetime")
    if at > timezone.now():
        raise ValidationError({"at": _("办理时间：不能晚于现在")})
    return at


def _allowed(problem: Problem, action: str) -> str:
    """The status ALLOWED_TRANSITIONS leads to; a ValidationError naming 状态 if it has no such step."""
    target = ALLOWED_TRANSITIONS.get((problem.status, action))
    if target is None:
        raise ValidationError(
            {
                "status": _("状态：问题当前为“%(status)s”，不能执行“%(action)s”")
                % {"status": Status(problem.status).label, "action": Action(action).label}
            }
        )
    return target


def _step(
    *,
    problem: Problem,
    action: str,
    actor: Actor,
    reason: str = "",
    to: str | None = None,
    at: datetime | None = None,
    changes: dict[str, Any] | None = None,
) -> str:
    """Move a locked problem one step through ALLOWED_TRANSITIONS; refuse anything else.

    The one writer of ProblemTransition. A same-status step (Action.CORRECT) is listed in the
    table like any other, so it is refused from 待分派 and 已销号 by the same check."""
    step = _transition(
        problem=problem, action=action, actor=actor, reason=reason, to=to, at=at, changes=changes
    )
    _save_step(step)
    return str(step["to_status"])


Step = dict[str, Any]  # a ProblemTransition's fields, by attname


def _save_step(step: Step) -> None:
    """The one place a step is written one at a time (problems_import inserts its batch)."""
    ProblemTransition(**step).save()


def _transition(
    *,
    problem: Problem,
    action: str,
    actor: Actor,
    reason: str = "",
    to: str | None = None,
    at: datetime | None = None,
    changes: dict[str, Any] | None = None,
) -> Step:
    """The step `_step` writes, as its fields, the problem moved on in memory: built once here
    whether it is saved on its own or inserted with a batch's (no model instance each)."""
    allowed = _allowed(problem, action)  # checked even when `to` names the target
    target = to or allowed
    account = account_of(actor)
    step = {
        "problem_id": problem.pk,
        "action": action,
        "from_status": problem.status,
        "to_status": target,
        "reason": reason,
        "changes": changes,
        "actor_id": account.pk if account is not None else None,
        "at": _when(at),
    }
    problem.status = target
    return step


def _refresh_slip(problem: Problem) -> None:
    start = problem.assigned_on
    problem.progress_slip_on = (
        progress_slip_date(
            started=start,
            deadline=problem.deadline,
            progress=problem.last_progress,
            lag=Thresholds.from_settings().progress_lag,
        )
        if start
        else None
    )


def _save(problem: Problem, before: dict[str, Any], actor: Actor, action: str, **extra: Any) -> Problem:
    problem.full_clean()
    problem.save()
    audit_record(
        actor=actor, action=action, obj=problem, before=before, after={**_snapshot(problem), **extra}
    )
    return problem


# ---------------------------------------------------------------------------------------
# Creating and assigning


def _number(year: int, source_prefix: str, serial: int) -> str:
    """A 编号 as written: 2026-0001, a source's prefix before it (DC2026-0001)."""
    return f"{source_prefix}{year}-{serial:04d}"


def _last_serial(town_id: int, year: int, source_prefix: str = "") -> int:
    """The town's highest serial of the year written so far (0 for none), compared as numbers,
    so 2026-10000 follows 2026-9999: where a series' counter starts on an upgraded town."""
    prefix = f"{source_prefix}{year}-"
    serial = Cast(Substr("number", len(prefix) + 1), output_field=IntegerField())
    pattern = rf"^{re.escape(source_prefix)}{year}-[0-9]+$"
    found = Problem.objects.filter(town_id=town_id, number__regex=pattern).aggregate(m=Max(serial))
    return found["m"] or 0


def _series(source_prefix: str) -> str:
    return f"ledger.problem:{source_prefix}"


def _next_number(town_id: int, year: int, source_prefix: str = "") -> str:
    """The town's next 编号 of the year, 2026-0001 onwards (core.counters)."""
    serial = counter_next(
        town_id=town_id, series=_series(source_prefix), year=year, floor=_floor(town_id, year, source_prefix)
    )
    return _number(year, source_prefix, serial)


def _note_number(town_id: int, number: str, source_prefix: str) -> None:
    """A 编号 given by hand (the office's form, a sheet's own column) that has the series' shape:
    the series goes on after it, so it is never handed out again."""
    if match := re.fullmatch(rf"{re.escape(source_prefix)}(\d{{4}})-(\d+)", number):
        year, serial = int(match[1]), int(match[2])
        counter_note(
            town_id=town_id,
            series=_series(source_prefix),
            year=year,
            value=serial,
            floor=_floor(town_id, year, source_prefix),
        )


def _refuse_owners_outside(
    town_id: int, *, leader: Person | None, department: Unit | None, assignees: Iterable[Person] | None,
    acceptor: Person | None,
) -> None:  # fmt: skip
    """The owners named for a problem are of its town (a person: registered there, or holding a
    role there — a cadre moved from another town)."""
    refuse_people_outside_town(town_id, "leader", _("责任领导"), [leader])
    refuse_other_town(town_id, "department", _("责任部门"), department)
    refuse_people_outside_town(town_id, "assignees", _("责任人"), assignees or ())
    refuse_people_outside_town(town_id, "acceptor", _("验收人"), [acceptor])


@transaction.atomic
def problem_create(
    *,
    actor: Actor,
    source: str,
    category: str,
    description: str,
    village: Unit | None = None,
    goal: str = "",
    measures: str = "",
    milestones: str = "",
    remarks: str = "",
    completion: str = "",
    number: str = "",
    town: Town | None = None,
    at: datetime | None = None,
) -> Problem:
    """Register a problem of a source; the source's policy says who may raise it and its categories.

    Its town is `town` (a suggestion's, the county office's choice) or the actor's own."""
    when = _when(at)
    problem = _new_problem(
        actor=actor,
        town=town,
        source=source,
        category=category,
        description=description,
        village=village,
        goal=goal,
        measures=measures,
        milestones=milestones,
        remarks=remarks,
        completion=completion,
    )
    prefix = policy_for(source).number_prefix
    problem.number = number.strip()
    if problem.number:
        _note_number(problem.town_id, problem.number, prefix)
    else:
        problem.number = _next_number(problem.town_id, timezone.localdate(when).year, prefix)
    problem.full_clean()
    try:
        with transaction.atomic():
            problem.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"number": _("编号：%(number)s 已被使用") % {"number": problem.number}}
        ) from exc
    if at is not None:
        # When it was collected, not when it was typed in: monthly bulletins count by it.
        problem.created_at = when
        Problem.objects.filter(pk=problem.pk).update(created_at=when)
    audit_record(actor=actor, action=LedgerAudit.PROBLEM_CREATED, obj=problem, after=_snapshot(problem))
    return problem


_ALL_CATEGORIES = frozenset(Category.values)


def _new_problem(
    *,
    actor: Actor,
    town: Town | None,
    source: str,
    category: str,
    description: str,
    village: Unit | None,
    goal: str,
    measures: str,
    milestones: str,
    remarks: str,
    completion: str,
) -> Problem:
    """problem_create's checks and the unsaved problem (no number yet): one or a batch."""
    policy = policy_for(source)
    if not policy.may_raise(actor):  # the message is only worth its translation when refusing
        require(
            False,
            _("问题来源：%(who)s不能登记“%(source)s”类问题") % {"who": _who(actor), "source": policy.label},
        )
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": _("问题描述：不能为空")})
    if category not in (policy.categories if policy.categories is not None else _ALL_CATEGORIES):
        raise ValidationError(
            {"category": _("问题类别：“%(source)s”类问题不能选这一类别") % {"source": policy.label}}
        )
    town_id = town_for_new(actor=actor, town=town)
    refuse_other_town(town_id, "village", _("村(社区)"), village)
    return Problem(
        town_id=town_id,
        source=source,
        category=category,
        description=description,
        village=village,
        goal=goal.strip(),
        measures=measures.strip(),
        milestones=milestones.strip(),
        remarks=remarks.strip(),
        completion=completion.strip(),
        created_by=account_of(actor),
    )


class Deadline(NamedTuple):
    day: date | None
    provisional: bool = False  # counted over a year whose arrangement is not confirmed


def compute_deadline(*, basis: str, assigned_on: date, deadline: date | None, days: int | None) -> Deadline:
    """The deadline for a basis; ValidationError naming 整改时限 when it cannot be computed."""
    if basis == DeadlineBasis.LONG_TERM:
        return Deadline(None)
    if basis == DeadlineBasis.DATE:
        if deadline is None:
            raise ValidationError({"deadline": _("整改时限：请填写日期，或选择“长期坚持”")})
        if deadline < assigned_on:
            raise ValidationError({"deadline": _("整改时限：不能早于分派日期%(d)s") % {"d": assigned_on}})
        _check_range(deadline, "deadline")
        return Deadline(deadline)
    if not days or days < 1:
        raise ValidationError({"deadline_days": _("时限天数：请填写大于0的天数")})
    if basis == DeadlineBasis.CALENDAR_DAYS:
        return Deadline(_check_range(assigned_on + timedelta(days=days), "deadline_days"))
    calendar = work_calendar()
    try:
        due = calendar.add_workdays(assigned_on, days)
    except CalendarNotCovered as exc:
        why = deadline_out_of_range(date(exc.year, 1, 1), today=timezone.localdate()) or str(exc)
        raise ValidationError({"deadline_days": _("时限天数：%(error)s") % {"error": why}}) from exc
    return Deadline(_check_range(due, "deadline_days"), calendar.is_provisional(assigned_on, due))


def _check_range(day: date, field: str) -> date:
    """Refuse a deadline before the first calendar year or more than ten years ahead."""
    if (why := deadline_out_of_range(day, today=timezone.localdate())) is not None:
        raise ValidationError({field: _("整改时限：%(why)s") % {"why": why}})
    return day


def recompute_deadline(problem: Problem) -> Deadline | None:
    """A working-day deadline counted again on today's calendar: from the assignment date, plus
    the working days of every finished pause. None when the deadline was not counted (a date
    typed or approved, calendar days, 长期坚持)."""
    if (
        problem.deadline_basis != DeadlineBasis.WORKDAYS
        or not problem.assigned_on
        or not problem.deadline_days
    ):
        return None
    if problem.extensions.filter(status=ExtensionStatus.APPROVED).exists():
        return None  # the approved date is a date, not a count
    calendar = work_calendar()
    due = calendar.add_workdays(problem.assigned_on, problem.deadline_days)
    provisional = calendar.is_provisional(problem.assigned_on, due)
    for pause in problem.suspensions.filter(end__isnull=False).order_by("start"):
        assert pause.end is not None
        due = calendar.add_workdays(due, calendar.workdays_between(pause.start, pause.end))
        provisional = provisional or calendar.is_provisional(pause.start, due)
    return Deadline(due, provisional)


@transaction.atomic
def problem_assign(
    *,
    actor: Actor,
    problem: Problem,
    leader: Person | None,
    department: Unit | None,
    assignees: Sequence[Person],
    deadline_basis: str | None = None,
    deadline: date | None = None,
    deadline_days: int | None = None,
    cooperating_units: Iterable[Unit] = (),
    acceptor: Person | None = None,
    cadence: str | None = None,
    assigned_on: date | None = None,
    at: datetime | None = None,
) -> Problem:
    """Name the three owners and the deadline; the problem leaves 待分派.

    Deadline basis and cadence default to the source policy's. The importer and the demo
    record a past assignment with `at` (and `assigned_on`); only they may assign as the system."""
    require(is_office(actor) or is_system(actor, IMPORT, DEMO), _("只有党政办可以分派问题"))
    problem = _lock(problem)
    cooperating_units = list(cooperating_units)
    for unit in cooperating_units:
        refuse_other_town(problem.town_id, "cooperating_units", _("配合单位"), unit)
    before = _snapshot(problem)
    step = _assign_in_memory(
        actor=actor,
        problem=problem,
        leader=leader,
        department=department,
        assignees=assignees,
        deadline_basis=deadline_basis,
        deadline=deadline,
        deadline_days=deadline_days,
        acceptor=acceptor,
        cadence=cadence,
        assigned_on=assigned_on,
        at=at,
    )
    _save_step(step)
    _save(problem, before, actor, LedgerAudit.PROBLEM_ASSIGNED, assignees=[p.pk for p in assignees])
    problem.assignees.set(assignees)
    problem.cooperating_units.set(cooperating_units)
    if at is None:
        # Not for a past assignment being recorded (the demo's history): that is not news.
        _notify_owners(
            actor=actor, problem=problem, leader_id=problem.leader_id, person_ids=[p.pk for p in assignees]
        )
    return problem


def _assign_in_memory(
    *,
    actor: Actor,
    problem: Problem,
    leader: Person | None,
    department: Unit | None,
    assignees: Sequence[Person],
    deadline_basis: str | None,
    deadline: date | None,
    deadline_days: int | None,
    acceptor: Person | None,
    cadence: str | None,
    assigned_on: date | None,
    at: datetime | None,
) -> Step:
    """problem_assign's checks and changes on the problem in memory; the 分派 step, unsaved."""
    policy = policy_for(problem.source)
    deadline_basis = deadline_basis or policy.deadline_basis
    cadence = cadence or policy.cadence
    errors: dict[str, str] = {}
    if leader is None:
        errors["leader"] = _("责任领导：必须指定")
    if department is None:
        errors["department"] = _("责任部门：必须指定")
    if not assignees:
        errors["assignees"] = _("责任人：至少指定一人")
    if errors:
        raise ValidationError(errors)
    _refuse_owners_outside(
        problem.town_id, leader=leader, department=department, assignees=assignees, acceptor=acceptor
    )
    assigned_on = assigned_on or timezone.localdate(_when(at))
    due, provisional = compute_deadline(
        basis=deadline_basis, assigned_on=assigned_on, deadline=deadline, days=deadline_days
    )
    long_term = deadline_basis == DeadlineBasis.LONG_TERM
    step = _transition(
        problem=problem, action=Action.ASSIGN, actor=actor, to=Status.LONG_TERM if long_term else None, at=at
    )
    problem.leader, problem.department, problem.acceptor = leader, department, acceptor
    problem.deadline_basis, problem.deadline_days = deadline_basis, deadline_days
    problem.assigned_on, problem.deadline, problem.original_deadline = assigned_on, due, due
    problem.deadline_provisional = provisional
    problem.cadence = cadence
    _refresh_slip(problem)
    return step


def _notify_owners(
    *, actor: Actor, problem: Problem, leader_id: int | None, person_ids: Iterable[int]
) -> None:
    """Tell the 责任领导 and each 责任人 who has an account that the problem is now theirs.

    One notice per account and problem (the key): named again after a correction, or both
    leader and 责任人, a person is told once. Nobody is told what they did themselves."""
    roles: dict[int, list[str]] = {}
    if leader_id is not None:
        roles.setdefault(leader_id, []).append(_("责任领导"))
    for person in person_ids:
        roles.setdefault(person, []).append(_("责任人"))
    if not roles:
        return
    accounts = User.objects.filter(person_id__in=roles, is_active=True)
    if (own := account_of(actor)) is not None:
        accounts = accounts.exclude(pk=own.pk)
    deadline = problem.deadline.isoformat() if problem.deadline else _("长期坚持")
    department = problem.department.name if problem.department else ""
    drafts = [
        Draft(
            recipient_id=account,
            key=f"assigned:{problem.pk}:{account}",
            subject=_("【新分派】%(number)s 请您作为%(roles)s牵头整改")
            % {"number": problem.number, "roles": "、".join(roles[person])},
            body=problem.description
            + "\n"
            + _("责任部门：%(department)s；整改时限：%(deadline)s。请按期报送半月进度。")
            % {"department": department, "deadline": deadline},
            url=reverse("ledger:problem_detail", args=[problem.pk]),
        )
        for account, person in accounts.values_list("pk", "person_id")
    ]
    notices_send(drafts, reason=_("问题分派通知"), actor=actor)


@transaction.atomic
def problems_bulk_assign(*, actor: Actor, problems: Sequence[Problem], **owners: Any) -> list[Problem]:
    """Assign many at once, all or nothing: one refusal leaves every problem as it was."""
    if not problems:
        raise ValidationError({"problems": _("问题：请至少选择一项")})
    return [problem_assign(actor=actor, problem=p, **owners) for p in problems]


# ---------------------------------------------------------------------------------------
# Reports


@transaction.atomic
def report_save(
    *,
    actor: User,
    problem: Problem,
    progress: int,
    done: str,
    difficulties: str = "",
    next_steps: str = "",
    period_key: str = "",
    submit: bool = True,
    files: Sequence[UploadedFile] = (),
) -> ProgressReport:
    """File the half-monthly report: a draft may be edited; a submitted one is final."""
    _person_only(actor, _("填报进度"))
    problem = _lock(problem)
    if problem.status not in WORKING:
        raise ValidationError(
            {
                "problem": _("问题：当前为“%(status)s”，不能填报进度")
                % {"status": Status(problem.status).label}
            }
        )
    require(may_report(actor, problem, assignee_ids(problem)), _("只有责任领导或责任人可以填报进度"))
    today = timezone.localdate()
    cadence = Cadence(problem.cadence) if problem.cadence != Cadence.NONE else Cadence.MONTHLY
    try:
        period = period_from_text(period_key) if period_key else period_containing(today, cadence)
    except ValueError as exc:
        raise ValidationError({"period_key": _("报告期：%(error)s") % {"error": exc}}) from exc
    if period.start > today:
        raise ValidationError({"period_key": _("报告期：%(period)s尚未开始") % {"period": period.label}})
    errors: dict[str, str] = {}
    if progress is None or not 0 <= progress <= 100:
        errors["progress"] = _("完成进度：应为0到100之间的整数")
    if not (done or "").strip():
        errors["done"] = _("本期完成情况：不能为空")
    if errors:
        raise ValidationError(errors)
    report = ProgressReport.objects.select_for_update().filter(problem=problem, period_key=period.key).first()
    if report is not None and report.submitted_at is not None:
        raise ValidationError(
            {"period_key": _("报告期：%(period)s的报告已经提交，不能重复提交") % {"period": period.label}}
        )
    if report is None:
        report = ProgressReport(problem=problem, period_key=period.key, author=actor)
    report.progress, report.done = progress, done.strip()
    report.difficulties, report.next_steps = difficulties.strip(), next_steps.strip()
    report.author = actor
    if submit:
        report.submitted_at = timezone.now()
        report.is_late = today > period.due
    report.full_clean(validate_constraints=False)
    report.save()
    _attach(problem=problem, files=files, kind=EvidenceKind.REPORT, actor=actor, report=report)
    if submit:
        before = _snapshot(problem)
        refresh_report_state(problem)
        audit_record(
            actor=actor,
            action=LedgerAudit.REPORT_SUBMITTED,
            obj=problem,
            before=before,
            after={"period": period.key, "progress": progress, "late": report.is_late},
        )
    else:
        audit_record(
            actor=actor, action=LedgerAudit.REPORT_DRAFTED, obj=problem, after={"period": period.key}
        )
    return report


def refresh_report_state(problem: Problem) -> None:
    """Re-derive the stored report facts (latest period, its progress, the slip date) from the reports."""
    latest = problem.reports.filter(submitted_at__isnull=False).order_by("-period_key").first()
    problem.last_report_period = latest.period_key if latest else ""
    problem.last_progress = latest.progress if latest else 0
    _refresh_slip(problem)
    problem.save(update_fields=["last_report_period", "last_progress", "progress_slip_on", "updated_at"])


def _attach(
    *,
    problem: Problem,
    files: Sequence[UploadedFile],
    kind: str,
    actor: Actor,
    report: ProgressReport | None = None,
    at: datetime | None = None,
) -> list[Evidence]:
    if len(files) > EVIDENCE_MAX_FILES:
        raise ValidationError(
            {
                "files": _("佐证材料：一次最多上传%(n)s个文件，您选择了%(m)s个")
                % {"n": EVIDENCE_MAX_FILES, "m": len(files)}
            }
        )
    checked = [(upload, check_evidence_file(upload)) for upload in files]
    saved = []
    for upload, content_type in checked:
        item = Evidence(
            problem=problem,
            report=report,
            kind=kind,
            original_name=(upload.name or "")[:200],
            size=upload.size or 0,
            content_type=content_type,
            uploaded_by=account_of(actor),
        )
        item.file.save(upload.name or "evidence", upload, save=False)
        item.save()
        saved.append(item)
    if at is not None and saved:
        # Filed with a step recorded at its own moment: dated with the step, not the seeding.
        Evidence.objects.filter(pk__in=[e.pk for e in saved]).update(uploaded_at=at)
    return saved


# ---------------------------------------------------------------------------------------
# Closure (销号), return, reopen


_NOT_READY = {
    ClosureNeeds.REINSPECTION: gettext_lazy("复查：须经复查合格后才能验收销号"),
    ClosureNeeds.NEW_RATING: gettext_lazy("申请人评价：须申请人重新评价后才能验收销号"),
}


def _closure_ready(problem: Problem) -> None:
    """A re-inspection or the applicant's new rating, where the policy asks for one; the owning
    module says whether the problem has it."""
    policy = policy_for(problem.source)
    needs = policy.closure_needs
    if needs in _NOT_READY and not (policy.closure_ready and policy.closure_ready(problem)):
        field = "reinspection" if needs == ClosureNeeds.REINSPECTION else "rating"
        raise ValidationError({field: str(_NOT_READY[needs])})


@transaction.atomic
def problem_apply_close(
    *, actor: User, problem: Problem, completion: str, files: Sequence[UploadedFile] = ()
) -> Problem:
    """The 责任人 applies for closure with what the source's policy asks (usually evidence files,
    now or earlier)."""
    _person_only(actor, _("申请销号"))
    problem = _lock(problem)
    require(may_apply_close(actor, problem, assignee_ids(problem)), _("只有责任人或责任领导可以申请销号"))
    before = _snapshot(problem)
    if not (completion or "").strip():
        raise ValidationError({"completion": _("完成情况：申请销号须说明整改完成情况")})
    if policy_for(problem.source).closure_needs == ClosureNeeds.EVIDENCE:
        has_evidence = files or problem.evidence.filter(kind=EvidenceKind.CLOSURE).exists()
        if not has_evidence:
            raise ValidationError({"files": _("佐证材料：申请销号须上传至少一份佐证材料")})
    _step(problem=problem, action=Action.APPLY_CLOSE, actor=actor, reason=completion.strip())
    problem.completion = completion.strip()
    _attach(problem=problem, files=files, kind=EvidenceKind.CLOSURE, actor=actor)
    return _save(problem, before, actor, LedgerAudit.CLOSURE_REQUESTED)


@transaction.atomic
def problem_accept(*, actor: User, problem: Problem, note: str = "") -> Problem:
    """The acceptor the source's policy names closes it, once closure has what the policy asks."""
    _person_only(actor, _("验收销号"))
    problem = _lock(problem)
    policy = policy_for(problem.source)
    require(policy.may_accept(actor, problem), _("只有党政办或验收人可以验收销号"))
    _closure_ready(problem)
    before = _snapshot(problem)
    _step(problem=problem, action=Action.ACCEPT, actor=actor, reason=note.strip())
    problem.closed_on = timezone.localdate()
    return _save(problem, before, actor, LedgerAudit.PROBLEM_CLOSED)


@transaction.atomic
def problem_return(*, actor: User, problem: Problem, reason: str) -> Problem:
    _person_only(actor, _("退回"))
    problem = _lock(problem)
    require(policy_for(problem.source).may_accept(actor, problem), _("只有党政办或验收人可以退回"))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("退回理由：不能为空")})
    before = _snapshot(problem)
    _step(problem=problem, action=Action.RETURN, actor=actor, reason=reason.strip())
    return _save(problem, before, actor, LedgerAudit.CLOSURE_RETURNED, reason=reason.strip())


@transaction.atomic
def problem_reopen(*, actor: User, problem: Problem, reason: str) -> Problem:
    problem = _lock(problem)
    require(is_office(actor), _("只有党政办可以重新打开问题"))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("重新打开理由：不能为空")})
    before = _snapshot(problem)
    _step(problem=problem, action=Action.REOPEN, actor=actor, reason=reason.strip())
    problem.closed_on = None
    return _save(problem, before, actor, LedgerAudit.PROBLEM_REOPENED, reason=reason.strip())


_RECORDABLE = (Action.APPLY_CLOSE, Action.ACCEPT, Action.RETURN)


@transaction.atomic
def problem_record_step(
    *,
    actor: Actor,
    problem: Problem,
    action: str,
    at: datetime,
    reason: str = "",
    completion: str = "",
    files: Sequence[UploadedFile] = (),
) -> Problem:
    """Record a closure-side step that already happened elsewhere, at its own moment: a paper
    ledger's 销号 being imported, the demo's made-up history. Same table, same `_step`; the
    signatures stay on paper, so the policy's closure needs are not asked again. Files that
    came with an application for closure (`files`, scanned or photographed) are checked and
    filed as its evidence, dated with the step, like any upload.
    Only the importer and the demo (as the system, or the office importing a sheet) may."""
    require(is_office(actor) or is_system(actor, IMPORT, DEMO), _("只有台账导入或演示数据可以补录办理记录"))
    if files and action != Action.APPLY_CLOSE:
        raise ValidationError({"files": _("佐证材料：只能随申请销号补录")})
    problem = _lock(problem)
    last = problem.transitions.order_by("-at").values_list("at", flat=True).first()
    before = _snapshot(problem)
    step = _record_in_memory(
        actor=actor, problem=problem, action=action, at=at, last=last, reason=reason, completion=completion
    )
    _save_step(step)
    filed = _attach(problem=problem, files=files, kind=EvidenceKind.CLOSURE, actor=actor, at=at)
    extra = {"evidence": [e.original_name for e in filed]} if filed else {}
    return _save(problem, before, actor, LedgerAudit.STEP_RECORDED, step=action, at=at.isoformat(), **extra)


def closure_moment(closed_on: date, *, now: datetime | None = None) -> datetime:
    """When a closure another record dates by its day is recorded: the end of that working
    day (17:00), never after now (a sheet closed today, imported this morning)."""
    now = now or timezone.now()
    return min(timezone.make_aware(datetime.combine(closed_on, time(17))), now)


def _closure_steps(problem: Problem) -> tuple[str, ...]:
    """The recorded steps that close a problem from where it stands: an application already
    made is accepted; otherwise it is applied for and accepted at the same moment."""
    if problem.status == Status.CLOSURE_REQUESTED:
        return (Action.ACCEPT,)
    return (Action.APPLY_CLOSE, Action.ACCEPT)


def _closure_in_memory(
    *, actor: Actor, problem: Problem, at: datetime, last: datetime | None, note: str
) -> list[tuple[str, Step, dict[str, Any], dict[str, Any]]]:
    """The closing steps in memory: (action, step, the problem before, after) for each."""
    done = []
    for action in _closure_steps(problem):
        before = _snapshot(problem)
        step = _record_in_memory(actor=actor, problem=problem, action=action, at=at, last=last, reason=note)
        done.append((action, step, before, _snapshot(problem)))
        last = at
    return done


@transaction.atomic
def problem_record_closure(*, actor: Actor, problem: Problem, closed_on: date, note: str = "") -> Problem:
    """Record a 销号 that happened elsewhere on `closed_on` (a re-imported paper ledger): the
    steps that close the problem from where it stands (see _closure_steps), each audited as
    a recorded step, at closure_moment(closed_on). The record names a day, not an hour: on
    the day of the problem's last step the closure is recorded with it; a day before that is
    refused (history is not rewritten to fit)."""
    require(is_office(actor) or is_system(actor, IMPORT), _("只有台账导入可以补录销号"))
    problem = _lock(problem)
    last = problem.transitions.order_by("-at").values_list("at", flat=True).first()
    at = closure_moment(closed_on)
    if last is not None and at < last:
        if closed_on < timezone.localdate(last):
            raise ValidationError(
                {
                    "closed_on": _("销号日期：%(d)s早于该问题上一步办理的时间（%(last)s）")
                    % {"d": closed_on.isoformat(), "last": shown(last)}
                }
            )
        at = last
    recorded = _closure_in_memory(actor=actor, problem=problem, at=at, last=last, note=note)
    for _action, step, _before, _after in recorded:
        _save_step(step)
    problem.full_clean()
    problem.save()
    for action, _step_fields, before, after in recorded:
        audit_record(
            actor=actor,
            action=LedgerAudit.STEP_RECORDED,
            obj=problem,
            before=before,
            after={**after, "step": action, "at": at.isoformat()},
        )
    return problem


def _record_in_memory(
    *,
    actor: Actor,
    problem: Problem,
    action: str,
    at: datetime,
    last: datetime | None,
    reason: str = "",
    completion: str = "",
) -> Step:
    """problem_record_step's checks and changes in memory; the recorded step, unsaved."""
    if action not in _RECORDABLE:
        raise ValidationError({"action": _("动作：只能补录申请销号、验收销号或退回")})
    # History is appended in time order: a recorded step cannot come before the last one.
    if last is not None and at < last:
        raise ValidationError({"at": _("办理时间：不能早于上一步（%(last)s）") % {"last": shown(last)}})
    step = _transition(problem=problem, action=action, actor=actor, reason=reason.strip(), at=at)
    if action == Action.APPLY_CLOSE and completion.strip():
        problem.completion = completion.strip()
    if action == Action.ACCEPT:
        problem.closed_on = timezone.localdate(at)
    return step


# ---------------------------------------------------------------------------------------
# Correcting an assignment (更正分派)


def _owners(problem: Problem) -> dict[str, Any]:
    return {
        "leader": problem.leader_id,
        "department": problem.department_id,
        "assignees": sorted(p.pk for p in problem.assignees.all()),
        "acceptor": problem.acceptor_id,
        "deadline": problem.deadline.isoformat() if problem.deadline else None,
    }


@transaction.atomic
def problem_correct_assignment(
    *,
    actor: User,
    problem: Problem,
    reason: str,
    leader: Person | None = None,
    department: Unit | None = None,
    assignees: Sequence[Person] | None = None,
    acceptor: Person | None = None,
    clear_acceptor: bool = False,
    deadline: date | None = None,
) -> Problem:
    """The office puts a wrong assignment right: owners, acceptor and/or deadline of an open,
    owned problem, with a reason. A step in the history that keeps the status (Action.CORRECT),
    the old and new values kept on the step and in the audit event. Not an extension: the
    owners apply for those, and an approved one records the date it moved from.
    Arguments left as None stay as they are."""
    _person_only(actor, _("更正分派"))
    require(is_office(actor), _("只有党政办可以更正分派"))
    problem = _lock(problem)
    _allowed(problem, Action.CORRECT)  # the table says where: owned and open, not 待分派 or 已销号
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = _("更正理由：不能为空")
    if assignees is not None and not assignees:
        errors["assignees"] = _("责任人：至少指定一人")
    if deadline is not None:
        if problem.deadline is None:
            errors["deadline"] = _("整改时限：长期坚持的问题没有时限，不能更正时限")
        elif problem.assigned_on and deadline < problem.assigned_on:
            errors["deadline"] = _("整改时限：不能早于分派日期%(d)s") % {"d": problem.assigned_on}
        elif (why := deadline_out_of_range(deadline, today=timezone.localdate())) is not None:
            errors["deadline"] = _("整改时限：%(why)s") % {"why": why}
    if errors:
        raise ValidationError(errors)
    _refuse_owners_outside(
        problem.town_id, leader=leader, department=department, assignees=assignees, acceptor=acceptor
    )
    old = _owners(problem)
    before = _snapshot(problem)
    if leader is not None:
        problem.leader = leader
    if department is not None:
        problem.department = department
    if acceptor is not None or clear_acceptor:
        problem.acceptor = acceptor
    if deadline is not None:
        problem.deadline, problem.deadline_provisional = deadline, False  # a date the office typed
    new = {**old, "leader": problem.leader_id, "department": problem.department_id,
           "acceptor": problem.acceptor_id, "deadline": problem.deadline.isoformat() if problem.deadline else None}  # fmt: skip
    if assignees is not None:
        new["assignees"] = sorted(p.pk for p in assignees)
    changed = {k: {"from": old[k], "to": new[k]} for k in old if old[k] != new[k]}
    if not changed:
        raise ValidationError({"__all__": _("更正分派：没有任何改动")})
    _step(problem=problem, action=Action.CORRECT, actor=actor, reason=reason, changes=changed)
    _refresh_slip(problem)
    problem.full_clean()
    problem.save()
    if assignees is not None:
        problem.assignees.set(assignees)
    _notify_owners(
        actor=actor,
        problem=problem,
        leader_id=new["leader"] if "leader" in changed else None,
        person_ids=set(new["assignees"]) - set(old["assignees"]),
    )
    audit_record(
        actor=actor,
        action=LedgerAudit.ASSIGNMENT_CORRECTED,
        obj=problem,
        before={**before, **old},
        after={**_snapshot(problem), **new, "reason": reason},
    )
    return problem


@transaction.atomic
def problems_recompute_provisional(*, actor: Actor, year: int) -> list[Recomputed]:
    """After `year`'s arrangement is confirmed: count every provisional deadline again.

    Registered as a core.calendar confirmation hook. A deadline that moves is a step in the
    history (Action.CORRECT, with the old and new dates) and an audit event; one that stays
    only loses its 暂定 mark. Problems already closed keep the deadline they were closed against."""
    changed: list[Recomputed] = []
    own = actor_town_id(actor) if account_of(actor) is not None else None
    provisional = Problem.objects.filter(deadline_provisional=True, status__in=CORRECTABLE).order_by("number")
    for problem in provisional.select_for_update():
        if problem.assigned_on and problem.assigned_on.year > year:
            continue  # counted only over later years: nothing this year changes
        # The calendar is the county's: another town's problems move too, as the calendar's
        # step, and the confirming office is not shown them (ADR 0008 §3).
        ours = own is None or problem.town_id == own
        who: Actor = actor if ours else CALENDAR
        counted = recompute_deadline(problem)
        if counted is None or counted.day is None:
            problem.deadline_provisional = False
            problem.save(update_fields=["deadline_provisional"])
            continue
        before = _snapshot(problem)
        old = problem.deadline
        problem.deadline, problem.deadline_provisional = counted.day, counted.provisional
        if old != counted.day:
            assert old is not None
            reason = _("%(year)s年工作日历已确认，按正式放假安排重算整改时限") % {"year": year}
            changes = {"deadline": {"from": old.isoformat(), "to": counted.day.isoformat()}}
            _step(problem=problem, action=Action.CORRECT, actor=who, reason=reason, changes=changes)
            if ours:
                changed.append(
                    Recomputed(
                        label=problem.number,
                        url=reverse("ledger:problem_detail", args=[problem.pk]),
                        before=old,
                        after=counted.day,
                    )
                )
        _refresh_slip(problem)
        _save(problem, before, who, LedgerAudit.DEADLINE_RECOMPUTED, year=year)
    return changed


# ---------------------------------------------------------------------------------------
# Extension (延期) and suspension (暂停)


@transaction.atomic
def extension_request(*, actor: User, problem: Problem, new_deadline: date | None, reason: str) -> Extension:
    problem = _lock(problem)
    require(may_report(actor, problem, assignee_ids(problem)), _("只有责任领导或责任人可以申请延期"))
    if problem.deadline is None:
        raise ValidationError({"new_deadline": _("申请延至：长期坚持的问题没有时限，无须延期")})
    errors: dict[str, str] = {}
    if new_deadline is None or new_deadline <= problem.deadline:
        errors["new_deadline"] = _("申请延至：应晚于现在的时限%(d)s") % {"d": problem.deadline}
    elif (why := deadline_out_of_range(new_deadline, today=timezone.localdate())) is not None:
        errors["new_deadline"] = _("申请延至：%(why)s") % {"why": why}
    if not (reason or "").strip():
        errors["reason"] = _("延期理由：不能为空")
    if errors:
        raise ValidationError(errors)
    if problem.extensions.filter(status=ExtensionStatus.REQUESTED).exists():
        raise ValidationError({"new_deadline": _("申请延至：已有一项延期申请待审批")})
    assert new_deadline is not None
    extension = Extension.objects.create(
        problem=problem,
        old_deadline=problem.deadline,
        new_deadline=new_deadline,
        reason=reason.strip(),
        requested_by=actor,
    )
    audit_record(
        actor=actor,
        action=LedgerAudit.EXTENSION_REQUESTED,
        obj=problem,
        after={"from": problem.deadline, "to": new_deadline, "reason": extension.reason},
    )
    return extension


@transaction.atomic
def extension_decide(*, actor: User, extension: Extension, approve: bool, note: str = "") -> Extension:
    require(is_office(actor), _("只有党政办可以审批延期"))
    extension = Extension.objects.select_for_update().get(pk=extension.pk)
    if extension.status != ExtensionStatus.REQUESTED:
        raise ValidationError({"extension": _("延期申请：已经审批过")})
    if not approve and not note.strip():
        raise ValidationError({"note": _("审批意见：不批准时须说明理由")})
    problem = _lock(extension.problem)
    before = _snapshot(problem)
    extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    extension.decided_by, extension.decided_at, extension.decision_note = actor, timezone.now(), note.strip()
    extension.save()
    if approve:
        # The original date stays on the problem and in the extension record.
        problem.original_deadline = problem.original_deadline or extension.old_deadline
        problem.deadline, problem.deadline_provisional = extension.new_deadline, False
        _refresh_slip(problem)
    _save(problem, before, actor, LedgerAudit.EXTENSION_DECIDED, approved=approve, note=note.strip())
    return extension


@transaction.atomic
def problem_suspend(*, actor: User, problem: Problem, reason: str, start: date | None = None) -> Suspension:
    require(is_office(actor), _("只有党政办可以暂停计时"))
    problem = _lock(problem)
    if problem.status not in WORKING:
        raise ValidationError(
            {"problem": _("问题：当前为“%(s)s”，不能暂停") % {"s": Status(problem.status).label}}
        )
    if problem.suspended_since:
        raise ValidationError({"problem": _("问题：已在暂停中")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("暂停理由：不能为空")})
    before = _snapshot(problem)
    start = start or timezone.localdate()
    suspension = Suspension.objects.create(problem=problem, start=start, reason=reason.strip(), by=actor)
    problem.suspended_since = start
    _save(problem, before, actor, LedgerAudit.PROBLEM_SUSPENDED, reason=reason.strip())
    return suspension


@transaction.atomic
def problem_resume(*, actor: User, problem: Problem, end: date | None = None) -> Problem:
    """Restart the clock: the deadline moves by the working days the problem was suspended."""
    require(is_office(actor), _("只有党政办可以恢复计时"))
    problem = _lock(problem)
    if not problem.suspended_since:
        raise ValidationError({"problem": _("问题：没有处于暂停状态")})
    end = end or timezone.localdate()
    if end < problem.suspended_since:
        raise ValidationError({"end": _("恢复日期：不能早于暂停日期")})
    before = _snapshot(problem)
    suspension = problem.suspensions.filter(end__isnull=True).latest("start")
    suspension.end, suspension.resumed_at, suspension.deadline_before = end, timezone.now(), problem.deadline
    suspension.save(update_fields=["end", "resumed_at", "deadline_before"])
    if problem.deadline is not None:
        try:
            calendar = work_calendar()
            paused = calendar.workdays_between(problem.suspended_since, end)
            problem.deadline = calendar.add_workdays(problem.deadline, paused)
            problem.deadline_provisional = problem.deadline_provisional or calendar.is_provisional(
                problem.suspended_since, problem.deadline
            )
        except CalendarNotCovered as exc:
            raise ValidationError({"end": str(exc)}) from exc
    problem.suspended_since = None
    _refresh_slip(problem)
    return _save(problem, before, actor, LedgerAudit.PROBLEM_RESUMED)


# ---------------------------------------------------------------------------------------
# Importing a ledger sheet (整改台账) in bulk


@dataclass(frozen=True)
class ImportedProblem:
    """One sheet row, read and checked by the importer, for problems_import."""

    line: str  # "第5行", for messages
    source: str
    category: str
    description: str
    village: Unit | None = None
    goal: str = ""
    measures: str = ""
    milestones: str = ""
    remarks: str = ""
    completion: str = ""
    leader: Person | None = None
    department: Unit | None = None
    assignees: Sequence[Person] = ()
    cooperating_units: Sequence[Unit] = ()
    acceptor: Person | None = None
    assign: bool = True  # False: the row stays 待分派 (未启动, as the office chose)
    deadline_basis: str = DeadlineBasis.DATE
    deadline: date | None = None
    deadline_days: int | None = None
    assigned_on: date | None = None
    at: datetime | None = None  # when it was collected and assigned (the sheet's date); None: now
    closed_at: datetime | None = None  # the sheet records its 销号 at this moment
    closure_note: str = ""
    import_key: str = ""  # zhenwu.lib.ledger_text.row_identity
    serial: str = ""


_IMPORT_BATCH = 500
_SHEET_GIVEN = {"number", "source", "category", "description", "goal", "measures", "milestones", "completion",
                "remarks", "deadline", "deadline_days", "closed_on"}  # fmt: skip
_ENGINE_SET = [f.name for f in Problem._meta.concrete_fields if f.name not in _SHEET_GIVEN]


@transaction.atomic
def problems_import(
    *,
    actor: Actor,
    items: Sequence[ImportedProblem],
    file_name: str = "",
    town: Town | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Problem]:
    """Register, assign and — where the sheet records it — close many problems in one go, in
    `town` (else the actor's).

    Each row passes the checks problem_create, problem_assign and problem_record_step make
    (the same helpers run), and gets the same history steps and the same audit events with
    the same before/after; only the writing is batched: numbers taken as one block per series, rows,
    steps and links bulk-inserted, and the audit events chained under one lock by
    audit_record_many. A row that fails a check refuses the whole batch, naming its line."""
    require(is_office(actor) or is_system(actor, IMPORT), _("只有党政办可以导入台账"))
    town_id = town_for_new(actor=actor, town=town)
    built: list[tuple[ImportedProblem, Problem, list[Step], list[AuditEntry]]] = []
    numbers = _number_blocks(town_id, items)
    for index, item in enumerate(items):
        try:
            built.append(_import_one(actor, town_id, item, numbers))
        except ValidationError as exc:
            raise ValidationError({"file": f"{item.line}：{'；'.join(exc.messages)}"}) from exc
        except PermissionError as exc:
            raise PermissionError(f"{item.line}：{exc}") from exc
        if progress and index % _IMPORT_BATCH == 0:
            progress(index, len(items) * 2)
    problems = [entry[1] for entry in built]
    now = timezone.now()
    for item, problem, *_rest in built:
        # When it was collected (the sheet's date), not when it was typed in: bulletins count by it.
        problem.created_at, problem.updated_at = item.at or now, now
    try:
        ids = insert_rows_with_ids(Problem, [row_of(p) for p in problems], key="number")
    except IntegrityError as exc:
        raise ValidationError(
            {"file": _("编号冲突：导入时另有问题同时登记，请重新导入（本次没有写入任何内容）")}
        ) from exc
    for problem, ident in zip(problems, ids, strict=True):
        problem.pk = ident
        problem._state.adding, problem._state.db = False, "default"
    if progress:
        progress(len(items), len(items) * 2)
    transitions: list[Step] = []
    assignees: list[dict[str, Any]] = []
    cooperating: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    entries: list[AuditEntry] = []
    name = file_name[:200]
    for item, problem, steps, events in built:
        for step in steps:
            step["problem_id"] = problem.pk
            transitions.append(step)
        if item.assign:
            assignees.extend({"problem_id": problem.pk, "person_id": p.pk} for p in item.assignees)
            cooperating.extend({"problem_id": problem.pk, "unit_id": u.pk} for u in item.cooperating_units)
        if item.import_key:
            rows.append(
                {"town_id": town_id, "key": item.import_key, "problem_id": problem.pk, "serial": item.serial[:40], "file_name": name,
                 "imported_at": now}
            )  # fmt: skip
        entries.extend(AuditEntry(e.action, problem, before=e.before, after=e.after) for e in events)
    # History steps, owners and row keys are plain rows: inserted without a model each.
    insert_rows(ProblemTransition, transitions)
    insert_rows(Problem.assignees.through, assignees)
    insert_rows(Problem.cooperating_units.through, cooperating)
    try:
        with transaction.atomic():
            insert_rows(ImportedRow, rows)
    except IntegrityError as exc:
        raise ValidationError(
            {
                "file": _(
                    "这份台账的部分行刚刚已被导入（可能有人同时导入了同一份台账），请重新检查（本次没有写入任何内容）"
                )
            }
        ) from exc
    audit_record_many(actor=actor, entries=entries)
    if progress:
        progress(len(items) * 2, len(items) * 2)
    return problems


def _number_blocks(town_id: int, items: Sequence[ImportedProblem]) -> dict[tuple[int, str], int]:
    """The first 编号 of each (year, prefix) block the batch takes from the town's counters:
    one counter update per series, however many rows (rolled back with the batch if it fails)."""
    wanted: dict[tuple[int, str], int] = {}
    for item in items:
        key = (timezone.localdate(_when(item.at)).year, policy_for(item.source).number_prefix)
        wanted[key] = wanted.get(key, 0) + 1
    first: dict[tuple[int, str], int] = {}
    for (year, prefix), count in wanted.items():
        last = counter_next(
            town_id=town_id,
            series=_series(prefix),
            year=year,
            count=count,
            floor=_floor(town_id, year, prefix),
        )
        first[(year, prefix)] = last - count + 1
    return first


def _floor(town_id: int, year: int, prefix: str) -> Callable[[], int]:
    return lambda: _last_serial(town_id, year, prefix)


def _import_one(
    actor: Actor, town_id: int, item: ImportedProblem, numbers: dict[tuple[int, str], int]
) -> tuple[ImportedProblem, Problem, list[Step], list[AuditEntry]]:
    """One row in memory: the problem in its final state, its steps, its events (not saved)."""
    when = _when(item.at)
    problem = _new_problem(
        actor=actor,
        town=Town(pk=town_id),
        source=item.source,
        category=item.category,
        description=item.description,
        village=item.village,
        goal=item.goal,
        measures=item.measures,
        milestones=item.milestones,
        remarks=item.remarks,
        completion=item.completion,
    )
    prefix = policy_for(item.source).number_prefix
    year = timezone.localdate(when).year
    problem.number = _number(year, prefix, numbers[(year, prefix)])
    numbers[(year, prefix)] += 1
    created = _snapshot(problem)
    events = [AuditEntry(LedgerAudit.PROBLEM_CREATED, after=created)]
    steps: list[Step] = []
    if item.assign:
        steps.append(
            _assign_in_memory(
                actor=actor,
                problem=problem,
                leader=item.leader,
                department=item.department,
                assignees=item.assignees,
                deadline_basis=item.deadline_basis,
                deadline=item.deadline,
                deadline_days=item.deadline_days,
                acceptor=item.acceptor,
                cadence=None,
                assigned_on=item.assigned_on,
                at=item.at,
            )
        )
        assigned = _snapshot(problem)
        events.append(
            AuditEntry(
                LedgerAudit.PROBLEM_ASSIGNED,
                before=created,
                after={**assigned, "assignees": [p.pk for p in item.assignees]},
            )
        )
        if item.closed_at is not None:
            closing = _closure_in_memory(
                actor=actor, problem=problem, at=item.closed_at, last=steps[-1]["at"], note=item.closure_note
            )
            for action, step, before, after in closing:
                steps.append(step)
                events.append(
                    AuditEntry(
                        LedgerAudit.STEP_RECORDED,
                        before=before,
                        after={**after, "step": action, "at": item.closed_at.isoformat()},
                    )
                )
    elif item.closed_at is not None:
        raise ValidationError({"status": _("状态：待分派的问题不能销号")})
    # full_clean's checks of the values the sheet gave. The rest the engine set from its own
    # tables (status, cadence, basis…); the linked rows (leader, department, village, acceptor)
    # come loaded from the database, the numbers counted above are unique, and the table's
    # constraints hold in the database — checked one query each per row, a 10,000-row sheet
    # spent most of its commit asking the database what it had just said.
    problem.full_clean(exclude=_ENGINE_SET, validate_unique=False, validate_constraints=False)
    return item, problem, steps, events


@transaction.atomic
def problem_update_completion(*, actor: Actor, problem: Problem, completion: str, note: str = "") -> Problem:
    """A re-imported sheet reports more progress on a problem imported before: its 完成情况."""
    require(is_office(actor) or is_system(actor, IMPORT), _("只有党政办可以按台账更新完成情况"))
    problem = _lock(problem)
    completion = (completion or "").strip()
    if not completion:
        raise ValidationError({"completion": _("完成情况：不能为空")})
    before = {**_snapshot(problem), "completion": problem.completion}
    problem.completion = completion
    return _save(problem, before, actor, LedgerAudit.IMPORT_UPDATED, completion=completion, note=note)


# ---------------------------------------------------------------------------------------
# The town's other names for its departments (部门别名)


@transaction.atomic
def department_alias_save(*, actor: Actor, alias: str, unit: Unit) -> DepartmentAlias:
    """Remember that the town's sheets call `unit` `alias`. One alias names one department:
    an alias already naming another is refused, as is another department's own name."""
    require(is_office(actor) or is_system(actor, IMPORT), _("只有党政办可以维护部门别名"))
    refuse_outside_actors_town(actor, "unit", _("部门"), unit)  # a town's aliases name its own
    town_id = unit.town_id
    shown = re.sub(r"\s+", "", alias or "")
    towns = town_names(town_id) if town_id is not None else []
    key = unit_key(shown, towns)
    if not key:
        raise ValidationError({"alias": _("别名：不能为空")})
    if len(shown) > 100:
        raise ValidationError({"alias": _("别名：不能超过100个字")})
    if unit.kind != UnitKind.DEPARTMENT or town_id is None:  # the county's own units have none
        raise ValidationError({"unit": _("部门：“%(unit)s”不是镇政府部门") % {"unit": unit.name}})
    existing = (
        DepartmentAlias.objects.select_for_update()
        .filter(town_id=town_id, key=key)
        .select_related("unit")
        .first()
    )
    if existing is not None and existing.unit_id != unit.pk:
        raise ValidationError(
            {
                "alias": _(
                    "别名：“%(alias)s”已对应“%(old)s”，一个别名只能对应一个部门；如要改为“%(new)s”，请先删除原来的对应"
                )
                % {"alias": shown, "old": existing.unit.name, "new": unit.name}
            }
        )
    if existing is not None:
        return existing
    for other in Unit.objects.filter(town_id=town_id, kind=UnitKind.DEPARTMENT).exclude(pk=unit.pk):
        if key in (unit_key(other.name, towns), unit_key(other.short_name, towns)):
            raise ValidationError(
                {
                    "alias": _("别名：“%(alias)s”是部门“%(other)s”的名称，不能作为“%(unit)s”的别名")
                    % {"alias": shown, "other": other.name, "unit": unit.name}
                }
            )
    if key in (unit_key(unit.name, towns), unit_key(unit.short_name, towns)):
        raise ValidationError(
            {"alias": _("别名：“%(alias)s”就是该部门的名称，无须设别名") % {"alias": shown}}
        )
    saved = DepartmentAlias(town_id=town_id, key=key, alias=shown, unit=unit, created_by=account_of(actor))
    saved.full_clean(exclude=["town"])
    saved.save()
    audit_record(
        actor=actor, action=LedgerAudit.ALIAS_SAVED, obj=saved, object_label=f"{shown} → {unit.name}",
        after={"alias": shown, "unit": unit.pk},
    )  # fmt: skip
    return saved


@transaction.atomic
def department_alias_delete(*, actor: Actor, alias: DepartmentAlias) -> None:
    require(is_office(actor), _("只有党政办可以维护部门别名"))
    label = f"{alias.alias} → {alias.unit.name}"
    audit_record(
        actor=actor, action=LedgerAudit.ALIAS_DELETED, obj=alias, object_label=label,
        before={"alias": alias.alias, "unit": alias.unit_id},
    )  # fmt: skip
    alias.delete()
