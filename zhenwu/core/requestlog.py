"""One log line per request (logger `zhenwu.request`), tied to nginx's line by a request id.

The line holds what an operator needs to find a slow or failing request and nothing about the
person behind it: the path without its query string (queries carry search words, phone
numbers, receipt codes), receipt codes in the path replaced by their parameter name, the
account's id (not its name), and instead of the address an HMAC prefix that tells repeated
callers apart without revealing who they are.

Example: `rid=3f2a… GET /s/<code>/ 200 12.4ms user=- client=9c1e04d2b7aa`
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from zhenwu.core.middleware import client_ip

logger = logging.getLogger("zhenwu.request")

HEADER = "X-Request-ID"
# nginx's $request_id is 32 hex digits; accept the usual id shapes, nothing that could forge
# a log line (spaces, newlines) or fill the log.
_INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# URL parameters that are secrets of a resident: whoever reads them can follow the suggestion.
SECRET_URL_KWARGS = {"code"}


def request_id_for(request: HttpRequest) -> str:
    """nginx's id when a trusted proxy sent one, so both logs name the request alike; else a new one."""
    incoming = request.META.get("HTTP_X_REQUEST_ID", "")
    if settings.ZHENWU_TRUSTED_PROXIES and _INCOMING_ID.match(incoming):
        return incoming
    return secrets.token_hex(16)


def client_tag(address: str | None) -> str:
    """12 hex digits of an HMAC of the address, keyed apart from the throttle's, or '-'."""
    if not address:
        return "-"
    key = hmac.new(settings.SECRET_KEY.encode(), b"zhenwu.request-log", hashlib.sha256).digest()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()[:12]


def logged_path(request: HttpRequest) -> str:
    """request.path (never the query string) with secret URL parameters replaced by their name."""
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match is not None:
        for name, value in match.kwargs.items():
            if name in SECRET_URL_KWARGS and isinstance(value, str) and value:
                path = path.replace(value, f"<{name}>")
    return path[:200]


def _user_id(request: HttpRequest) -> str:
    # Only an account the request already loaded: reading request.user here would query the
    # session for requests that never needed it (static files, public pages).
    user = request.__dict__.get("_cached_user")
    return str(user.pk) if user is not None and getattr(user, "is_authenticated", False) else "-"


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        rid = request_id_for(request)
        request.request_id = rid  # type: ignore[attr-defined]
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response[HEADER] = rid
            return response
        finally:
            logger.info(
                "rid=%s %s %s %s %.1fms user=%s client=%s",
                rid,
                request.method,
                logged_path(request),
                status,
                (time.perf_counter() - started) * 1000,
                _user_id(request),
                client_tag(client_ip(request)),
            )
