"""Pages of the ledger: the list with filters, the problem page with its timeline, and the
forms for each step. Each view parses a form, calls one service, and redirects."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from zhenwu.core.access import roles_required
from zhenwu.core.calendar import work_calendar
from zhenwu.core.downloads import attachment, file_name
from zhenwu.core.forms import apply_errors, flash_errors, lean_widgets, step_then_back
from zhenwu.ledger import services
from zhenwu.ledger.constants import Action, EvidenceKind, ExtensionStatus, Status, allows
from zhenwu.ledger.exports import ledger_workbook
from zhenwu.ledger.forms import (
    AssignForm,
    CloseForm,
    CorrectForm,
    ExtensionForm,
    ProblemFilterForm,
    ProblemForm,
    ReasonForm,
    ReportForm,
)
from zhenwu.ledger.models import Problem
from zhenwu.ledger.panels import problem_panels
from zhenwu.ledger.picker import picking
from zhenwu.ledger.policies import policy_for
from zhenwu.ledger.rules import (
    FACT_FIELDS,
    Facts,
    Today,
    closable,
    owed_periods,
    report_missing,
    warning_for,
    working,
)
from zhenwu.ledger.selectors import (
    assignee_ids,
    filter_options,
    get_extension_for_user,
    get_problem_for_user,
    is_office,
    may_accept,
    may_apply_close,
    may_report,
    problem_detail,
    problem_search,
    problem_timeline,
    problems_visible_to,
)
from zhenwu.lib.cadence import Cadence, key_label, period_containing
from zhenwu.org.constants import OFFICE_ROLES
from zhenwu.org.models import Person, Unit, User

PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _require(allowed: bool) -> None:
    """In scope but not an owner of this step: the page exists, the action is not yours."""
    if not allowed:
        raise PermissionDenied(_("您不是该问题的责任领导或责任人"))


def _today() -> Today:
    return Today.build(timezone.localdate(), work_calendar())


# data-label: below the small breakpoint each row is a card, its cells labelled (zhenwu.css).
_ROW = (
    '<tr><td class="text-nowrap cell-number"><a href="/ledger/{pk}/">{number}</a></td><td class="cell-warning">{badge}</td>'
    '<td class="cell-description">{description}</td>'
    '<td class="text-nowrap" data-label="{l_status}">{status}</td><td data-label="{l_leader}">{leader}</td>'
    '<td data-label="{l_department}">{department}</td><td data-label="{l_assignees}">{assignees}</td>'
    '<td class="text-nowrap" data-label="{l_deadline}">{deadline}</td>'
    '<td class="text-nowrap small" data-label="{l_last_report}">{last_report}</td>'
    '<td data-label="{l_village}">{village}</td></tr>'
)
_ROW_LABELS = {
    "l_status": gettext_lazy("状态"),
    "l_leader": gettext_lazy("责任领导"),
    "l_department": gettext_lazy("责任部门"),
    "l_assignees": gettext_lazy("责任人"),
    "l_deadline": gettext_lazy("整改时限"),
    "l_last_report": gettext_lazy("最近报告"),
    "l_village": gettext_lazy("村(社区)"),
}
PROVISIONAL_TITLE = gettext_lazy("该年度放假安排尚未确认，按法定节假日暂算；确认后自动重算")
PROVISIONAL_BADGE = ' <span class="badge text-bg-light border" title="%(title)s">暂定</span>'
# The columns each row shows, plus the facts its warning needs; nothing else is loaded (the
# list's cost is building rows).
ROW_FIELDS = (
    "id", "number", "description", "last_progress", "leader_id", "department_id", "village_id",
    "deadline_provisional", *FACT_FIELDS,
)  # fmt: skip


def page_rows(problems: Any, names: dict[str, dict[int, str]]) -> list[SimpleNamespace]:
    """One page of rows as plain values (no model instances), with their 责任人 names in one query."""
    rows = [SimpleNamespace(**values) for values in problems.values(*ROW_FIELDS)]
    owners: dict[int, list[str]] = {}
    through = Problem.assignees.through.objects.filter(problem_id__in=[r.id for r in rows])
    for problem_id, name in through.values_list("problem_id", "person__name").order_by("id"):
        owners.setdefault(problem_id, []).append(name)
    # Names missing from the (cached) filter options: a 责任领导 without a leader role from an
    # imported sheet, or a unit created in the last minute. Look the few up.
    missing = {r.leader_id for r in rows if r.leader_id and r.leader_id not in names["leader"]}
    if missing:
        names["leader"].update(Person.objects.filter(pk__in=missing).values_list("pk", "name"))
    units = {i for r in rows for i in (r.department_id, r.village_id) if i}
    units -= names["department"].keys() | names["village"].keys()
    if units:
        found = dict(Unit.objects.filter(pk__in=units).values_list("pk", "name"))
        names["department"].update(found)
        names["village"].update(found)
    for row in rows:
        row.assignee_names = owners.get(row.id, [])
    return rows


def rows_html(rows: list[SimpleNamespace], today: Today, names: dict[str, dict[int, str]]) -> str:
    """The table body as HTML built in Python, every value escaped: the template only prints it."""
    statuses = dict(Status.choices)
    long_term = _("长期坚持")
    provisional = PROVISIONAL_BADGE % {"title": escape(PROVISIONAL_TITLE), "word": escape(_("暂定"))}
    labels = {key: escape(str(label)) for key, label in _ROW_LABELS.items()}
    out = []
    for p in rows:
        warning = warning_for(p, today)  # type: ignore[arg-type]
        badge = (
            f'<span class="badge warn-{warning.colour}" title="{escape("；".join(warning.reasons))}">{warning.label}</span>'
            if warning.colour
            else ""
        )
        description = p.description if len(p.description) <= 40 else p.description[:39] + "…"
        out.append(
            _ROW.format(
                **labels,
                pk=p.id,
                number=escape(p.number),
                badge=badge,
                description=escape(description),
                status=statuses[p.status],
                leader=escape(names["leader"].get(p.leader_id, "")),
                department=escape(names["department"].get(p.department_id, "")),
                assignees=escape("、".join(p.assignee_names)),
                deadline=p.deadline.isoformat() + (provisional if p.deadline_provisional else "")
                if p.deadline
                else (long_term if p.status == Status.LONG_TERM else ""),
                last_report=f"{key_label(p.last_report_period)} · {p.last_progress}%"
                if p.last_report_period
                else "",
                village=escape(names["village"].get(p.village_id, "")),
            )
        )
    return "".join(out)


@login_required
def problem_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    today = _today()
    choices = filter_options(user)
    form = ProblemFilterForm(request.GET or None, options=choices)
    filters = form.cleaned_data if form.is_valid() else {}
    # The filter bar's option lists double as the id → name maps of the rows: no joins.
    names = {field: {pk: name for pk, name in options if pk != ""} for field, options in choices.items()}
    page = Paginator(problem_search(user, filters, today), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filters": lean_widgets(form, choices),
        "page": page,
        "rows": mark_safe(rows_html(page_rows(page.object_list, names), today, names)),  # noqa: S308 - escaped
        "query": query.urlencode(),
        "can_edit": is_office(user),
    }
    return render(request, "ledger/problem_list.html", context)


@login_required
def problem_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    problem = problem_detail(get_problem_for_user(user, pk))
    today = _today()
    owners = assignee_ids(problem)
    facts = Facts.of(problem)
    office = is_office(user)
    context = {
        "problem": problem,
        "warning": warning_for(facts, today),
        "missing": report_missing(facts, today),
        "timeline": problem_timeline(problem),
        "may_report": may_report(user, problem, owners),
        "may_apply_close": may_apply_close(user, problem, owners) and closable(facts),
        "may_accept": may_accept(user, problem) and allows(facts.status, Action.ACCEPT),
        "is_office": office,
        # What the page offers, decided here from the rules so the template compares nothing.
        "may_assign": office and allows(facts.status, Action.ASSIGN),
        "may_reopen": office and allows(facts.status, Action.REOPEN),
        "may_suspend": office and working(facts),
        "may_resume": office and problem.suspended_since is not None,
        "long_term": facts.status == Status.LONG_TERM,
        "pending_extensions": {
            e.pk for e in problem.extensions.all() if e.status == ExtensionStatus.REQUESTED
        },
        "may_correct": office and allows(facts.status, Action.CORRECT),
        "reason_form": ReasonForm(),
        "panels": problem_panels(request, problem),
        "closure_evidence": [e for e in problem.evidence.all() if e.kind == EvidenceKind.CLOSURE],
    }
    return render(request, "ledger/problem_detail.html", context)


def _detail_url(result: Any) -> str:
    problem = result if isinstance(result, Problem) else result.problem
    return reverse("ledger:problem_detail", args=[problem.pk])


def _form_page(
    request: HttpRequest,
    *,
    form: Form,
    template: str,
    context: dict[str, Any],
    act: Callable[[dict[str, Any]], Any],
    done: str,
    back: Callable[[Any], str] | None = None,
) -> HttpResponse:
    """The shared shape of every step's page: validate the form, call the service, redirect.

    `act` calls the service and returns what it made; `back` turns that into the next URL
    (by default the problem's page).
    """
    # A no-JS people-picker search posts the form back to list its matches: not a submit.
    if request.method == "POST" and not picking(request.POST) and form.is_valid():
        try:
            result = act(form.cleaned_data)
        except (ValidationError, PermissionError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect((back or _detail_url)(result))
    return render(request, template, {**context, "form": form})


@roles_required(*OFFICE_ROLES)
@require_http_methods(["GET", "POST"])
def problem_create_view(request: HttpRequest) -> HttpResponse:
    return _form_page(
        request,
        form=ProblemForm(request.POST or None, user=_user(request)),
        template="ledger/step_form.html",
        context={"title": _("登记问题")},
        act=lambda data: services.problem_create(actor=_user(request), **data),
        done=_("问题已登记，请分派责任人"),
        back=lambda problem: reverse("ledger:problem_assign", args=[problem.pk]),
    )


def _owners(data: dict[str, Any]) -> dict[str, Any]:
    """An AssignForm's cleaned data as problem_assign's keyword arguments (one page or many)."""
    fields = ("leader", "department", "acceptor", "deadline_basis", "deadline", "deadline_days", "cadence")
    return {
        **{name: data[name] for name in fields},
        "assignees": list(data["assignees"]),
        "cooperating_units": list(data["cooperating_units"]),
    }


@roles_required(*OFFICE_ROLES)
@require_http_methods(["GET", "POST"])
def problem_assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    problem = get_problem_for_user(_user(request), pk)
    # The triage desk sends the suggested department and leader along; the office confirms them.
    suggested = {k: request.GET[k] for k in ("department", "leader") if request.GET.get(k, "").isdigit()}
    policy = policy_for(problem.source)
    form = AssignForm(
        request.POST or None,
        user=_user(request),
        # The source's policy gives the usual deadline basis and report cadence.
        initial={"cadence": policy.cadence, "deadline_basis": policy.deadline_basis, **suggested},
    )

    def act(data: dict[str, Any]) -> Problem:
        return services.problem_assign(actor=_user(request), problem=problem, **_owners(data))

    return _form_page(
        request,
        form=form,
        template="ledger/step_form.html",
        context={"problem": problem, "title": _("分派问题")},
        act=act,
        done=_("已分派"),
    )


@roles_required(*OFFICE_ROLES)
@require_http_methods(["GET", "POST"])
def correct_assignment_view(request: HttpRequest, pk: int) -> HttpResponse:
    """更正分派: the office puts owners, acceptor or deadline right, with a reason."""
    problem = get_problem_for_user(_user(request), pk)
    current = {
        "leader": problem.leader_id,
        "department": problem.department_id,
        "assignees": [p.pk for p in problem.assignees.all()],
        "acceptor": problem.acceptor_id,
        "deadline": problem.deadline,
    }
    form = CorrectForm(request.POST or None, user=_user(request), initial=current)

    def act(data: dict[str, Any]) -> Problem:
        return services.problem_correct_assignment(
            actor=_user(request),
            problem=problem,
            reason=data["reason"],
            leader=data["leader"],
            department=data["department"],
            assignees=list(data["assignees"]),
            acceptor=data["acceptor"],
            clear_acceptor=data["acceptor"] is None,
            deadline=data["deadline"],
        )

    return _form_page(
        request,
        form=form,
        template="ledger/step_form.html",
        context={"problem": problem, "title": _("更正分派")},
        act=act,
        done=_("已更正分派"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_view(request: HttpRequest, pk: int) -> HttpResponse:
    problem = get_problem_for_user(_user(request), pk)
    _require(may_report(_user(request), problem, assignee_ids(problem)))
    today = _today()
    facts = Facts.of(problem)
    current = period_containing(today.day, Cadence(facts.cadence)) if facts.cadence != Cadence.NONE else None
    form = ReportForm(request.POST or None, owed=owed_periods(facts, today.day), current=current)

    def act(data: dict[str, Any]) -> Any:
        return services.report_save(
            actor=_user(request),
            problem=problem,
            submit=request.POST.get("submit") != "draft",
            files=request.FILES.getlist("files"),
            **data,
        )

    return _form_page(
        request,
        form=form,
        template="ledger/step_form.html",
        context={"problem": problem, "title": _("填报进度报告"), "draft": True, "files": True},
        act=act,
        done=_("进度报告已保存"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def apply_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    problem = get_problem_for_user(_user(request), pk)
    _require(may_apply_close(_user(request), problem, assignee_ids(problem)))
    form = CloseForm(request.POST or None, request.FILES or None)

    def act(data: dict[str, Any]) -> Problem:
        return services.problem_apply_close(
            actor=_user(request), problem=problem, completion=data["completion"], files=data["evidence"]
        )

    return _form_page(
        request,
        form=form,
        template="ledger/step_form.html",
        context={"problem": problem, "title": _("申请销号"), "multipart": True},
        act=act,
        done=_("已申请销号，等待验收"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def extension_view(request: HttpRequest, pk: int) -> HttpResponse:
    problem = get_problem_for_user(_user(request), pk)
    _require(may_report(_user(request), problem, assignee_ids(problem)))
    form = ExtensionForm(request.POST or None)

    def act(data: dict[str, Any]) -> Any:
        return services.extension_request(actor=_user(request), problem=problem, **data)

    return _form_page(
        request,
        form=form,
        template="ledger/step_form.html",
        context={"problem": problem, "title": _("申请延期")},
        act=act,
        done=_("延期申请已提交，等待党政办审批"),
    )


# Steps taken with one button and an optional reason on the problem page.
_QUICK_STEPS: dict[str, Callable[..., Any]] = {
    "accept": lambda user, problem, reason: services.problem_accept(actor=user, problem=problem, note=reason),
    "return": lambda user, problem, reason: services.problem_return(
        actor=user, problem=problem, reason=reason
    ),
    "reopen": lambda user, problem, reason: services.problem_reopen(
        actor=user, problem=problem, reason=reason
    ),
    "suspend": lambda user, problem, reason: services.problem_suspend(
        actor=user, problem=problem, reason=reason
    ),
    "resume": lambda user, problem, reason: services.problem_resume(actor=user, problem=problem),
}


@login_required
@require_POST
def quick_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    if step not in _QUICK_STEPS:
        raise Http404
    problem = get_problem_for_user(_user(request), pk)
    form = ReasonForm(request.POST)
    form.is_valid()
    reason = form.cleaned_data.get("reason", "")
    return step_then_back(
        request,
        lambda: _QUICK_STEPS[step](_user(request), problem, reason),
        _("已完成"),
        reverse("ledger:problem_detail", args=[problem.pk]),
    )


@roles_required(*OFFICE_ROLES)
@require_POST
def extension_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    extension = get_extension_for_user(_user(request), pk)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        services.extension_decide(
            actor=_user(request),
            extension=extension,
            approve=request.POST.get("approve") == "1",
            note=form.cleaned_data.get("reason", ""),
        )
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("已审批"))
    return redirect("ledger:problem_detail", pk=extension.problem_id)


@roles_required(*OFFICE_ROLES)
@require_http_methods(["GET", "POST"])
def bulk_assign_view(request: HttpRequest) -> HttpResponse:
    """Every problem waiting for owners, ticked and assigned together (all or nothing)."""
    user = _user(request)
    # The same people picker as one problem's 分派 page, so the two offer the same people.
    form = AssignForm(request.POST or None, user=user, initial={"cadence": "half_monthly"})
    pending = (
        problems_visible_to(user).filter(status=Status.PENDING).select_related("village").order_by("number")
    )
    if request.method == "POST" and not picking(request.POST) and form.is_valid():
        ids = [int(i) for i in request.POST.getlist("problems") if i.isdigit()]
        try:
            done = services.problems_bulk_assign(
                actor=user,
                problems=[get_problem_for_user(user, i) for i in ids],
                **_owners(form.cleaned_data),
            )
        except (ValidationError, PermissionError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已分派%(n)s个问题") % {"n": len(done)})
            return redirect("ledger:problem_list")
    chosen = set(request.POST.getlist("problems"))
    return render(request, "ledger/bulk_assign.html", {"form": form, "pending": pending, "chosen": chosen})


@login_required
def export_view(request: HttpRequest) -> HttpResponse:
    """The filtered ledger as .xlsx (the same filters as the list)."""
    user = _user(request)
    form = ProblemFilterForm(request.GET or None, options=filter_options(user))
    filters = form.cleaned_data if form.is_valid() else {}
    problems = (
        problem_search(user, filters, _today())
        .select_related("department", "leader", "acceptor")
        .prefetch_related("assignees", "cooperating_units")
    )
    content = ledger_workbook(problems, title=_("问题整改台账"))
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return attachment(response, file_name(_("问题整改台账"), timezone.localdate().isoformat(), ext="xlsx"))
