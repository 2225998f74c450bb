"""Residents' addresses leave the system after ZHENWU_IP_RETENTION_DAYS (see core.models.AuditAddress)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from zhenwu.core.models import AuditAddress
from zhenwu.core.tick import register


@register("core.address_sweep")
def address_sweep(now: datetime) -> int:
    """Delete the addresses older than the retention period; returns how many."""
    cutoff = now - timedelta(days=settings.ZHENWU_IP_RETENTION_DAYS)
    deleted, _unused = AuditAddress.objects.filter(created_at__lt=cutoff).delete()
    return deleted
