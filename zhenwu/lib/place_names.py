"""A town's names, read off the names of its units (pure; property-tested).

One rule for every place that needs "the town's name" from what a town already typed: the
upgrade that gives an existing installation its town node (org migration 0004), the first
unit made in a new installation (org.services), and the department keys that drop a leading
town name (ledger.selectors.town_names). A town writes itself as 中共××镇委员会, ××镇党委,
××镇人民政府 or ××乡政府; its short name drops 镇/乡/街道 (测试镇 → 测试), as its sheets do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pypinyin import Style, lazy_pinyin

_OWN_NAME = re.compile(
    r"^(?:中共|中国共产党)?(?P<town>.+?(?:镇|乡|街道))(?:委员会|党委|人民政府|政府|办事处)$"
)
_LEVEL = re.compile(r"(?:镇|乡|街道)$")
FALLBACK_CODE = "ZHEN"


def town_name_of(unit_name: str) -> str | None:
    """The town a committee or government names (中共测试镇委员会 → 测试镇), else None."""
    found = _OWN_NAME.match(re.sub(r"\s+", "", unit_name or ""))
    return found["town"] if found else None


def town_short_name(name: str) -> str:
    """测试镇 → 测试; a name that would keep fewer than two characters stays whole."""
    short = _LEVEL.sub("", name)
    return short if len(short) >= 2 else name


def town_code(short_name: str, taken: Iterable[str] = ()) -> str:
    """2–6 capital letters from the short name's pinyin initials (测试 → CS), made unique
    against `taken` by adding the next initials or a letter; ZHEN when the name has no
    pinyin (the placeholder ××)."""
    letters = "".join(lazy_pinyin(short_name, style=Style.FIRST_LETTER, errors="ignore")).upper()
    letters = re.sub(r"[^A-Z]", "", letters)
    if len(letters) < 2:
        letters = FALLBACK_CODE
    used = set(taken)
    code = letters[:6]
    for extra in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        if code not in used:
            return code
        code = (letters[:5] + extra)[:6]
    raise ValueError("no free town code")  # 27 towns of one name in one county: not a real case
