"""Is an address only reachable from this machine? (a poster printed with it reaches nobody)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


def is_loopback_host(host: str) -> bool:
    """127.0.0.0/8, ::1, 0.0.0.0, localhost and its subdomains; a port or [brackets] are allowed."""
    name = host.strip().lower()
    if name.startswith("["):
        name = name[1:].split("]", 1)[0]
    elif name.count(":") == 1:
        name = name.split(":", 1)[0]
    name = name.rstrip(".")
    if name in LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def is_loopback_url(url: str) -> bool:
    """True for an empty URL too: nothing printed from it would reach a resident."""
    if not url.strip():
        return True
    host = urlsplit(url.strip() if "//" in url else f"//{url.strip()}").hostname or ""
    return is_loopback_host(host) if host else True
