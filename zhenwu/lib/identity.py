"""Validation and masking of personal identifiers: 居民身份证号码 and phone numbers.

Every input path (forms, API, Excel import, seed) calls these, so one rule holds
everywhere. Errors carry a Chinese message naming what is wrong; callers name the field.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from stdnum.cn import ric


class IdentityError(ValueError):
    """A personal identifier that cannot be accepted; the message is for the user."""


# 省级行政区划代码 (GB/T 2260): the first two digits of every ID number.
_PROVINCES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    ]
)
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# 区号 010/02x (3 digits) or 0xxx (4 digits), then a 7-8 digit local number.
_LANDLINE = re.compile(r"^(0(?:10|2\d|[3-9]\d{2}))-?(\d{7,8})$")
_SEPARATORS = re.compile(r"[\s\u3000()（）+]")


def normalize_phone(value: str) -> str:
    """A mobile as 11 digits, a landline as 区号-号码; raises IdentityError otherwise."""
    raw = _SEPARATORS.sub("", value or "")
    raw = raw.replace("－", "-").replace("—", "-")
    if raw.startswith("86") and len(raw) == 13:
        raw = raw[2:]
    digits = raw.replace("-", "")
    if _MOBILE.match(digits):
        return digits
    if match := _LANDLINE.match(raw):
        return f"{match.group(1)}-{match.group(2)}"
    raise IdentityError(_("不是有效的手机号码（11位，以1开头）或固定电话（区号-号码）"))


def normalize_id_number(value: str) -> str:
    """The 18-digit form of a 居民身份证号码 (GB 11643), checked; old 15-digit numbers are upgraded.

    Upgrading (升位) a 15-digit number inserts the century and computes the check digit,
    exactly as the public security system does, so one person has one canonical number
    and duplicates are found whichever form was typed.
    """
    raw = (value or "").strip().upper().replace(" ", "").replace("x", "X")
    if len(raw) == 15:
        if not raw.isdigit():
            raise IdentityError(_("15位旧身份证号码只能由数字组成"))
        raw = raw[:6] + "19" + raw[6:]
        _check_birth_date(raw)
        if raw[:2] not in _PROVINCES:
            raise IdentityError(_("身份证号码前两位不是有效的省级行政区划代码"))
        return raw + id_check_digit(raw)
    if len(raw) != 18:
        raise IdentityError(_("身份证号码应为18位（旧号码为15位）"))
    if not raw[:17].isdigit() or not (raw[17].isdigit() or raw[17] == "X"):
        raise IdentityError(_("身份证号码前17位应为数字，最后一位为数字或X"))
    _check_birth_date(raw)
    if raw[:2] not in _PROVINCES:
        raise IdentityError(_("身份证号码前两位不是有效的省级行政区划代码"))
    # The checksum only: stdnum's validate() also rejects region codes that did not yet exist
    # in the birth year, but numbers were issued from the county of residence at issue time,
    # and retired codes stay valid (GB 11643), so that check would refuse real people.
    if raw[17] != id_check_digit(raw[:17]):
        raise IdentityError(_("身份证号码校验位不正确，请核对后重新输入"))
    return raw


def id_check_digit(body17: str) -> str:
    """The GB 11643 check digit (ISO 7064 MOD 11-2) for the first 17 digits."""
    return ric.calc_check_digit(body17 + "0")  # stdnum expects a placeholder check digit


def _check_birth_date(number17: str) -> None:
    try:
        born = date(int(number17[6:10]), int(number17[10:12]), int(number17[12:14]))
    except ValueError as exc:
        raise IdentityError(_("身份证号码中的出生日期不存在")) from exc
    if born.year < 1880 or born > datetime.now(ZoneInfo("Asia/Shanghai")).date():
        raise IdentityError(_("身份证号码中的出生日期不合理"))


def gender_from_id_number(number: str) -> str:
    """'M' or 'F' from the 17th digit (odd is male)."""
    return "M" if int(number[16]) % 2 else "F"


def mask_phone(value: str) -> str:
    """138****5678; a landline keeps its area code and last four digits."""
    if not value:
        return ""
    if "-" in value:
        area, local = value.split("-", 1)
        return f"{area}-{'*' * (len(local) - 4)}{local[-4:]}"
    if len(value) < 8:
        return "*" * len(value)
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"


def mask_id_number(value: str) -> str:
    """110101********1234: the region and the last four, never the birth date."""
    if not value:
        return ""
    if len(value) < 10:
        return "*" * len(value)
    return f"{value[:6]}{'*' * (len(value) - 10)}{value[-4:]}"


def mask_name(value: str) -> str:
    """张*, 张*丰: keeps the surname (and the last character of long names)."""
    if not value:
        return ""
    if len(value) <= 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]
