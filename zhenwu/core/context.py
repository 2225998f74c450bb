"""Per-request facts that the audit log needs but services should not have to thread through."""

from __future__ import annotations

from contextvars import ContextVar

request_ip: ContextVar[str | None] = ContextVar("request_ip", default=None)
