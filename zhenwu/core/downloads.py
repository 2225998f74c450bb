"""A download's file name, in Chinese, as the office files it (×党办〔2026〕3号 关于…的通报.docx).

RFC 6266/5987: `filename*` carries the UTF-8 name every current browser uses; `filename`
is an ASCII stand-in for the rest. Path separators and control characters never reach the
header, so a title cannot name a directory or split the header.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from django.http import HttpResponse

_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def file_name(*parts: str, ext: str) -> str:
    """The parts joined by a space, cleaned of what a file name or a header cannot hold."""
    name = " ".join(p.strip() for p in parts if p and p.strip())
    name = _UNSAFE.sub("-", name).strip(" .-")[:150] or "download"
    return f"{name}.{ext}"


def attachment(response: HttpResponse, name: str) -> HttpResponse:
    ext = name.rpartition(".")[2] if "." in name else "bin"
    response["Content-Disposition"] = (
        f"attachment; filename=\"download.{ext}\"; filename*=UTF-8''{quote(name)}"
    )
    return response
