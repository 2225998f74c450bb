"""How services refuse: a field's Chinese message, or an action the actor may not take.

Every service raises the same two exceptions, so pages and the API present them the same
way (apply_errors/flash_errors; the API's 400 and 403 handlers). A refused action is also
noted for the request, so RefusalAuditMiddleware can audit it whatever the page then shows.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError

from zhenwu.core.context import request_refusals


def refuse_fields(errors: Mapping[str, str | None]) -> None:
    """Raise one ValidationError with every field that has a message (None means fine)."""
    found = {field: message for field, message in errors.items() if message}
    if found:
        raise ValidationError(found)


def require(allowed: bool, message: str) -> None:
    """Refuse an action the actor may not take (a 403 in the API, a message on the page)."""
    if not allowed:
        if (noted := request_refusals.get()) is not None:
            noted.append(str(message))
        raise PermissionError(message)
