"""献言献策 endpoints. Public ones need no account and are throttled; staff ones are scoped."""

from datetime import date, datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status as Answer

from zhenwu.core.api_base import ObjectId, Pages
from zhenwu.core.middleware import client_ip
from zhenwu.ledger.constants import Category, Verdict
from zhenwu.ledger.selectors import problem_numbered
from zhenwu.lib.codes import format_code
from zhenwu.lib.identity import mask_name, mask_phone
from zhenwu.org.constants import PLACE_KINDS
from zhenwu.org.models import Unit, User
from zhenwu.org.roles import is_town_reader
from zhenwu.suggestions import services
from zhenwu.suggestions.constants import SuggestionStatus, TriageAction
from zhenwu.suggestions.models import Suggestion
from zhenwu.suggestions.routing import route
from zhenwu.suggestions.selectors import get_suggestion_for_user, inbox
from zhenwu.suggestions.similarity import seen_by, similar_to

router = Router(tags=["献言献策"])
public_router = Router(tags=["献言献策（公开）"], auth=None)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _place(village_id: int | None) -> Unit | None:
    if village_id is None:
        return None
    return Unit.objects.filter(pk=village_id, kind__in=PLACE_KINDS).first() or Unit(kind="none")


# ---------------------------------------------------------------------------------------
# Public


class SubmitIn(Schema):
    text: str = Field(max_length=20000, description="5 to 1000 characters")
    category: Category | None = None
    village_id: ObjectId | None = None
    name: str = Field("", max_length=100)
    phone: str = Field("", max_length=40)


class ReceiptOut(Schema):
    receipt: str
    follow_url: str


class FollowOut(Schema):
    receipt: str
    status: str
    status_label: str
    reply: str
    problem_number: str | None
    problem_status: str | None
    may_answer: bool = Field(description="the problem is closed and this closure is not yet answered")
    created_at: datetime


class FeedbackIn(Schema):
    verdict: Verdict
    comment: str = Field("", max_length=2000)


class FeedbackOut(Schema):
    verdict: str
    closed_on: date


@public_router.post("/suggestions", response={201: ReceiptOut}, summary="提交意见建议（无需登录，限频）")
def submit(request: HttpRequest, payload: SubmitIn) -> Answer[dict[str, str]]:
    suggestion = services.suggestion_submit(
        text=payload.text,
        category=payload.category or "",
        village=_place(payload.village_id),
        name=payload.name,
        phone=payload.phone,
        ip=client_ip(request),
        submit_key=request.headers.get("Idempotency-Key", ""),
    )
    code = suggestion.receipt
    return Answer(201, {"receipt": format_code(code), "follow_url": f"/s/{code}/"})


def _by_code(request: HttpRequest, code: str) -> Suggestion:
    found = services.receipt_lookup(code, ip=client_ip(request))
    if found is None:
        raise Http404
    return found


@public_router.get("/suggestions/{code}", response=FollowOut, summary="凭回执码查看办理情况")
def follow(request: HttpRequest, code: str) -> dict[str, Any]:
    suggestion = _by_code(request, code)
    problem = suggestion.problem
    return {
        "receipt": format_code(suggestion.receipt),
        "status": suggestion.status,
        "status_label": suggestion.get_status_display(),
        "reply": suggestion.reply,
        "problem_number": problem.number if problem else None,
        "problem_status": problem.get_status_display() if problem else None,
        "may_answer": services.follow_up_question(suggestion) is not None,
        "created_at": suggestion.created_at,
    }


@public_router.post("/suggestions/{code}/feedback", response={201: FeedbackOut}, summary="对整改结果作出评价")
def feedback(request: HttpRequest, code: str, payload: FeedbackIn) -> Answer[dict[str, Any]]:
    made = services.follow_up_submit(
        suggestion=_by_code(request, code), satisfaction=payload.verdict, comment=payload.comment
    )
    return Answer(201, {"verdict": made.satisfaction, "closed_on": made.closed_on})


# ---------------------------------------------------------------------------------------
# Staff


class SuggestionOut(Schema):
    id: int
    receipt: str
    text: str
    category: str
    village: str | None
    name: str = Field(description="masked")
    phone: str = Field(description="masked")
    status: str
    reply: str
    problem_number: str | None
    created_at: datetime

    @staticmethod
    def resolve_village(obj: Suggestion) -> str | None:
        return obj.village.name if obj.village else None

    @staticmethod
    def resolve_name(obj: Suggestion) -> str:
        return mask_name(obj.name) if obj.name else ""

    @staticmethod
    def resolve_phone(obj: Suggestion) -> str:
        return mask_phone(obj.phone) if obj.phone else ""

    @staticmethod
    def resolve_problem_number(obj: Suggestion) -> str | None:
        return obj.problem.number if obj.problem else None


class GuessOut(Schema):
    value: str
    label: str
    confidence: float
    reason: str = Field("", description="why it is suggested, e.g. 因为提到：低保、评定")


class RoutingOut(Schema):
    by_model: bool
    departments: list[GuessOut]
    categories: list[GuessOut]


class SimilarOut(Schema):
    kind: str = Field(description="suggestion: a new suggestion in the same group; problem: an open problem")
    id: int = Field(alias="pk")
    label: str = Field(description="receipt code or problem number")
    text: str
    score: float = Field(description="the evidence they share (same at 3 or more)")
    reason: str = Field(
        description="what they share, e.g. 同村（红岩村） · 同一对象（3组路灯） · 同一事项（路灯照明·损坏）"
    )


class TriageIn(Schema):
    action: TriageAction
    description: str = Field("", max_length=2000, description="accept: the problem's description")
    category: Category | None = None
    problem_number: str = Field("", max_length=20, description="merge: the problem to merge into")
    reply: str = Field("", max_length=4000, description="answer or decline: the text the resident reads")


@router.get("/suggestions", response=list[SuggestionOut], summary="意见建议收件箱")
@paginate(Pages, page_size=50)
def list_suggestions(
    request: HttpRequest,
    status: SuggestionStatus | None = None,
    category: Category | None = None,
    village_id: ObjectId | None = None,
    q: str = Query("", max_length=50, pattern=r"^[^\x00]*$"),
) -> Any:
    if not is_town_reader(_user(request)):
        raise Http404
    filters = {"status": status, "category": category, "village": village_id, "q": q}
    return inbox(_user(request), filters)


@router.get("/suggestions/{suggestion_id}", response=SuggestionOut, summary="意见建议详情")
def get_suggestion(request: HttpRequest, suggestion_id: ObjectId) -> Suggestion:
    return get_suggestion_for_user(_user(request), suggestion_id)


@router.get(
    "/suggestions/{suggestion_id}/routing", response=RoutingOut, summary="建议的责任部门和类别（需人工确认）"
)
def get_routing(request: HttpRequest, suggestion_id: ObjectId) -> Any:
    return route(get_suggestion_for_user(_user(request), suggestion_id).text)


@router.get(
    "/suggestions/{suggestion_id}/similar",
    response=list[SimilarOut],
    summary="同一问题的意见建议和未办结问题（附理由）",
)
def get_similar(request: HttpRequest, suggestion_id: ObjectId) -> Any:
    """The same candidates as the inbox's cluster view: the new suggestions grouped with this
    one, then the open problems it is the same problem as, each with the reason."""
    user = _user(request)
    return seen_by(user, similar_to(get_suggestion_for_user(user, suggestion_id)))


class ContactOut(Schema):
    name: str
    phone: str


@router.post(
    "/suggestions/{suggestion_id}/contact",
    response=ContactOut,
    summary="查看提交人的完整姓名和电话（记入审计日志）",
)
def reveal_contact(request: HttpRequest, suggestion_id: ObjectId) -> dict[str, str]:
    """Only roles allowed to unmask (党政办, 系统管理员); each call is an audit event."""
    user = _user(request)
    return services.contact_reveal(actor=user, suggestion=get_suggestion_for_user(user, suggestion_id))


@router.post(
    "/suggestions/{suggestion_id}/triage", response=SuggestionOut, summary="处理：受理、合并、答复或不予受理"
)
def triage(request: HttpRequest, suggestion_id: ObjectId, payload: TriageIn) -> Suggestion:
    user = _user(request)
    suggestion = get_suggestion_for_user(user, suggestion_id)
    if payload.action == TriageAction.ACCEPT:
        services.suggestion_accept(
            actor=user, suggestion=suggestion, description=payload.description, category=payload.category or "",
            village=suggestion.village,
        )  # fmt: skip
    elif payload.action == TriageAction.MERGE:
        target = problem_numbered(user, payload.problem_number)
        services.suggestion_merge(actor=user, suggestion=suggestion, problem=target)
    else:
        services.suggestion_reply(
            actor=user, suggestion=suggestion, action=payload.action, reply=payload.reply
        )
    return get_suggestion_for_user(user, suggestion_id)


# Chinese names of these routers' request fields, for refusals (registered in SuggestionsConfig.ready()).
FIELD_LABELS = {
    "status": _("状态"),
    "category": _("问题类别"),
    "description": _("问题描述"),
    "action": _("动作"),
    "text": _("意见建议"),
    "village_id": _("村(社区)"),
    "name": _("姓名"),
    "phone": _("联系电话"),
    "verdict": _("评价"),
    "comment": _("意见"),
    "reply": _("答复内容"),
    "problem_number": _("对应问题"),
    "code": _("回执码"),
}
