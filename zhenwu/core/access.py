"""Decorators that state, on each view, who may use it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from zhenwu.org.roles import has_role


def roles_required(
    *roles: str,
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Logged in, and one of the roles; anyone else gets a 404 (a page they may not use does not exist)."""

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        @login_required
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not has_role(request.user, *roles):  # the active grant's role (org.scope)
                raise Http404("页面不存在")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
