"""Sending notices: into the inbox (idempotent by key) and by e-mail where the person has one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from zhenwu.core.actors import TICK, Actor
from zhenwu.core.audit import audit_record
from zhenwu.core.constants import CoreAudit
from zhenwu.core.models import Notice


@dataclass(frozen=True)
class Draft:
    recipient_id: int
    key: str
    subject: str
    body: str = ""
    url: str = ""


def notices_send(drafts: list[Draft], *, reason: str, actor: Actor = TICK) -> int:
    """Store the drafts not sent before; e-mail them after commit. Returns how many were new.
    `actor` is who caused them: the tick for reminders, the office for an assignment."""
    if not drafts:
        return 0
    with transaction.atomic():
        existing = set(Notice.objects.filter(key__in=[d.key for d in drafts]).values_list("key", flat=True))
        fresh = [d for d in {d.key: d for d in drafts}.values() if d.key not in existing]
        Notice.objects.bulk_create(
            [
                Notice(recipient_id=d.recipient_id, key=d.key, subject=d.subject, body=d.body, url=d.url)
                for d in fresh
            ],
            ignore_conflicts=True,  # another node's tick may have sent the same notice a moment ago
        )
        if fresh:
            audit_record(
                actor=actor, action=CoreAudit.REMINDER_SENT, object_type="core.notice",
                object_label=reason, after={"count": len(fresh)},
            )  # fmt: skip
        transaction.on_commit(_email_pending)
    return len(fresh)


def _email_pending() -> None:
    pending = (
        Notice.objects.filter(emailed_at__isnull=True)
        .exclude(recipient__email="")
        .select_related("recipient")
    )
    for notice in pending[:500]:
        # Claim the notice first, so two nodes never e-mail it twice.
        claimed = Notice.objects.filter(pk=notice.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if claimed:
            send_mail(
                notice.subject,
                f"{notice.body}\n\n{notice.url}",
                settings.DEFAULT_FROM_EMAIL,
                [notice.recipient.email],
            )


def notice_mark_read(*, user: Any, notice_id: int) -> None:
    Notice.objects.filter(pk=notice_id, recipient=user, read_at__isnull=True).update(read_at=timezone.now())
