"""Ledger endpoints: the same filters, scope and services as the pages."""

from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status as Answer

from zhenwu.core.api_base import ObjectId, Pages
from zhenwu.core.calendar import work_calendar
from zhenwu.ledger import services
from zhenwu.ledger.constants import Action, Category, Colour, DeadlineBasis, Status
from zhenwu.ledger.models import Problem, ProgressReport
from zhenwu.ledger.policies import registered_sources
from zhenwu.ledger.rules import Today, warning_for
from zhenwu.ledger.selectors import get_problem_for_user, problem_search
from zhenwu.lib.cadence import Cadence
from zhenwu.org.models import Person, Unit, User

router = Router(tags=["整改台账"])

# The API's enum of sources is the registry as it stands once every app is ready (this module
# is imported by name when the API is assembled, after every app is ready), so OpenAPI lists them all.
if TYPE_CHECKING:
    SourceKey = str
else:
    SourceKey = StrEnum("SourceKey", [(p.key, p.key) for p in registered_sources()])


def _today_for(request: HttpRequest) -> Today:
    """One Today per request: the warning of every row in a page is derived from the same day."""
    cached = getattr(request, "_zhenwu_today", None)
    if cached is None:
        cached = Today.build(timezone.localdate(), work_calendar())
        request._zhenwu_today = cached  # type: ignore[attr-defined]
    return cached


class ProblemOut(Schema):
    id: int
    number: str
    source: str
    category: str
    description: str
    status: str
    status_label: str
    warning: str | None = Field(None, description="red / yellow / blue, derived at the time of the call")
    warning_reasons: list[str] = []
    leader: str | None
    department: str | None
    assignees: list[str]
    deadline: date | None
    deadline_provisional: bool = Field(
        description="counted over a year whose holiday arrangement is not confirmed (暂定); recomputed on confirmation"
    )
    last_report_period: str
    last_progress: int
    village: str | None

    @staticmethod
    def resolve_status_label(obj: Problem) -> str:
        return str(Status(obj.status).label)

    @staticmethod
    def resolve_warning(obj: Problem, context: dict[str, Any]) -> str | None:
        return warning_for(obj, _today_for(context["request"])).colour

    @staticmethod
    def resolve_warning_reasons(obj: Problem, context: dict[str, Any]) -> list[str]:
        return list(warning_for(obj, _today_for(context["request"])).reasons)

    @staticmethod
    def resolve_leader(obj: Problem) -> str | None:
        return obj.leader.name if obj.leader else None

    @staticmethod
    def resolve_department(obj: Problem) -> str | None:
        return obj.department.name if obj.department else None

    @staticmethod
    def resolve_assignees(obj: Problem) -> list[str]:
        return [a.name for a in obj.assignees.all()]

    @staticmethod
    def resolve_village(obj: Problem) -> str | None:
        return obj.village.name if obj.village else None


class ReportOut(Schema):
    id: int
    period_key: str
    progress: int
    submitted: bool
    is_late: bool


class ProblemIn(Schema):
    source: SourceKey
    category: Category
    description: str = Field(min_length=1, max_length=2000)
    village_id: ObjectId | None = None
    goal: str = ""
    measures: str = ""


class AssignIn(Schema):
    leader_id: ObjectId
    department_id: ObjectId
    assignee_ids: list[int] = Field(min_length=1)
    deadline_basis: DeadlineBasis | None = Field(None, description="默认按问题来源的规则")
    deadline: date | None = None
    deadline_days: int | None = Field(None, ge=1, le=3650)
    cadence: Cadence | None = Field(None, description="默认按问题来源的规则")


class TransitionIn(Schema):
    action: Action = Field(description="apply_close needs evidence uploaded through the page first")
    reason: str = Field("", max_length=2000)


class CorrectIn(Schema):
    reason: str = Field("", max_length=2000, description="更正理由（必填）")
    leader_id: ObjectId | None = None
    department_id: ObjectId | None = None
    assignee_ids: list[int] | None = Field(None, description="给出则替换全部责任人")
    acceptor_id: ObjectId | None = None
    clear_acceptor: bool = False
    deadline: date | None = None


class ReportIn(Schema):
    progress: int = Field(ge=0, le=100)
    done: str = Field(min_length=1, max_length=4000)
    difficulties: str = ""
    next_steps: str = ""
    period_key: str = Field(
        "", max_length=20, description="报告期：留空为本期；如“2026年11月下半月”或 2026-11-2"
    )
    submit: bool = True


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _detail(problem: Problem) -> Problem:
    return (
        Problem.objects.select_related("leader", "department", "village")
        .prefetch_related("assignees")
        .get(pk=problem.pk)
    )


@router.get("/problems", response=list[ProblemOut], summary="问题列表（与台账页面同样的筛选）")
@paginate(Pages, page_size=50)
def list_problems(
    request: HttpRequest,
    q: str = Query("", max_length=50, pattern=r"^[^\x00]*$"),
    status: Status | None = None,
    colour: Colour | None = None,
    source: SourceKey | None = None,
    category: Category | None = None,
    department_id: ObjectId | None = None,
    leader_id: ObjectId | None = None,
    village_id: ObjectId | None = None,
    overdue: bool = False,
    report_missing: bool = False,
) -> list[Problem]:
    """Problems the caller may see; the warning colour is derived at the time of the call."""
    today = _today_for(request)
    filters = {
        "q": q,
        "status": status,
        "colour": colour,
        "source": source,
        "category": category,
        "department": department_id,
        "leader": leader_id,
        "village": village_id,
        "overdue": overdue,
        "report_missing": report_missing,
    }
    problems = problem_search(_user(request), filters, today).select_related(
        "leader", "department", "village"
    )
    return problems.prefetch_related("assignees")  # type: ignore[return-value]


@router.get("/problems/{problem_id}", response=ProblemOut, summary="问题详情")
def get_problem(request: HttpRequest, problem_id: ObjectId) -> Problem:
    return _detail(get_problem_for_user(_user(request), problem_id))


@router.post("/problems", response={201: ProblemOut}, summary="登记问题（党政办）")
def create_problem(request: HttpRequest, payload: ProblemIn) -> Answer[Problem]:
    village = _found(Unit, payload.village_id, "village_id", "村(社区)")
    problem = services.problem_create(
        actor=_user(request),
        source=payload.source,
        category=payload.category,
        description=payload.description,
        village=village,
        goal=payload.goal,
        measures=payload.measures,
    )
    return Answer(201, _detail(problem))


@router.post(
    "/problems/{problem_id}/assign", response=ProblemOut, summary="分派：责任领导、责任部门、责任人、整改时限"
)
def assign_problem(request: HttpRequest, problem_id: ObjectId, payload: AssignIn) -> Problem:
    user = _user(request)
    problem = get_problem_for_user(user, problem_id)
    assignees = list(Person.objects.filter(pk__in=payload.assignee_ids))
    problem = services.problem_assign(
        actor=user,
        problem=problem,
        leader=Person.objects.filter(pk=payload.leader_id).first(),
        department=Unit.objects.filter(pk=payload.department_id).first(),
        assignees=assignees if len(assignees) == len(set(payload.assignee_ids)) else [],
        deadline_basis=payload.deadline_basis,
        deadline=payload.deadline,
        deadline_days=payload.deadline_days,
        cadence=payload.cadence,
    )
    return _detail(problem)


@router.post(
    "/problems/{problem_id}/transition",
    response=ProblemOut,
    summary="状态变更（按状态表；不在表中的一律拒绝）",
)
def transition_problem(request: HttpRequest, problem_id: ObjectId, payload: TransitionIn) -> Problem:
    user = _user(request)
    problem = get_problem_for_user(user, problem_id)
    steps = {
        Action.APPLY_CLOSE: lambda: services.problem_apply_close(
            actor=user, problem=problem, completion=payload.reason
        ),
        Action.ACCEPT: lambda: services.problem_accept(actor=user, problem=problem, note=payload.reason),
        Action.RETURN: lambda: services.problem_return(actor=user, problem=problem, reason=payload.reason),
        Action.REOPEN: lambda: services.problem_reopen(actor=user, problem=problem, reason=payload.reason),
    }
    if payload.action not in steps:
        raise ValidationError(
            {
                "action": "动作：分派请使用 /problems/{id}/assign 接口，更正分派请使用 /problems/{id}/correct 接口"
            }
        )
    return _detail(steps[payload.action]())


def _found(model: Any, pk: int | None, field: str, label: str) -> Any:
    """The unit or person an id names, or None for no id. An id that names nothing is refused
    as one of another town is (by the service), so the answer does not tell the two apart."""
    if not pk:
        return None
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: f"{label}：所选对象不属于本镇"})
    return found


@router.post("/problems/{problem_id}/correct", response=ProblemOut, summary="更正分派（党政办，须说明理由）")
def correct_assignment(request: HttpRequest, problem_id: ObjectId, payload: CorrectIn) -> Problem:
    """Owners, acceptor and/or deadline of an open problem; fields left out stay as they are."""
    user = _user(request)
    problem = get_problem_for_user(user, problem_id)
    assignees = None
    if payload.assignee_ids is not None:
        assignees = list(Person.objects.filter(pk__in=payload.assignee_ids))
        if len(assignees) != len(set(payload.assignee_ids)):
            raise ValidationError({"assignee_ids": "责任人：所选对象不属于本镇"})
    problem = services.problem_correct_assignment(
        actor=user,
        problem=problem,
        reason=payload.reason,
        leader=_found(Person, payload.leader_id, "leader_id", "责任领导"),
        department=_found(Unit, payload.department_id, "department_id", "责任部门"),
        assignees=assignees,
        acceptor=_found(Person, payload.acceptor_id, "acceptor_id", "验收人"),
        clear_acceptor=payload.clear_acceptor,
        deadline=payload.deadline,
    )
    return _detail(problem)


@router.post("/problems/{problem_id}/reports", response={201: ReportOut}, summary="填报半月进度")
def file_report(request: HttpRequest, problem_id: ObjectId, payload: ReportIn) -> Answer[ReportOut]:
    user = _user(request)
    report: ProgressReport = services.report_save(
        actor=user, problem=get_problem_for_user(user, problem_id), **payload.dict()
    )
    return Answer(
        201,
        ReportOut(
            id=report.pk,
            period_key=report.period_key,
            progress=report.progress,
            submitted=report.submitted_at is not None,
            is_late=report.is_late,
        ),
    )
