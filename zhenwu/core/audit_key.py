"""The key of the audit chain's HMAC, kept outside the database.

Whoever can write to the database (the app's own role, a stolen password, an injected
statement) can insert rows and, as the table's owner, rewrite them; without this key they
cannot give a forged row a hash that `zhenwu audit verify` accepts. The key comes from
ZHENWU_AUDIT_KEY, from the file named by ZHENWU_AUDIT_KEY_FILE, or from var/audit_key,
generated once (mode 0600) like the secret key. Several app servers must share one key.

The file is read lazily and again whenever it changes (a restore puts the archive's key in
place while other processes keep running), so no process goes on hashing with a stale key.
"""

from __future__ import annotations

import os
import secrets
import threading
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MIN_LENGTH = 32
_lock = threading.Lock()
_cache: dict[tuple[str, int, int, int], bytes] = {}


def audit_key_path() -> Path:
    named = getattr(settings, "ZHENWU_AUDIT_KEY_FILE", "")
    return Path(named) if named else Path(settings.VAR_DIR) / "audit_key"


def audit_key() -> bytes:
    """The key now: from the setting, else the key file (generated on first use when it is var/'s)."""
    if value := getattr(settings, "ZHENWU_AUDIT_KEY", ""):
        return _checked(value, "ZHENWU_AUDIT_KEY")
    path = audit_key_path()
    try:
        stat = path.stat()
    except FileNotFoundError:
        if getattr(settings, "ZHENWU_AUDIT_KEY_FILE", ""):
            raise ImproperlyConfigured(
                f"ZHENWU_AUDIT_KEY_FILE 指向的审计日志密钥文件 {path} 不存在"
            ) from None
        _generate(path)
        stat = path.stat()
    stamp = (str(path), stat.st_ino, stat.st_mtime_ns, stat.st_size)
    with _lock:
        if (found := _cache.get(stamp)) is not None:
            return found
        key = _checked(path.read_text(encoding="utf-8").strip(), str(path))
        _cache.clear()
        _cache[stamp] = key
        return key


def _checked(value: str, source: str) -> bytes:
    if len(value) < MIN_LENGTH:
        raise ImproperlyConfigured(f"审计日志密钥（{source}）太短：至少 {MIN_LENGTH} 个字符")
    return value.encode("utf-8")


def _generate(path: Path) -> None:
    """Write a new key once; of two processes starting together, the first one's key wins."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    staged = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_urlsafe(48))
    try:
        os.link(staged, path)  # never replaces a key another process wrote meanwhile
    except FileExistsError:
        pass
    finally:
        staged.unlink()
