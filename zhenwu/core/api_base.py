"""The one NinjaAPI: authentication (session or token), error shapes, and the app routers."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as InputError
from ninja.pagination import PageNumberPagination
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth

from zhenwu.core.throttle import Throttled

# A database id: bounded, so an absurd number is a 422 and never reaches the database
# (SQLite raises OverflowError past 64 bits; PostgreSQL "out of range").
ObjectId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class Pages(PageNumberPagination):
    """Page-number pagination with bounds: an absurd page number is a 422, not a database
    overflow (SQLite answers OFFSET beyond 64 bits with "datatype mismatch")."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000, description="页码，从1开始")
        page_size: int | None = Field(None, ge=1, le=500, description="每页条数")


class ActiveSessionAuth(SessionAuth):
    """Browser session (with CSRF on writes), refused while a first password is still unchanged."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user and getattr(user, "must_change_password", False):
            return None
        return user


class TokenAuth(HttpBearer):
    """Authorization: Bearer zw_… for integrations; tokens are stored only as SHA-256."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from zhenwu.org.models import ApiToken
        from zhenwu.org.services import hash_token

        found = (
            ApiToken.objects.select_related("user", "user__unit")
            .filter(key_hash=hash_token(token), revoked=False, user__is_active=True)
            .first()
        )
        if found is None:
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > timedelta(minutes=5):
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


class TokenHeaderAuth(APIKeyHeader):
    """The same token in an X-API-Key header, for clients that cannot set Authorization."""

    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return TokenAuth().authenticate(request, key or "")


api = NinjaAPI(
    title="镇务 Zhenwu API",
    version="1",
    description="镇务平台接口。浏览器会话或令牌（Authorization: Bearer zw_…）认证；个人信息默认脱敏。",
    auth=[ActiveSessionAuth(), TokenAuth(), TokenHeaderAuth()],
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    detail = "；".join(m for msgs in errors.values() for m in msgs)
    return api.create_response(request, {"detail": detail, "errors": errors}, status=400)


# Chinese names of request parameters, so a refusal names the field the way a clerk reads it.
FIELD_LABELS = {
    "q": _("查询词"),
    "page": _("页码"),
    "page_size": _("每页条数"),
    "role": _("身份"),
    "gender": _("性别"),
    "kind": _("单位类型"),
    "unit_id": _("单位编号"),
    "person_id": _("人员编号"),
    "field": _("字段"),
    "status": _("状态"),
    "colour": _("预警"),
    "source": _("问题来源"),
    "category": _("问题类别"),
    "description": _("问题描述"),
    "leader_id": _("责任领导"),
    "department_id": _("责任部门"),
    "assignee_ids": _("责任人"),
    "deadline": _("整改时限"),
    "deadline_days": _("时限天数"),
    "progress": _("完成进度"),
    "done": _("本期完成情况"),
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
_INPUT_MESSAGES = {
    "missing": _("不能为空"),
    "enum": _("取值不在允许范围内"),
    "literal_error": _("取值不在允许范围内"),
    "int_parsing": _("应为整数"),
    "int_from_float": _("应为整数"),
    "greater_than_equal": _("不能小于{ge}"),
    "less_than_equal": _("不能大于{le}"),
    "string_too_long": _("不能超过{max_length}个字符"),
    "string_too_short": _("不能为空"),
    "too_short": _("至少{min_length}项"),
    "date_from_datetime_parsing": _("不是有效日期"),
    "date_parsing": _("不是有效日期"),
    "bool_parsing": _("应为是或否"),
    "string_pattern_mismatch": _("含有不允许的字符"),
    "json_invalid": _("不是有效的JSON"),
}


def describe_input_error(error: dict[str, Any]) -> dict[str, str]:
    field = str(error.get("loc", ["", ""])[-1])
    template = _INPUT_MESSAGES.get(error.get("type", ""), _("格式不正确"))
    message = template.format(**(error.get("ctx") or {}))
    return {"field": field, "message": f"{FIELD_LABELS.get(field, field)}：{message}"}


@api.exception_handler(InputError)
def on_input_error(request: HttpRequest, exc: InputError) -> HttpResponse:
    errors = [describe_input_error(e) for e in exc.errors]
    detail = "；".join(e["message"] for e in errors)
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": _("未登录或令牌无效")}, status=401)


@api.exception_handler(PermissionError)
def on_permission_error(request: HttpRequest, exc: PermissionError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or _("无权执行此操作")}, status=403)


@api.exception_handler(Throttled)
def on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    response = api.create_response(request, {"detail": str(exc)}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def register_routers() -> None:
    from zhenwu.ledger.api import router as ledger_router
    from zhenwu.org.api import router as org_router
    from zhenwu.suggestions.api import public_router
    from zhenwu.suggestions.api import router as suggestions_router

    api.add_router("/", org_router)
    api.add_router("/", ledger_router)
    api.add_router("/", suggestions_router)
    api.add_router("/public/", public_router)


register_routers()
