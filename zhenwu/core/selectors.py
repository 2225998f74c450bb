"""Reads of the audit log."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from zhenwu.core.models import AuditEvent


def audit_events(
    *, actor: str = "", action: str = "", object_type: str = "", object_id: str = ""
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.select_related("actor")
    if actor:
        events = events.filter(Q(actor_label__contains=actor) | Q(actor__first_name__contains=actor))
    if action:
        events = events.filter(action=action)
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=object_id)
    return events.order_by("-seq")
