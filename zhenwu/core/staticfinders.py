"""Static files from npm packages: only the files the pages load, not whole dist folders.

ECharts' and Bootstrap's dist folders hold 190 MB of variants, maps and extensions;
collecting and compressing them all made every `zhenwu serve` start take a minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

# Served path -> file under node_modules. A map stays beside its file because the minified
# file names it, and the manifest storage refuses references to missing files.
VENDOR_FILES = {
    "vendor/bootstrap/css/bootstrap.min.css": "bootstrap/dist/css/bootstrap.min.css",
    "vendor/bootstrap/css/bootstrap.min.css.map": "bootstrap/dist/css/bootstrap.min.css.map",
    "vendor/bootstrap/js/bootstrap.bundle.min.js": "bootstrap/dist/js/bootstrap.bundle.min.js",
    "vendor/bootstrap/js/bootstrap.bundle.min.js.map": "bootstrap/dist/js/bootstrap.bundle.min.js.map",
    "vendor/echarts/echarts.min.js": "echarts/dist/echarts.min.js",
}


class _PrefixedStorage(FileSystemStorage):
    """Stores one file under node_modules, presented at its served path."""

    def __init__(self, served: str, source: Path) -> None:
        super().__init__(location=str(source.parent))
        self.prefix = str(Path(served).parent)
        self.served_name = Path(served).name


class VendorFinder(BaseFinder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.root = Path(settings.BASE_DIR) / "node_modules"

    def check(self, **kwargs: Any) -> list[Any]:
        return []

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        source = VENDOR_FILES.get(path)
        if source is None or not (self.root / source).exists():
            return [] if find_all or kwargs.get("all") else None
        found = str(self.root / source)
        return [found] if find_all or kwargs.get("all") else found

    def list(self, ignore_patterns: Any) -> Iterator[tuple[str, FileSystemStorage]]:
        for served, source in VENDOR_FILES.items():
            path = self.root / source
            if path.exists():
                yield path.name, _PrefixedStorage(served, path)
