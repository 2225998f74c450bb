"""Previews of evidence for the acceptance panel: a photo's thumbnail, a PDF's first page.

A preview is made on its first request and kept under VAR_DIR/cache/evidence: derived data,
left out of backups (core.backup skips var/cache) and made again when missing. It is named
by the evidence's id and its stored file (name, size, modification time), not the id alone:
ids come round again when a database is re-created beside an old var/ (a demo seeded anew),
and a cached preview must never show another file.

Photos: the header's size is checked against ZHENWU_PHOTO_MAX_MEGAPIXELS before a pixel is
decoded, the guard residents' photos have (suggestions.photos): a 100-megapixel PNG of 97 KB
gets the file-type icon, not a worker busy decoding it.

PDFs: poppler's pdftoppm renders page 1 in a child process with a timeout and resource limits
(CPU, memory, output size). Not pypdfium2: it would parse an uploaded, possibly hostile PDF
inside the web worker, where a hang, a memory blow-up or a crash in PDFium takes the worker
with it and no timeout can stop it; a child process is killed alone. pdftoppm ships with
poppler-utils, which the machine and CI install anyway (they check the PDFs the app makes).
Without it (or when rendering fails) the panel shows the icon and the link.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import IO

from django.conf import settings
from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

from zhenwu.ledger.models import Evidence

logger = logging.getLogger(__name__)

SIDE = 320  # the longest side of a preview, in pixels (shown at up to 160 CSS px, sharp on phones)
IMAGE_TYPES = frozenset({"image/jpeg", "image/png"})
PDFTOPPM = "pdftoppm"  # looked up on PATH at each use: installing poppler-utils later just works
PDF_TIMEOUT_SECONDS = 15
PDF_LIMITS = {
    resource.RLIMIT_CPU: 10,  # seconds of CPU
    resource.RLIMIT_AS: 512 * 1024 * 1024,  # address space: a page of a 20 MB PDF needs far less
    resource.RLIMIT_FSIZE: 16 * 1024 * 1024,  # the largest file it may write
}
# A preview that could not be made is retried after this long (a timeout on a busy machine
# is not a verdict on the file), not on every page view.
RETRY_SECONDS = 3600


def _cache_dir() -> Path:
    folder = Path(settings.VAR_DIR) / "cache" / "evidence"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def preview_path(evidence: Evidence) -> Path | None:
    """The cached JPEG preview, made now if needed; None when there is none to show."""
    if not evidence.previewable:
        return None
    try:
        key = _key(evidence)
    except OSError:  # the stored file is missing: the link still says so when opened
        return None
    folder = _cache_dir()
    done, failed = folder / f"{key}.jpg", folder / f"{key}.none"
    if done.exists():
        return done
    if failed.exists() and time.time() - failed.stat().st_mtime < RETRY_SECONDS:
        return None
    try:
        made = _make(evidence)
    except RendererMissing:
        return None  # nothing remembered: installing poppler-utils makes the previews appear
    if made is None:
        failed.touch()
        return None
    _write_atomically(done, made)
    failed.unlink(missing_ok=True)
    return done


class RendererMissing(Exception):
    """pdftoppm is not installed: not the file's fault, so the failure is not remembered."""


def _key(evidence: Evidence) -> str:
    stat = os.stat(evidence.file.path)
    identity = f"{evidence.pk}|{evidence.file.name}|{stat.st_size}|{stat.st_mtime_ns}"
    return f"{evidence.pk}-{hashlib.sha256(identity.encode()).hexdigest()[:16]}"


def _write_atomically(target: Path, content: bytes) -> None:
    """Two workers may make the same preview at once: each writes its own file, then renames."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".part")
    with os.fdopen(handle, "wb") as out:
        out.write(content)
    os.replace(temporary, target)


def _make(evidence: Evidence) -> bytes | None:
    try:
        if evidence.content_type in IMAGE_TYPES:
            with evidence.file.open("rb") as source:
                return photo_thumbnail(source)
        return pdf_first_page(Path(evidence.file.path))
    except OSError:  # the stored file is missing or unreadable: the link still says so
        logger.warning("evidence %s: no preview", evidence.pk, exc_info=True)
        return None


def photo_thumbnail(source: IO[bytes] | Path) -> bytes | None:
    """A JPEG at most SIDE px, or None for a file too large in pixels or not a JPEG/PNG."""
    max_pixels = settings.ZHENWU_PHOTO_MAX_MEGAPIXELS * 1_000_000
    try:
        with Image.open(source) as image:  # reads the header only
            width, height = image.size
            if width * height > max_pixels or image.format not in ("JPEG", "PNG"):
                return None
            image.draft("RGB", (SIDE, SIDE))  # a JPEG decodes at 1/2…1/8 scale: far less work
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((SIDE, SIDE))
            return _jpeg(upright)
    except (UnidentifiedImageError, Image.DecompressionBombError, SyntaxError, ValueError, OSError):
        return None


def _jpeg(image: Image.Image) -> bytes:
    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")  # transparent parts on white, as on paper
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=80, optimize=True)
    return out.getvalue()


def _limit_child() -> None:
    # Runs in the child between fork and exec: only setrlimit, nothing that takes a lock.
    for limit, value in PDF_LIMITS.items():
        resource.setrlimit(limit, (value, value))


def pdf_first_page(source: Path) -> bytes | None:
    """Page 1 of a PDF as a JPEG at most SIDE px (pdftoppm, bounded); None when it cannot.
    Raises RendererMissing without pdftoppm."""
    tool = shutil.which(PDFTOPPM)
    if tool is None:
        raise RendererMissing(PDFTOPPM)
    with tempfile.TemporaryDirectory(prefix="zhenwu-pdf-") as work:
        stem = Path(work) / "page"
        command = [
            tool, "-f", "1", "-l", "1", "-singlefile", "-scale-to", str(SIDE),
            "-jpeg", "-jpegopt", "quality=80", str(source), str(stem),
        ]  # fmt: skip
        try:
            subprocess.run(  # a fixed tool, our own stored file's path
                command,
                check=True,
                timeout=PDF_TIMEOUT_SECONDS,
                preexec_fn=_limit_child,  # setrlimit only (see _limit_child)
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                cwd=work,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
            logger.info("pdftoppm could not render %s: %s", source.name, exc)
            return None
        page = stem.with_suffix(".jpg")
        if not page.exists():
            return None
        # Read back through the same pixel guard: pdftoppm was told the size, but trust nothing.
        return photo_thumbnail(page)


_ICONS: dict[str, bytes] = {}


def icon(label: str) -> bytes:
    """A plain file-type tile ("PDF", "JPG") for a file without a preview; drawn once per label."""
    if label not in _ICONS:
        tile = Image.new("RGB", (SIDE * 3 // 4, SIDE), "#f1f3f5")
        draw = ImageDraw.Draw(tile)
        draw.rectangle((8, 8, tile.width - 9, tile.height - 9), outline="#adb5bd", width=4)
        font = ImageFont.load_default(size=56)
        draw.text((tile.width / 2, tile.height / 2), label, fill="#495057", font=font, anchor="mm")
        _ICONS[label] = _jpeg(tile)
    return _ICONS[label]
