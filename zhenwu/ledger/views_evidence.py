"""Opening evidence files: the file itself (recorded in the audit log) and its preview.

Both go through `get_evidence_for_user`, the problem's own scope: a file of a problem the
account cannot see is a 404, like the problem. Files are never served from MEDIA_URL.
"""

from __future__ import annotations

from pathlib import PurePath

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from zhenwu.ledger.constants import EVIDENCE_PREVIEW_TYPES, EVIDENCE_TYPES
from zhenwu.ledger.evidence import evidence_record_opened
from zhenwu.ledger.models import Evidence
from zhenwu.ledger.previews import icon, preview_path
from zhenwu.ledger.selectors import get_evidence_for_user
from zhenwu.org.models import User

# Shown in the browser (a new tab); anything else downloads. Never HTML or SVG: an uploaded
# page would run as ours. The type comes from the allowed list by the file's extension (the
# upload check matched the content to it), not from what the uploader's browser claimed.
INLINE_TYPES = EVIDENCE_PREVIEW_TYPES
# A photo opened on its own is a document of ours: no scripts, no plugins, nothing fetched.
_IMAGE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _safe(response: HttpResponseBase, *, max_age: int = 3600) -> HttpResponseBase:
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = f"private, max-age={max_age}"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def evidence_content_type(evidence: Evidence) -> str:
    return EVIDENCE_TYPES.get(PurePath(evidence.original_name).suffix.lower(), "application/octet-stream")


@login_required
@require_GET
def evidence_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The file under its own (Chinese) name: photos and PDFs inline, the rest as a download."""
    evidence = get_evidence_for_user(_user(request), pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:  # the row outlived its file (a media folder not restored)
        raise Http404(_("文件“%(name)s”已不在服务器上") % {"name": evidence.original_name}) from exc
    evidence_record_opened(actor=_user(request), evidence=evidence)
    content_type = evidence_content_type(evidence)
    inline = content_type in INLINE_TYPES and request.GET.get("download") != "1"
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=not inline,
        filename=evidence.original_name,
    )
    if content_type.startswith("image/"):
        # Not for PDFs: Chromium refuses to show a PDF in a sandboxed document.
        response["Content-Security-Policy"] = _IMAGE_CSP
    return _safe(response)


@login_required
@require_GET
def evidence_preview(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A thumbnail (a photo, a PDF's first page), or the file-type tile when none can be made.

    Not recorded as an opening: it is part of the problem's page, which is not audited either;
    opening the file itself is."""
    evidence = get_evidence_for_user(_user(request), pk)
    path = preview_path(evidence)
    if path is None:
        # Not cached for long: the tile stands in until poppler is installed or a retry succeeds.
        return _safe(HttpResponse(icon(evidence.extension), content_type="image/jpeg"), max_age=60)
    return _safe(FileResponse(path.open("rb"), content_type="image/jpeg"))
