"""Probes for a load balancer or monitoring: /healthz (the process answers) and /readyz (it can serve).

HealthProbeMiddleware answers both before any other middleware: no session is read, no login
or idle timeout applies, nothing is audited or logged per request (a probe every few seconds
would drown the request log), and the Host header is not checked, so a load balancer may probe
by address. The same views are routed in core/urls.py for reverse() and the permission matrix.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("zhenwu.health")

_migrations_complete = False


def healthz(request: HttpRequest) -> HttpResponse:
    """Alive: the process answers. No database, so a database outage does not restart workers."""
    return _plain("ok", 200)


def readyz(request: HttpRequest) -> HttpResponse:
    """Ready: the database answers a trivial query and every migration is applied."""
    global _migrations_complete
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        # Loading the migration graph reads every migration file (tens of ms): once it was
        # complete, this process's code cannot gain a migration, so it is not read again.
        if not _migrations_complete:
            from zhenwu.core.syscheck import unapplied_migrations

            pending = unapplied_migrations()
            if pending:
                return _plain(f"migrations not applied: {len(pending)}", 503)
            _migrations_complete = True
    except Exception as exc:  # noqa: BLE001 — any failure means "not ready", never a 500 page
        logger.warning("readyz: %s: %s", type(exc).__name__, exc)
        return _plain("database unavailable", 503)
    return _plain("ok", 200)


def _plain(text: str, status: int) -> HttpResponse:
    response = HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


PROBES: dict[str, Callable[[HttpRequest], HttpResponse]] = {"/healthz": healthz, "/readyz": readyz}


class HealthProbeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info)
        if probe is not None and request.method in ("GET", "HEAD"):
            return probe(request)
        return self.get_response(request)
