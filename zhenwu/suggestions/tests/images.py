"""Small real images for tests: a PNG, a JPEG carrying EXIF (GPS), and a fake."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def png_upload(name: str = "lamp.png", size: tuple[int, int] = (40, 30)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def jpeg_with_exif(name: str = "road.jpg") -> SimpleUploadedFile:
    image = Image.new("RGB", (64, 48), (30, 120, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90°
    exif[0x8825] = {1: "N", 2: (30.0, 10.0, 0.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def fake_image(name: str = "virus.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"MZ\x90\x00 this is not a picture", content_type="image/jpeg")


def png_claiming(width: int, height: int, name: str = "bomb.png") -> SimpleUploadedFile:
    """A PNG whose header claims width × height pixels, with almost no data: what a
    decompression bomb looks like to a reader of headers."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )
    return SimpleUploadedFile(name, body, content_type="image/png")
