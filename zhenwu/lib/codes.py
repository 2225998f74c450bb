"""Short codes that people read, type and say over the phone: receipts and voting codes.

No 0/O, 1/I/L, so nothing can be misread; 31 symbols, 8 of them give 8.5 × 10^11 codes,
drawn by `secrets`, so a code cannot be guessed from the ones before it.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_SEPARATORS = re.compile(r"[\s\-－—_·.]")
_FULLWIDTH = {
    ord(c): ord(c) - 0xFEE0
    for c in "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ"
}


def new_code(length: int = 8) -> str:
    return "".join(secrets.choice(ALPHABET) for _unused in range(length))


def format_code(code: str) -> str:
    """ABCD-EFGH: grouped in fours for reading aloud."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalize_code(text: str, length: int = 8) -> str | None:
    """What the person typed, as a stored code; None when it cannot be one.

    Accepts lower case, full-width characters, and spaces or dashes between the groups.
    """
    raw = _SEPARATORS.sub("", (text or "").translate(_FULLWIDTH)).upper()
    if len(raw) != length or any(c not in ALPHABET for c in raw):
        return None
    return raw


class UniqueCodes:
    """Draws codes never drawn before by this drawer (for filling many rows at once)."""

    def __init__(self, length: int = 8) -> None:
        self.length = length
        self.used: set[str] = set()

    def draw(self) -> str:
        while (code := new_code(self.length)) in self.used:
            pass
        self.used.add(code)
        return code
