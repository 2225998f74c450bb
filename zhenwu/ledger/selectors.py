"""Reads of the ledger, scoped to the account, plus the policy of who may do what to a problem.

Scope: 党政办, 镇领导 and 督导组 see every problem of their town, the administrator every
town's; a unit-scoped account sees the problems of its unit's subtree (as 责任部门 or 村, a
subtree is inside one town) and those where its person is the 责任领导, a 责任人 or the 验收人
(in any town: a cadre moved keeps seeing what they still own).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhenwu.ledger.constants import OPEN, WORKING, Action, ExtensionStatus
from zhenwu.ledger.models import DepartmentAlias, Evidence, Extension, Problem, ProgressReport
from zhenwu.ledger.policies import policy_for
from zhenwu.ledger.rules import LIST_RULES, colour_q
from zhenwu.lib.cadence import key_label
from zhenwu.lib.ledger_text import unit_key
from zhenwu.org.constants import UnitKind
from zhenwu.org.models import Person, Town, Unit, User
from zhenwu.org.roles import is_office, is_town_reader
from zhenwu.org.scope import Scope, in_town_q, scope_of, scope_unit
from zhenwu.org.selectors import town_leader_ids


def _person_id(user: Any) -> int | None:
    return getattr(user, "person_id", None)


def problems_visible_to(user: User) -> QuerySet[Problem]:
    problems = Problem.objects.all()
    if is_town_reader(user):
        return problems.filter(in_town_q(scope_of(user)))
    scope = Q(pk__in=[])
    if (unit := scope_unit(user)) is not None:  # the active grant's unit (ADR 0008 §3)
        path = unit.path
        scope |= Q(department__path__startswith=path) | Q(village__path__startswith=path)
    if person := _person_id(user):
        scope |= Q(leader_id=person) | Q(acceptor_id=person) | Q(assignees__id=person)
    return problems.filter(pk__in=Problem.objects.filter(scope).values("pk"))


def town_names(town_id: int) -> list[str]:
    """The town's own names as its sheets prefix departments (测试镇 and 测试), longest first:
    its `Town`'s name and short name (read off its 人民政府 by lib.place_names)."""
    pairs = Town.objects.filter(pk=town_id).values_list("name", "short_name")
    names = {n for pair in pairs for n in pair if len(n) >= 2}
    return sorted(names, key=len, reverse=True)


class DepartmentNames:
    """A town's active departments by the names they answer to, each compared as its key
    (lib.ledger_text.unit_key: NFKC, no spaces, no leading 镇 or the town's own name, 办公室 as
    办): the office's alias table first, then each department's name and short name.

    One rule for every place a written name must become a department: the ledger import (which
    adds short forms and resemblances for the office to confirm), the routing catalogue's
    offices and the alias table's own checks. A key several departments answer to names none.
    """

    def __init__(self, town_id: int) -> None:
        self.town_id = town_id
        self.towns = town_names(town_id)
        self.departments = list(
            Unit.objects.filter(town_id=town_id, kind=UnitKind.DEPARTMENT, is_active=True).order_by("path")
        )
        self.by_id = {u.pk: u for u in self.departments}
        self.by_key: dict[str, list[tuple[Unit, str]]] = defaultdict(
            list
        )  # key → (unit, "name"/"short_name")
        for unit in self.departments:
            for text, how in ((unit.name, "name"), (unit.short_name, "short_name")):
                key = unit_key(text, self.towns)
                if key and all(u.pk != unit.pk for u, _ in self.by_key[key]):
                    self.by_key[key].append((unit, how))
        self.aliases = {
            a.key: self.by_id[a.unit_id]
            for a in DepartmentAlias.objects.filter(town_id=town_id).only("key", "unit_id")
            if a.unit_id in self.by_id
        }

    def key(self, text: str) -> str:
        return unit_key(text, self.towns)

    def named(self, text: str) -> Unit | None:
        """The one department `text` names, or None (no such name, or several answer to it)."""
        key = self.key(text)
        if key in self.aliases:
            return self.aliases[key]
        found = self.by_key.get(key, [])
        return found[0][0] if len(found) == 1 else None


def get_problem_for_user(user: User, pk: int, *, for_update: bool = False) -> Problem:
    try:
        return (
            problems_visible_to(user).select_related("leader", "department", "village", "acceptor").get(pk=pk)
        )
    except Problem.DoesNotExist as exc:
        raise Http404("没有找到该问题") from exc


def problem_numbered(user: Any, number: str) -> Problem | None:
    """The problem `user` may see that is numbered `number` (numbers repeat from town to town:
    2026-0001 is each town's first), or None."""
    return problems_visible_to(user).filter(number=(number or "").strip()).first()


def get_evidence_for_user(user: User, pk: int) -> Evidence:
    """A file behind a report or a closure, for whoever may see its problem; 404 for anyone else."""
    found = (
        Evidence.objects.filter(pk=pk, problem__in=problems_visible_to(user).values("pk"))
        .select_related("problem")
        .first()
    )
    if found is None:
        raise Http404("没有找到该文件")
    return found


def get_extension_for_user(user: User, pk: int) -> Extension:
    """An extension request, for whoever may see its problem; 404 for anyone else."""
    found = (
        Extension.objects.filter(pk=pk, problem__in=problems_visible_to(user).values("pk"))
        .select_related("problem")
        .first()
    )
    if found is None:
        raise Http404(_("没有找到该延期申请"))
    return found


def get_alias_for_user(user: User, pk: int | None) -> DepartmentAlias:
    """A department alias, for the office that keeps them (aliases are the town's, not a
    unit's); 404 for anyone else and for no id (a form value core.forms.parse_id refused)."""
    found = (
        DepartmentAlias.objects.select_related("unit").filter(in_town_q(scope_of(user)), pk=pk).first()
        if pk is not None and is_office(user)
        else None
    )
    if found is None:
        raise Http404(_("没有找到该部门别名"))
    return found


def department_aliases(user: Any) -> QuerySet[DepartmentAlias]:
    """The alias page's list of the account's town: by department, then by alias."""
    aliases = DepartmentAlias.objects.filter(in_town_q(scope_of(user)))
    return aliases.select_related("unit").order_by("unit__path", "key")


# --- policy: who may do what (services check it; pages use it to show buttons) ---------------


def may_report(user: Any, problem: Problem, assignee_ids: set[int]) -> bool:
    """The 责任领导 or a 责任人 (the leader's delegates) files the half-monthly report."""
    person = _person_id(user)
    return problem.status in WORKING and (
        is_office(user) or (person is not None and (person == problem.leader_id or person in assignee_ids))
    )


def may_apply_close(user: Any, problem: Problem, assignee_ids: set[int]) -> bool:
    person = _person_id(user)
    return is_office(user) or (person is not None and (person in assignee_ids or person == problem.leader_id))


def may_accept(user: Any, problem: Problem) -> bool:
    """Who the source's policy names (usually the office or the 验收人) accepts or returns a closure."""
    return policy_for(problem.source).may_accept(user, problem)


def assignee_ids(problem: Problem) -> set[int]:
    return {p.pk for p in problem.assignees.all()}


def problem_detail(problem: Problem) -> Problem:
    """The problem with everything its page shows, fetched up front."""
    reports = Prefetch(
        "reports", queryset=ProgressReport.objects.select_related("author").prefetch_related("files")
    )
    return (
        Problem.objects.select_related("leader", "department", "village", "acceptor")
        .prefetch_related("assignees", "cooperating_units", reports, "evidence", "transitions__actor__person")
        .prefetch_related("extensions__requested_by", "suspensions")
        .get(pk=problem.pk)
    )


def my_open_problems(user: User) -> QuerySet[Problem]:
    """The problems this account's person owns (leader, assignee or acceptor), still open."""
    person = _person_id(user)
    if person is None:
        return Problem.objects.none()
    mine = Q(leader_id=person) | Q(assignees__id=person) | Q(acceptor_id=person)
    return (
        Problem.objects.filter(pk__in=Problem.objects.filter(mine).values("pk"), status__in=OPEN)
        .select_related("leader", "department")
        .order_by("deadline", "number")
    )


def leaders(scope: Scope) -> QuerySet[Person]:
    """The 镇领导 of the scope's town (of every town for the county): by the role held there,
    so a leader moved from another town is among them."""
    return Person.objects.filter(pk__in=town_leader_ids(scope)).order_by("is_second_line", "name_pinyin")


def problem_search(user: User, filters: dict[str, Any], today: Any) -> QuerySet[Problem]:
    """Visible problems narrowed by the ledger filters; `today` is a ledger.rules.Today."""
    from zhenwu.ledger.forms import SORTS

    problems = problems_visible_to(user)
    if q := (filters.get("q") or "").strip():
        problems = problems.filter(
            Q(description__contains=q) | Q(number__contains=q) | Q(measures__contains=q)
        )
    for field in ("status", "source", "category"):
        if value := filters.get(field):
            problems = problems.filter(**{field: value})
    for field in ("department", "leader", "village"):
        if value := filters.get(field):
            problems = problems.filter(**{field: value})
    if person := filters.get("person"):
        problems = problems.filter(
            pk__in=Problem.assignees.through.objects.filter(person_id=person).values("problem_id")
        )
    if filters.get("extension"):
        waiting = Extension.objects.filter(status=ExtensionStatus.REQUESTED).values("problem_id")
        problems = problems.filter(pk__in=waiting)
    if colour := filters.get("colour"):
        problems = problems.filter(colour_q(colour, today))
    rules = [filters.get("rule")] + [key for key in ("overdue", "report_missing") if filters.get(key)]
    for key in filter(None, rules):
        problems = problems.filter(LIST_RULES[key].q(today))
    # Newest first by default: new and imported problems are what the office looks for.
    return problems.order_by(*SORTS.get(filters.get("sort") or "-number", SORTS["-number"]))


_OPTIONS: dict[str, Any] = {}
# Units and leaders change a few times a year; the list page, many times a minute. A worker
# reuses its options this long (a rename shows within the minute; names of rows whose unit or
# leader is missing from the options are looked up on the spot, see ledger.views.page_rows).
OPTIONS_SECONDS = 60


def filter_options(user: User) -> dict[str, list[tuple[Any, Any]]]:
    """Options of the ledger's filter bar for the account's town, as plain tuples, labels in
    the current language."""
    import time

    from django.utils.translation import get_language

    scope = scope_of(user)
    key = f"{scope.county}:{scope.town_id}:{get_language() or ''}"
    cached = _OPTIONS.get(key)
    if cached is not None and time.monotonic() - cached[0] < OPTIONS_SECONDS:
        return {name: list(options) for name, options in cached[1].items()}
    options = _load_filter_options(scope)
    _OPTIONS[key] = (time.monotonic(), options)
    return {name: list(values) for name, values in options.items()}


def forget_filter_options() -> None:
    _OPTIONS.clear()


def _load_filter_options(scope: Scope) -> dict[str, list[tuple[Any, Any]]]:
    from django.utils.translation import gettext as _

    from zhenwu.org.constants import PLACE_KINDS, UnitKind

    units = Unit.objects.filter(in_town_q(scope), kind__in=[UnitKind.DEPARTMENT, *PLACE_KINDS]).order_by(
        "path"
    )
    departments: list[tuple[Any, Any]] = [("", _("全部部门"))]
    villages: list[tuple[Any, Any]] = [("", _("全部村(社区)"))]
    for pk, name, kind in units.values_list("pk", "name", "kind"):
        (departments if kind == UnitKind.DEPARTMENT else villages).append((pk, name))
    return {
        "department": departments,
        "leader": [("", _("全部领导")), *leaders(scope).values_list("pk", "name")],
        "village": villages,
    }


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    who: str
    what: str
    detail: str


# Steps kept in the ledger's own history tables; their audit events would only repeat them.
_IN_HISTORY = {
    "problem.assigned", "problem.closure_requested", "problem.closed", "problem.returned",
    "problem.reopened", "problem.report_submitted", "problem.assignment_corrected", "problem.step_recorded",
}  # fmt: skip
_CORRECTED = {
    "leader": gettext_lazy("责任领导"), "department": gettext_lazy("责任部门"),
    "assignees": gettext_lazy("责任人"), "acceptor": gettext_lazy("验收人"), "deadline": gettext_lazy("整改时限"),
}  # fmt: skip


def _step_detail(step: Any) -> str:
    """A step's reason; a corrected assignment also says what it changed (old values stay in `changes`)."""
    if not step.changes:
        return str(step.reason)

    def named(name: str, change: Any) -> str:
        label = str(_CORRECTED.get(name, name))
        # Dates read as themselves; people and units are ids, named on the problem's page.
        if name == "deadline" and isinstance(change, dict):
            return f"{label} {change.get('from') or '—'}→{change.get('to') or '—'}"
        return label

    names = "、".join(named(name, change) for name, change in step.changes.items())
    return f"{step.reason}（{_('更正')}：{names}）"


def problem_timeline(problem: Problem) -> list[TimelineEntry]:
    """Every transition, every filed report and every other audited change, in time order.

    Transitions and reports come from the history tables (which also hold history imported
    with its real dates); everything else (registration, extensions, suspensions, drafts)
    from the audit trail.
    """
    from zhenwu.core.selectors import audit_trail

    entries = [
        TimelineEntry(t.at, _who(t.actor), str(Action(t.action).label), _step_detail(t))
        for t in problem.transitions.all()
    ]
    entries += [
        TimelineEntry(
            r.submitted_at, _who(r.author), str(_("提交进度报告")), f"{key_label(r.period_key)} {r.progress}%"
        )
        for r in problem.reports.all()
        if r.submitted_at is not None
    ]
    for event in audit_trail("ledger.problem", problem.pk):
        if event.action in _IN_HISTORY:
            continue
        after = event.after or {}
        detail = str(after.get("reason") or key_label(str(after.get("period") or "")))
        entries.append(
            TimelineEntry(event.created_at, _who(event.actor) or event.actor_name, event.action_label, detail)
        )
    return sorted(entries, key=lambda e: e.at)


def _who(user: Any) -> str:
    return user.display_name if user is not None else ""
