"""Reads of the audit log."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from zhenwu.core.audit import TOWNS_ACTION
from zhenwu.core.models import AuditEvent


def audit_reach(user: Any) -> Q:
    """The events an account's audit page lists (ADR 0008 §6): every town's for the county's
    roles; a town's own otherwise. Events without a town (the system's and the county's, and
    those written before events carried their town) are the town's while the installation has
    one town; with several, those before the marker are the first town's (it was the only one)."""
    from zhenwu.org.models import Town
    from zhenwu.org.scope import scope_of

    scope = scope_of(user)
    if scope.county:
        return Q()
    if scope.town_id is None:
        return Q(pk__in=[])
    towns = list(Town.objects.order_by("pk").values_list("pk", flat=True)[:2])
    reach = Q(town_id=scope.town_id)
    if towns == [scope.town_id]:
        return reach | Q(town__isnull=True)
    if towns and towns[0] == scope.town_id:
        marker = AuditEvent.objects.filter(action=TOWNS_ACTION).values_list("seq", flat=True).first()
        reach |= Q(town__isnull=True, seq__lt=marker) if marker is not None else Q(pk__in=[])
    return reach


def audit_events(
    *, user: Any, actor: str = "", action: str = "", object_type: str = "", object_id: str = ""
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.filter(audit_reach(user)).select_related("actor")
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
