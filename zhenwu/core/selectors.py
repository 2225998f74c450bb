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


def audit_trail(obj_type: str, obj_id: str | int) -> QuerySet[AuditEvent]:
    """Everything that happened to one object, oldest first (a problem's timeline)."""
    return (
        AuditEvent.objects.select_related("actor")
        .filter(object_type=obj_type, object_id=str(obj_id))
        .order_by("seq")
    )
