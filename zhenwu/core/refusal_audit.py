"""Refused writes leave an audit event: who tried what, where — never what they sent.

A signed-in user who writes outside their scope meets one of three refusals: a 404 (the
access helpers and roles_required: a page they may not use does not exist), a 403 (the API's
PermissionError handler, a failed CSRF check), or a page that shows the refusal as a message
(a service's require(), noted in core.context.request_refusals). This middleware sees all three
after the view has answered, so no view has to remember to audit its refusals.

A flood must not fill a log that can never be emptied: per user, at most one event per path a
minute and ZHENWU_AUDIT_REFUSALS_PER_MINUTE events in all; each event counts the user's refusals
in the minute before it, so the ones not written one by one are still counted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.http import HttpRequest, HttpResponse
from django.urls import ResolverMatch
from django.utils import timezone

from zhenwu.core.audit import audit_record
from zhenwu.core.constants import CoreAudit
from zhenwu.core.context import request_refusals, request_user
from zhenwu.core.models import ThrottleHit
from zhenwu.core.throttle import throttle_key

logger = logging.getLogger(__name__)
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
REFUSED_STATUSES = {403, 404}
_WINDOW = timedelta(minutes=1)


class RefusalAuditMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        noted: list[str] = []
        refusals = request_refusals.set(noted)
        user = request_user.set(getattr(request, "user", None))
        try:
            response = self.get_response(request)
        finally:
            request_refusals.reset(refusals)
            request_user.reset(user)
        if request.method not in SAFE_METHODS and (response.status_code in REFUSED_STATUSES or noted):
            # Read after the view: the API's token authentication sets request.user there.
            who = getattr(request, "user", None)
            if who is not None and who.is_authenticated:
                _audit_refusal(request, who, response.status_code, noted)
        return response


def _audit_refusal(request: HttpRequest, user: Any, status: int, noted: list[str]) -> None:
    now = timezone.now()
    path = request.path[:200]
    by_path = throttle_key(f"refused:{user.pk}:{path}")
    by_user = throttle_key(f"refused:{user.pk}")
    try:
        with transaction.atomic():
            seen = ThrottleHit.objects.filter(at__gte=now - _WINDOW)
            repeated = seen.filter(scope="refused-path", key=by_path).exists()
            written = seen.filter(scope="refused-event", key=by_user).count()
            earlier = seen.filter(scope="refused-user", key=by_user).count()
            hits = [
                ThrottleHit(scope="refused-path", key=by_path, at=now),
                ThrottleHit(scope="refused-user", key=by_user, at=now),
            ]
            if repeated or written >= settings.ZHENWU_AUDIT_REFUSALS_PER_MINUTE:
                ThrottleHit.objects.bulk_create(hits)
                return
            ThrottleHit.objects.bulk_create([*hits, ThrottleHit(scope="refused-event", key=by_user, at=now)])
            match = request.resolver_match
            audit_record(
                actor=user, action=CoreAudit.ACCESS_REFUSED,
                object_type=(match.view_name if match else "")[:60], object_id=_object_id(match),
                object_label=path,
                after={"method": request.method, "status": status, "reason": (noted[0] if noted else "")[:200],
                       "refused_in_last_minute": earlier + 1},
            )  # fmt: skip
    except DatabaseError:
        # The request was refused either way; a log that cannot be written must not turn that into a 500.
        logger.exception("could not audit a refused %s %s", request.method, path)


def _object_id(match: ResolverMatch | None) -> str:
    """The object the path names (its pk or *_id), without reading anything the user sent."""
    if match is None:
        return ""
    for name, value in match.kwargs.items():
        if name == "pk" or name.endswith("_id"):
            return str(value)[:40]
    return ""
