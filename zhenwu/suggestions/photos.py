"""Residents' photos: checked to be real images within the limits, re-encoded without EXIF.

Everything is checked and converted in memory before anything is stored, so a bad sixth
photo leaves no trace of the first five.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from zhenwu.suggestions.constants import PHOTO_MAX_COUNT, PHOTO_MAX_SIDE, PHOTO_TYPES, THUMBNAIL_SIZE

# A decompression bomb (a tiny file that unpacks to gigapixels) is refused by its header,
# before any pixel is decoded: a 119-megapixel PNG of 450 KB took a worker 15 s to decode.
# PIL's own guard (MAX_IMAGE_PIXELS) only warns below twice its value, so it is a backstop.
Image.MAX_IMAGE_PIXELS = 2 * 60_000_000


@dataclass(frozen=True)
class CleanPhoto:
    image: ContentFile
    thumbnail: ContentFile
    content_type: str
    size: int


def _encode(image: Image.Image, kind: str) -> bytes:
    out = io.BytesIO()
    if kind == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    else:
        image.save(out, kind)
    return out.getvalue()


def _opened(upload: UploadedFile, index: int) -> Image.Image:
    """The image's header read (format and size), nothing decoded; ValidationError if unfit."""
    label = _("照片%(n)s") % {"n": index}
    max_bytes = settings.ZHENWU_PHOTO_MAX_MB * 1024 * 1024
    if (upload.size or 0) > max_bytes:
        raise ValidationError(
            {
                "photos": _("%(label)s：文件超过%(mb)sMB")
                % {"label": label, "mb": settings.ZHENWU_PHOTO_MAX_MB}
            }
        )
    try:
        upload.seek(0)
        image = Image.open(upload)  # reads the header only
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as exc:
        raise ValidationError(
            {"photos": _("%(label)s：不是可识别的图片（支持JPG、PNG、WEBP）") % {"label": label}}
        ) from exc
    kind = image.format or ""
    if kind not in PHOTO_TYPES:
        raise ValidationError(
            {
                "photos": _("%(label)s：不支持的图片格式%(kind)s（支持JPG、PNG、WEBP）")
                % {"label": label, "kind": kind}
            }
        )
    width, height = image.size
    if width * height > settings.ZHENWU_PHOTO_MAX_MEGAPIXELS * 1_000_000:
        raise ValidationError(
            {
                "photos": _("%(label)s：图片尺寸%(w)s×%(h)s过大（最多%(mp)s百万像素），请缩小后再传")
                % {"label": label, "w": width, "h": height, "mp": settings.ZHENWU_PHOTO_MAX_MEGAPIXELS}
            }
        )
    return image


def _clean_one(image: Image.Image, index: int) -> CleanPhoto:
    label = _("照片%(n)s") % {"n": index}
    kind = image.format or ""
    try:
        image.load()
    except (OSError, Image.DecompressionBombError, SyntaxError) as exc:
        raise ValidationError(
            {"photos": _("%(label)s：不是可识别的图片（支持JPG、PNG、WEBP）") % {"label": label}}
        ) from exc
    # Turn the picture upright by its EXIF orientation, then drop EXIF by re-encoding.
    upright = ImageOps.exif_transpose(image)
    upright.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
    stored_kind = "PNG" if kind == "PNG" else "JPEG"
    body = _encode(upright, stored_kind)
    thumb = upright.copy()
    thumb.thumbnail(THUMBNAIL_SIZE)
    extension = ".png" if stored_kind == "PNG" else ".jpg"
    return CleanPhoto(
        image=ContentFile(body, name=f"photo{extension}"),
        thumbnail=ContentFile(_encode(thumb, stored_kind), name=f"thumb{extension}"),
        content_type=PHOTO_TYPES[stored_kind],
        size=len(body),
    )


def clean_photos(uploads: Sequence[UploadedFile]) -> list[CleanPhoto]:
    """Every photo's header is checked, and the request's pixels counted, before any is decoded."""
    if len(uploads) > PHOTO_MAX_COUNT:
        raise ValidationError(
            {"photos": _("照片：最多%(n)s张，您选择了%(m)s张") % {"n": PHOTO_MAX_COUNT, "m": len(uploads)}}
        )
    opened = [_opened(upload, i) for i, upload in enumerate(uploads, start=1)]
    pixels = sum(image.size[0] * image.size[1] for image in opened)
    if pixels > settings.ZHENWU_PHOTOS_MAX_MEGAPIXELS_PER_SUBMIT * 1_000_000:
        raise ValidationError(
            {
                "photos": _("照片：合计%(mp)s百万像素，超过每次%(max)s百万像素的上限，请少传几张或缩小后再传")
                % {"mp": pixels // 1_000_000, "max": settings.ZHENWU_PHOTOS_MAX_MEGAPIXELS_PER_SUBMIT}
            }
        )
    return [_clean_one(image, i) for i, image in enumerate(opened, start=1)]
