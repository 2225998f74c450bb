import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhenwu.lib.identity import (
    IdentityError,
    gender_from_id_number,
    id_check_digit,
    mask_id_number,
    mask_name,
    mask_phone,
    normalize_id_number,
    normalize_phone,
)

bodies = st.builds(
    lambda region, born, seq: f"{region}{born:%Y%m%d}{seq:03d}",
    st.sampled_from(["110105", "511322", "440301"]),
    st.dates(
        min_value=__import__("datetime").date(1920, 1, 1), max_value=__import__("datetime").date(2010, 12, 31)
    ),
    st.integers(min_value=0, max_value=999),
)


@given(bodies)
def test_every_number_with_the_right_check_digit_is_accepted(body):
    number = body + id_check_digit(body)
    assert normalize_id_number(number) == number


@given(bodies, st.sampled_from("0123456789X"))
def test_a_wrong_check_digit_is_refused(body, digit):
    if digit == id_check_digit(body):
        return
    with pytest.raises(IdentityError, match="校验位"):
        normalize_id_number(body + digit)


def test_a_lower_case_x_is_read_as_upper_case():
    assert normalize_id_number("11010519491231002x") == "11010519491231002X"


def test_an_old_15_digit_number_is_upgraded_to_its_18_digit_form():
    # 15-digit 110105491231002 is the old form of 11010519491231002X.
    assert normalize_id_number("110105491231002") == "11010519491231002X"


@pytest.mark.parametrize(
    "value, message",
    [
        ("1101051949123100", "18位"),
        ("11010519491332002X", "出生日期"),
        ("1101051949123100AX", "前17位"),
        ("11010549123100A", "数字"),
    ],
)
def test_malformed_id_numbers_are_refused_with_the_reason(value, message):
    with pytest.raises(IdentityError, match=message):
        normalize_id_number(value)


def test_gender_comes_from_the_17th_digit():
    assert gender_from_id_number("11010519491231002X") == "F"
    assert gender_from_id_number("110105194912310010") == "M"


@given(st.sampled_from("3456789"), st.integers(min_value=0, max_value=10**9 - 1))
def test_every_mainland_mobile_is_accepted_and_masked_to_its_ends(second, rest):
    number = f"1{second}{rest:09d}"
    assert normalize_phone(number) == number
    assert normalize_phone(f"+86 {number[:3]} {number[3:7]} {number[7:]}") == number
    masked = mask_phone(number)
    assert masked == number[:3] + "****" + number[-4:]


@pytest.mark.parametrize("value", ["12812345678", "1381234567", "138123456789", "abc", "0831-12345"])
def test_things_that_are_not_phones_are_refused(value):
    with pytest.raises(IdentityError):
        normalize_phone(value)


def test_landlines_keep_their_area_code():
    assert normalize_phone("0817 2345678") == "0817-2345678"
    assert normalize_phone("010-12345678") == "010-12345678"
    assert mask_phone("0817-2345678") == "0817-***5678"


def test_masks_follow_the_usual_patterns():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("110101199001011234") == "110101********1234"
    assert mask_name("张三") == "张*"
    assert mask_name("张三丰") == "张*丰"
    assert mask_id_number("") == ""


@given(st.text(min_size=10, max_size=18, alphabet="0123456789X"))
def test_a_masked_id_number_never_shows_the_birth_date(value):
    assert value[6:14] not in mask_id_number(value) or value[6:14] in (value[:6] + value[-4:])
