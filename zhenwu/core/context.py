"""Per-request facts that the audit log needs but services should not have to thread through."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

request_ip: ContextVar[str | None] = ContextVar("request_ip", default=None)
# Who is signed in, for audit events written by signal handlers (Django admin's m2m edits).
request_user: ContextVar[Any] = ContextVar("request_user", default=None)
# The refusals (PermissionError messages) raised during this request, for RefusalAuditMiddleware:
# a page shows a refused step as a form error with status 200, so the status alone misses it.
request_refusals: ContextVar[list[str] | None] = ContextVar("request_refusals", default=None)
