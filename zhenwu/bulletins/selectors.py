"""Reads of 通报: the list (all, or one status) and the office's line of the work queue."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from zhenwu.bulletins.models import Bulletin, BulletinStatus
from zhenwu.core.home import QueueItem
from zhenwu.org.roles import is_office


def bulletins(status: str = "") -> QuerySet[Bulletin]:
    """Every 通报 (newest month first, as the model orders them), or those of one status."""
    found = Bulletin.objects.all()
    return found.filter(status=status) if status in BulletinStatus.values else found


def office_queue(request: HttpRequest) -> list[QueueItem]:
    """Drafts waiting to be completed and published: the same selector as the filtered list."""
    if not is_office(request.user):
        return []
    return [
        QueueItem(
            key="bulletins.drafts",
            label=_("通报草稿待印发"),
            count=bulletins(BulletinStatus.DRAFT).count(),
            url=f"{reverse('bulletins:list')}?status={BulletinStatus.DRAFT.value}",
        )
    ]
