"""The town a signed-in account works in on this request (ADR 0008 §3).

An account with grants in other towns chooses one in the header (org.views.town_switch); the
choice is kept in the session as a town id and checked against the account's grants on every
request, so a grant revoked since falls back to the home town at once. An account without
grants costs no query: the authentication backend loads whether it has any with the account
itself (org.backends).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from zhenwu.org.scope import TOWN_SESSION_KEY, activate_grant
from zhenwu.org.selectors import grants_of


class ActiveTownMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            _activate(request, user)
        return self.get_response(request)


def _activate(request: HttpRequest, user: object) -> None:
    chosen = request.session.get(TOWN_SESSION_KEY)
    # Loaded by the backend with the account; unknown (another loader): ask.
    if not getattr(user, "has_grants", True) and chosen is None:
        return
    grants = grants_of(user)
    user.town_grants = grants  # type: ignore[attr-defined]  # for the header's switcher
    grant = next((g for g in grants if g.town_id == chosen), None)
    if chosen is not None and grant is None:
        request.session.pop(TOWN_SESSION_KEY, None)  # revoked, or the home town: home
    activate_grant(user, grant)
