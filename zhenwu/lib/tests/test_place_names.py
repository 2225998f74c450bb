"""A town's names read off its units' names (lib/place_names.py)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhenwu.lib.place_names import FALLBACK_CODE, town_code, town_name_of, town_short_name


@pytest.mark.parametrize(
    ("unit", "town"),
    [
        ("中共测试镇委员会", "测试镇"),
        ("中国共产党青石乡委员会", "青石乡"),
        ("测试镇人民政府", "测试镇"),
        ("城关街道办事处", "城关街道"),
        ("白马镇党委", "白马镇"),
        ("  河口 镇人民政府", "河口镇"),
        ("××镇人民政府", "××镇"),
        ("党政办", None),
        ("红岩村村民委员会", None),
        ("人民政府", None),
        ("", None),
    ],
)
def test_the_town_a_committee_or_government_names(unit, town):
    assert town_name_of(unit) == town


def test_short_names_drop_the_level_but_keep_two_characters():
    assert [town_short_name(n) for n in ("测试镇", "青石乡", "城关街道", "江镇", "××镇")] == [
        "测试", "青石", "城关", "江镇", "××",
    ]  # fmt: skip


def test_codes_are_initials_or_the_fallback():
    assert town_code("测试") == "CS"
    assert town_code("××") == FALLBACK_CODE
    assert town_code("测试", taken=["CS"]) == "CSA"
    assert town_code("测试", taken=["CS", "CSA"]) == "CSB"


HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)


@given(
    st.text(HAN, min_size=1, max_size=12),
    st.sets(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=6), max_size=20),
)
def test_a_code_is_two_to_six_capitals_and_never_a_taken_one(name, taken):
    code = town_code(name, taken=taken)
    assert re.fullmatch(r"[A-Z]{2,6}", code) and code not in taken


@given(
    st.text(HAN, min_size=2, max_size=8),
    st.sampled_from(["镇", "乡", "街道"]),
    st.sampled_from(["委员会", "党委", "人民政府", "政府"]),
)
def test_a_towns_own_units_name_it(stem, level, suffix):
    town = stem + level
    prefix = "中共" if suffix in ("委员会",) else ""
    assert town_name_of(prefix + town + suffix) is not None
    assert town_name_of(prefix + town + suffix).endswith(level)
