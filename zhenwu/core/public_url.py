"""The address printed on posters and voting slips, and the confirmation before printing a useless one.

A QR code printed with http://127.0.0.1… reaches nobody, and a thousand slips are handed out
before anyone notices. So a download whose base address is only reachable from the server
itself shows a page saying so, and prints only when the user confirms (?confirm=1).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zhenwu.lib.hosts import is_loopback_url

CONFIRM_PARAM = "confirm"


def public_base_url(request: HttpRequest) -> str:
    """ZHENWU_PUBLIC_URL, or else the address this page was opened at; no trailing slash."""
    return settings.ZHENWU_PUBLIC_URL.rstrip("/") or request.build_absolute_uri("/").rstrip("/")


def loopback_confirmation(request: HttpRequest, *, base: str, what: str) -> HttpResponse | None:
    """A 409 page asking to confirm when `base` is loopback and not yet confirmed; else None."""
    if not is_loopback_url(base) or request.GET.get(CONFIRM_PARAM) == "1":
        return None
    query = request.GET.copy()
    query[CONFIRM_PARAM] = "1"
    context = {
        "base": base,
        "what": what,
        "confirm_url": f"{request.path}?{query.urlencode()}",
        "back_url": request.headers.get("Referer", "") if _same_site(request) else "",
        "public_url_set": bool(settings.ZHENWU_PUBLIC_URL.strip()),
    }
    return render(request, "core/confirm_public_url.html", context, status=409)


def _same_site(request: HttpRequest) -> bool:
    referer = request.headers.get("Referer", "")
    return referer.startswith(request.build_absolute_uri("/"))
