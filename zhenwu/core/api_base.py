"""What the one NinjaAPI is built from: authentication, error shapes, and the apps' registries.

The core knows no module's endpoints. Each app registers its router and the Chinese names of
its request fields from its AppConfig.ready(); `zhenwu/api.py`, above the apps, builds the
NinjaAPI from these pieces once the apps are ready.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from ninja import Field, NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as InputError
from ninja.pagination import PageNumberPagination
from ninja.parser import Parser
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth

from zhenwu.core.throttle import Throttled
from zhenwu.lib.cells import xml_safe

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
    """Browser session (with CSRF on writes), refused while a first password is still unchanged.

    CSRF protects a cookie the browser sends by itself; a request that no session
    authenticates has nothing to protect. ninja would check it on every request that reaches
    this class, so a token client's write, falling through here, was a 403 "CSRF check Failed".
    """

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user and getattr(user, "must_change_password", False):
            return None
        return user


class TokenAuth(HttpBearer):
    """Authorization: Bearer zw_… for integrations; tokens are stored only as SHA-256 and obey
    expiry, deactivation, forced password change and the login limits (org/logins.token_user)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from zhenwu.org.logins import TokenRefused, token_user

        try:
            user = token_user(key=token)
        except TokenRefused as refusal:
            raise HttpError(refusal.status, str(refusal)) from refusal
        if user is not None:
            request.user = user
        return user


class TokenHeaderAuth(APIKeyHeader):
    """The same token in an X-API-Key header, for clients that cannot set Authorization."""

    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return TokenAuth().authenticate(request, key or "")


# The API's own description and addresses; `zhenwu/api.py` builds the NinjaAPI with them.
class NulText:
    """Stands in for a string that held a NUL: no schema accepts it, so the field is refused
    with its name (ninja turns any exception while parsing a body into a bare 400)."""

    def __init__(self, text: str) -> None:
        self.text = text


class TextParser(Parser):
    """Every string that enters through the API, in a JSON body, a form or the query string:
    a NUL is refused (422 naming the field: PostgreSQL cannot store it, and it is never part
    of a message), and the other characters XML cannot carry are dropped, so no stored text
    can later break an export or a document."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        return _clean_text(super().parse_body(request), ("body",))

    def parse_querydict(self, data: Any, list_fields: list[str], request: HttpRequest) -> dict[str, Any]:
        return _clean_text(super().parse_querydict(data, list_fields, request), ("query",))


# What each error answer means (the shapes install_error_handlers writes). Documented on every
# operation, so a client — and schemathesis' status check — knows every status it can get.
ERROR_RESPONSES = {
    400: "业务规则拒绝（detail 说明原因，errors 按字段列出）",
    401: "未登录或令牌无效",
    403: "无权执行此操作",
    404: "不存在或不在您的可见范围内",
    405: "请求方法不被允许",
    413: "请求体过大",
    422: "输入格式不正确（errors 列出字段及中文说明）",
    429: "过于频繁（见 Retry-After）",
}
_ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "errors": {
            "anyOf": [
                {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
                {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                    },
                },
            ]
        },
    },
    "required": ["detail"],
}


class ZhenwuAPI(NinjaAPI):
    """The NinjaAPI with the refusal of NUL text named as such (see NulText), and every error
    status documented on every operation."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = _ERROR_SCHEMA
        error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                responses = operation.setdefault("responses", {})
                for status, meaning in ERROR_RESPONSES.items():
                    if str(status) in responses:
                        continue
                    responses.setdefault(status, {"description": meaning, **error})
        return schema

    def validation_error_from_error_contexts(self, error_contexts: list[Any]) -> InputError:
        for context in error_contexts:
            errors = context.pydantic_validation_error.errors(include_url=False)
            if any(isinstance(e.get("input"), NulText) for e in errors):
                nul = [e for e in errors if isinstance(e.get("input"), NulText)]
                source = context.model.__ninja_param_source__
                return InputError([{"loc": (source, *e["loc"]), "type": "null_character"} for e in nul])
        return super().validation_error_from_error_contexts(error_contexts)


def _clean_text(value: Any, path: tuple[Any, ...]) -> Any:
    if isinstance(value, str):
        return NulText(value) if "\x00" in value else xml_safe(value)
    if isinstance(value, dict):
        return {key: _clean_text(item, (*path, key)) for key, item in value.items()}
    if isinstance(value, list):
        return [_clean_text(item, (*path, index)) for index, item in enumerate(value)]
    return value


API_OPTIONS: dict[str, Any] = {
    "title": "镇务 Zhenwu API",
    "version": "1",
    "description": "镇务平台接口。浏览器会话或令牌（Authorization: Bearer zw_…）认证；个人信息默认脱敏。",
    "urls_namespace": "api",
    "docs_url": "/docs",
    "openapi_url": "/openapi.json",
    "parser": TextParser(),
}


def api_auth() -> list[Any]:
    """Who may call: a token, in either header, or a browser session (CSRF on writes).
    Tokens first: a request carrying one is no cross-site forgery (a page on another site
    cannot set these headers without CORS, which the API does not grant)."""
    return [TokenAuth(), TokenHeaderAuth(), ActiveSessionAuth()]


# The apps' routers with their prefixes, in the order the apps registered them.
ROUTERS: list[tuple[str, Router | str]] = []


def register_router(prefix: str, router: Router | str) -> Router | str:
    """Mount an app's router under /api/<prefix>; call from the app's AppConfig.ready().

    A dotted path ("zhenwu.ledger.api.router") is imported when the API is assembled, after
    every app is ready: for a router whose schemas read other registries (the sources)."""
    if any(known is router or known == router for _prefix, known in ROUTERS):
        raise ValueError(f"router {router!r} is already registered")
    ROUTERS.append((prefix, router))
    return router


# Chinese names of request parameters, so a refusal names the field the way a clerk reads it.
# The core names only the generic ones; each app registers the names of its own fields.
FIELD_LABELS: dict[str, str | Promise] = {
    "q": _("查询词"),
    "page": _("页码"),
    "page_size": _("每页条数"),
}


def register_field_labels(labels: Mapping[str, str | Promise]) -> None:
    """Name an app's request fields. A name means one thing across the API: two apps may both
    name `status`, but not differently."""
    for field, label in labels.items():
        known = FIELD_LABELS.get(field)
        if known is not None and str(known) != str(label):
            raise ValueError(f"API field {field!r} is already named {known!s}, not {label!s}")
        FIELD_LABELS[field] = label


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
    "null_character": _("不能含有空字符（\\0）"),
}


def describe_input_error(error: dict[str, Any]) -> dict[str, str]:
    # The innermost name in the path: a list index names no field, its list does.
    field = next((str(p) for p in reversed(error.get("loc", ())) if isinstance(p, str)), "")
    template = _INPUT_MESSAGES.get(error.get("type", ""), _("格式不正确"))
    message = template.format(**(error.get("ctx") or {}))
    return {"field": field, "message": f"{FIELD_LABELS.get(field, field)}：{message}"}


def install_error_handlers(api: NinjaAPI) -> None:
    """The API's error shapes: 400 for a service's refusal, 422 for bad input (naming the
    field in Chinese), 401, 403 and 429 with a Retry-After."""

    @api.exception_handler(ValidationError)
    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        detail = "；".join(m for msgs in errors.values() for m in msgs)
        return api.create_response(request, {"detail": detail, "errors": errors}, status=400)

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
