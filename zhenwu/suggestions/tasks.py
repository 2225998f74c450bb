"""Periodic work of 献言献策, run by `zhenwu tick`."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings

from zhenwu.core.tick import register
from zhenwu.suggestions.models import RoutingModel
from zhenwu.suggestions.routing import decisions_count, train_and_save


@register("suggestions.retrain_routing")
def retrain_routing(now: datetime) -> int:
    """Retrain when enough triage decisions are new since the model in use; 1 when it did."""
    known = (
        RoutingModel.objects.order_by("-trained_at", "-id").values_list("decisions", flat=True).first() or 0
    )
    if decisions_count() - known < settings.ZHENWU_ROUTING_RETRAIN_AFTER:
        return 0
    return 1 if train_and_save(now) is not None else 0
