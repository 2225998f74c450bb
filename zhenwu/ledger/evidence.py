"""Checking uploaded evidence: allowed types (by name and by content), size limit."""

from __future__ import annotations

from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from zhenwu.ledger.constants import EVIDENCE_MAX_BYTES, EVIDENCE_TYPES

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
