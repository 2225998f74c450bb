"""Request-level security: headers, the audit IP, idle timeout, forced password change."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from zhenwu.core.context import request_ip
from zhenwu.org.constants import OrgAudit
from zhenwu.org.services import account_logout

Handler = Callable[[HttpRequest], HttpResponse]

_CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
# The OpenAPI page loads Swagger UI from django-ninja's static files and inlines its start-up.
_CSP_DOCS = _CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)


def client_ip(request: HttpRequest) -> str | None:
    """The caller's address; X-Forwarded-For only counts for proxies we were told to trust."""
    proxies = settings.ZHENWU_TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or None


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = request_ip.set(client_ip(request))
        try:
            response = self.get_response(request)
        finally:
            request_ip.reset(token)
        csp = _CSP_DOCS if request.path.startswith("/api/docs") else _CSP
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


class IdleTimeoutMiddleware:
    """Log out a session idle for longer than ZHENWU_IDLE_TIMEOUT_MINUTES.

    The last-seen stamp is written at most once a minute, so an active user does not cost
    a session write on every request.
    """

    key = "zhenwu_last_seen"

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get(self.key)
            if last is not None and now - int(last) > settings.ZHENWU_IDLE_TIMEOUT_MINUTES * 60:
                account_logout(user=user, reason=OrgAudit.SESSION_EXPIRED)  # type: ignore[arg-type]
                logout(request)
                if _is_api(request):
                    return JsonResponse({"detail": _("会话已超时，请重新登录")}, status=401)
                messages.warning(
                    request,
                    _("您已超过%(minutes)s分钟未操作，请重新登录")
                    % {"minutes": settings.ZHENWU_IDLE_TIMEOUT_MINUTES},
                )
                return redirect(f"{reverse('login')}?next={request.path}")
            if last is None or now - int(last) >= 60:
                request.session[self.key] = now
        return self.get_response(request)


class ForcePasswordChangeMiddleware:
    """Accounts created with a first password must choose their own before anything else."""

    allowed_names = ("password_change", "logout")

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            allowed = {reverse(name) for name in self.allowed_names}
            if request.path not in allowed and not request.path.startswith(settings.STATIC_URL):
                if _is_api(request):
                    return JsonResponse({"detail": _("首次登录须先修改密码")}, status=403)
                return redirect("password_change")
        return self.get_response(request)


class ChosenLanguageMiddleware:
    """Chinese unless the user chose English in the footer (a cookie), whatever the browser asks.

    Django's LocaleMiddleware would follow Accept-Language, so a clerk whose browser happens to
    be set to English would get English pages; the town's working language is Chinese.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
