"""QR posters for a campaign: one A4 page per village, to put up at the village office.

Each QR code opens the public form with the village already chosen. The page is HTML
rendered by WeasyPrint (Noto CJK from fonts-noto-cjk), the code an SVG so it prints sharp.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import qrcode
import qrcode.image.svg
from django.template.loader import render_to_string

from zhenwu.org.models import Unit
from zhenwu.suggestions.models import Campaign


def qr_svg_data_uri(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=20, border=2)
    out = io.BytesIO()
    image.save(out)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def posters_pdf(*, campaign: Campaign, villages: Sequence[Unit], base_url: str, town: str) -> bytes:
    from weasyprint import HTML  # imported here: loading it takes a second, and only posters need it

    pages = []
    for village in villages:
        url = f"{base_url}/s/?village={village.pk}&campaign={campaign.pk}"
        short = village.name.removesuffix("村民委员会").removesuffix("居民委员会")
        pages.append({"village": short, "url": url, "qr": qr_svg_data_uri(url)})
    html = render_to_string("suggestions/posters.html", {"campaign": campaign, "pages": pages, "town": town})
    return HTML(string=html).write_pdf()
