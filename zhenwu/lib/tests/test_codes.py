from hypothesis import given
from hypothesis import strategies as st

from zhenwu.lib.codes import ALPHABET, format_code, new_code, normalize_code

codes = st.text(alphabet=ALPHABET, min_size=8, max_size=8)


def test_new_codes_use_only_unambiguous_symbols() -> None:
    for _ in range(200):
        code = new_code()
        assert len(code) == 8
        assert not set(code) & set("01OIL")
        assert set(code) <= set(ALPHABET)


@given(codes)
def test_formatted_and_lowercase_codes_read_back(code: str) -> None:
    assert normalize_code(format_code(code)) == code
    assert normalize_code(format_code(code).lower()) == code
    assert normalize_code(" " + code[:4] + " － " + code[4:] + " ") == code


@given(codes)
def test_fullwidth_typing_reads_back(code: str) -> None:
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in code)
    assert normalize_code(fullwidth) == code


@given(st.text(max_size=12))
def test_anything_else_is_refused_or_a_valid_code(text: str) -> None:
    result = normalize_code(text)
    assert result is None or (len(result) == 8 and set(result) <= set(ALPHABET))


def test_ambiguous_and_short_codes_are_refused() -> None:
    assert normalize_code("ABCD-EFG0") is None
    assert normalize_code("ABCD-EFGI") is None
    assert normalize_code("ABCDEFG") is None
    assert normalize_code("") is None
