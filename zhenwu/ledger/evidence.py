"""Evidence files: checking uploads (allowed types by name and by content, size limit), and
recording who opened one."""

from __future__ import annotations

from datetime import datetime
from pathlib import PurePath
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhenwu.core.audit import audit_record
from zhenwu.core.selectors import audit_trail
from zhenwu.ledger.constants import EVIDENCE_MAX_BYTES, EVIDENCE_TYPES, LedgerAudit

if TYPE_CHECKING:
    from zhenwu.ledger.models import Evidence
    from zhenwu.org.models import User

# The first bytes each allowed type starts with: a renamed .exe is refused even as "photo.jpg".
_MAGIC = {
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".pdf": (b"%PDF-",),
    ".doc": (b"\xd0\xcf\x11\xe0",),
    ".xls": (b"\xd0\xcf\x11\xe0",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
}


def check_evidence_file(upload: UploadedFile, *, field: str = "files") -> str:
    """The file's content type when acceptable; ValidationError naming the file otherwise."""
    name = upload.name or ""
    suffix = PurePath(name).suffix.lower()
    if suffix not in EVIDENCE_TYPES:
        raise ValidationError(
            {
                field: _("佐证材料：文件“%(name)s”的类型不允许，只接受图片（JPG、PNG）、PDF 和 Office 文档")
                % {"name": name}
            }
        )
    if (upload.size or 0) > EVIDENCE_MAX_BYTES:
        raise ValidationError(
            {
                field: _("佐证材料：文件“%(name)s”超过%(mb)sMB")
                % {"name": name, "mb": EVIDENCE_MAX_BYTES // (1024 * 1024)}
            }
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in _MAGIC[suffix]):
        raise ValidationError({field: _("佐证材料：文件“%(name)s”的内容与扩展名不符") % {"name": name}})
    return EVIDENCE_TYPES[suffix]


def _opened_today(actor: User, evidence: Evidence, since: datetime) -> bool:
    return (
        audit_trail("ledger.evidence", evidence.pk)
        .filter(action=LedgerAudit.EVIDENCE_OPENED, actor=actor, created_at__gte=since)
        .exists()
    )


def evidence_record_opened(*, actor: User, evidence: Evidence) -> bool:
    """Record that `actor` opened the file (True), unless they already did today (False).

    One event per person, file and day answers what a review asks (who had seen the photos
    before accepting, and when) without flooding a log that is kept for ever: a browser asks
    for a PDF several times while showing it, and an acceptor goes back to the same photos
    between visits. The first look is read outside the transaction, so re-opening a file
    takes no write lock; two workers racing on a first look may both record it, which is harmless.
    """
    since = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    if _opened_today(actor, evidence, since):
        return False
    with transaction.atomic():
        if _opened_today(actor, evidence, since):
            return False
        audit_record(
            actor=actor,
            action=LedgerAudit.EVIDENCE_OPENED,
            obj=evidence,
            object_label=f"{evidence.problem.number} {evidence.original_name}"[:200],
            after={"problem": evidence.problem_id, "kind": evidence.kind, "name": evidence.original_name},
        )
    return True
