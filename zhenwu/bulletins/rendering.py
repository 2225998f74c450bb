"""Turn a generated .docx into PDF and PNG pages with LibreOffice, as a clerk's Word would show it.

The document names the commercial fonts offices have (方正小标宋简体, 仿宋_GB2312, 楷体_GB2312);
a fontconfig alias file maps them to Noto CJK (Serif for 宋/仿宋/小标宋/楷, Sans for 黑体), or
LibreOffice would fall back to sans for all of them. Each call gets its own LibreOffice profile:
two conversions sharing one fail silently.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

SERIF = (
    "方正小标宋简体",
    "仿宋_GB2312",
    "仿宋",
    "FangSong",
    "楷体_GB2312",
    "楷体",
    "KaiTi",
    "宋体",
    "SimSun",
)
SANS = ("黑体", "SimHei", "微软雅黑")


def _alias(name: str, family: str) -> str:
    return f'<alias binding="same"><family>{name}</family><prefer><family>{family}</family></prefer></alias>'


def fontconfig_file(folder: Path) -> Path:
    aliases = [_alias(n, "Noto Serif CJK SC") for n in SERIF] + [_alias(n, "Noto Sans CJK SC") for n in SANS]
    path = folder / "fonts.conf"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>' + "".join(aliases) + "</fontconfig>",
        encoding="utf-8",
    )
    return path


def docx_to_pdf(docx: bytes, folder: Path) -> Path:
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        raise RuntimeError("LibreOffice is not installed (Debian: libreoffice-writer-nogui)")
    source = folder / "bulletin.docx"
    source.write_bytes(docx)
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-"))
    env = {**os.environ, "FONTCONFIG_FILE": str(fontconfig_file(folder)), "HOME": str(profile)}
    subprocess.run(
        [office, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf", "--outdir",
         str(folder), str(source)],
        check=True, capture_output=True, env=env, timeout=120,
    )  # fmt: skip
    shutil.rmtree(profile, ignore_errors=True)
    return folder / "bulletin.pdf"


def pdf_to_pngs(pdf: Path, resolution: int = 60) -> list[Path]:
    subprocess.run(
        ["pdftoppm", "-r", str(resolution), "-png", str(pdf), str(pdf.with_suffix(""))], check=True
    )
    return sorted(pdf.parent.glob(f"{pdf.stem}-*.png"))
