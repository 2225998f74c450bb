"""Small made-up evidence for the demo's closures: site photos (JPEG) and a scanned 验收单 (PDF).

Drawn with Pillow (already a dependency), so the seed needs nothing new: the PDF is a page
image saved as a PDF, which is what a scanned form is. Each file is a few tens of KB, and
uploaded through the ledger's services like any clerk's upload (checked, stored, dated).
"""

from __future__ import annotations

import io
import random
from functools import cache
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont

# Debian's fonts-noto-cjk (CI and the machine install it); index 2 of the collection is SC.
_CJK_FONTS = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto-cjk/NotoSansCJK-Regular.ttc"),
)
_SKIES = ["#9ec9e8", "#b8d4e6", "#c9d6df", "#a7c4dc"]
_GROUNDS = ["#8d9a6a", "#9c8f74", "#7f8f6b", "#a39b8b"]


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in _CJK_FONTS:
        if path.exists():
            return ImageFont.truetype(str(path), size, index=2)
    return ImageFont.load_default(size=size)


def _has_cjk() -> bool:
    return any(path.exists() for path in _CJK_FONTS)


def site_photo(*, number: str, day: str, what: str, index: int, rng: random.Random) -> SimpleUploadedFile:
    """A 480×360 'photo' of the finished work, with the caption a clerk's camera app would stamp."""
    image = Image.new("RGB", (480, 360), rng.choice(_SKIES))
    draw = ImageDraw.Draw(image)
    horizon = rng.randint(130, 190)
    draw.rectangle((0, horizon, 480, 360), fill=rng.choice(_GROUNDS))
    for _ in range(rng.randint(3, 6)):  # buildings, a lamp post, a repaired stretch of road
        x, w, h = rng.randint(0, 430), rng.randint(30, 110), rng.randint(40, 120)
        shade = rng.randint(150, 235)
        draw.rectangle((x, horizon - h, x + w, horizon), fill=(shade, shade - 10, shade - 25))
    draw.polygon([(150, 360), (330, 360), (255, horizon), (225, horizon)], fill="#6f6f6f")
    draw.rectangle((0, 318, 480, 360), fill=(0, 0, 0))
    caption = f"{what} {number} {day}" if _has_cjk() else f"{number} {day} #{index}"
    draw.text((12, 326), caption[:30], fill="#ffffff", font=_font(20))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    return SimpleUploadedFile(f"整改后现场照片{index}.jpg", out.getvalue(), content_type="image/jpeg")


def acceptance_form(
    *, number: str, day: str, description: str, completion: str, department: str
) -> SimpleUploadedFile:
    """A one-page 整改销号验收单, as a scan (a page image in a PDF)."""
    page = Image.new("L", (595, 842), 250)  # A4 at 72 dpi: small, and readable as a thumbnail
    draw = ImageDraw.Draw(page)
    cjk = _has_cjk()
    draw.text((297, 70), "整改销号验收单" if cjk else "ACCEPTANCE FORM", fill=20, font=_font(30), anchor="mm")
    rows = (
        [("问题编号", number), ("问题描述", description), ("责任部门", department),
         ("完成情况", completion), ("申请日期", day), ("验收意见", ""), ("验收人签字", "")]
        if cjk
        else [("No.", number), ("Date", day), ("Opinion", ""), ("Signature", "")]
    )  # fmt: skip
    top = 120
    for label, value in rows:
        height = 90 if label in ("问题描述", "完成情况", "验收意见") else 50
        draw.rectangle((50, top, 545, top + height), outline=40, width=2)
        draw.line((160, top, 160, top + height), fill=40, width=2)
        draw.text((60, top + 14), label, fill=20, font=_font(16))
        for i in range(0, len(value), 22):  # wrapped by hand: 22 characters fit the cell
            draw.text((172, top + 14 + i // 22 * 22), value[i : i + 22], fill=20, font=_font(16))
        top += height
    out = io.BytesIO()
    page.save(out, "PDF", resolution=72)
    return SimpleUploadedFile("整改销号验收单.pdf", out.getvalue(), content_type="application/pdf")
