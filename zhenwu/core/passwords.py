"""Password rules of the 等保 level-2 baseline that Django does not ship."""

from __future__ import annotations

import string
from typing import Any

from django.utils.translation import gettext as _


class CharacterClassValidator:
    """At least N of: lower-case letters, upper-case letters, digits, symbols."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        from django.core.exceptions import ValidationError

        classes = [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(c in string.punctuation or not c.isalnum() for c in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少%(n)s类") % {"n": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _("密码须包含大写字母、小写字母、数字、符号中的至少%(n)s类。") % {"n": self.min_classes}


# Shorter names are refused only as the whole password: "li" inside a password says nothing.
_MIN_CONTAINED = 3


def _pinyin(text: str) -> str:
    """The full pinyin of the Chinese characters in `text` ('' when it has none)."""
    if not any("\u4e00" <= c <= "\u9fff" for c in text):
        return ""
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(text, errors="ignore")).lower()


def _names(user: Any) -> list[str]:
    """The username, and the pinyin of the username and of the account holder's name."""
    username = (getattr(user, "username", "") or "").strip().lower()
    person = getattr(user, "person", None) if getattr(user, "person_id", None) else None
    holders = (getattr(person, "name", ""), getattr(user, "first_name", ""), getattr(user, "last_name", ""))
    found = [username, _pinyin(username), *(_pinyin(name or "") for name in holders)]
    return [n for n in dict.fromkeys(found) if n]


class NotUsernameValidator:
    """The password may not contain the username (in any case, forwards or backwards), nor the
    pinyin of the username or of the holder's name: '张伟' would try 'zhangwei2024!' early."""

    def validate(self, password: str, user: Any = None) -> None:
        from django.core.exceptions import ValidationError

        lowered = password.lower()
        for name in _names(user):
            same = lowered in (name, name[::-1])
            if same or (len(name) >= _MIN_CONTAINED and (name in lowered or name[::-1] in lowered)):
                raise ValidationError(_("密码不能包含用户名或姓名的拼音"), code="password_has_username")

    def get_help_text(self) -> str:
        return _("密码不能包含用户名或姓名的拼音。")


# Passwords that were published (printed by `make run`, in the README): registered by the
# app that publishes one (the demo), so the core need not know it.
PUBLISHED_PASSWORDS: set[str] = set()


def register_published_password(password: str) -> None:
    PUBLISHED_PASSWORDS.add(password)


class PublishedPasswordValidator:
    """Not a published initial password, nor one built on it ('Zhenwu@2009!'): the first
    thing anyone who read the README would try."""

    def validate(self, password: str, user: Any = None) -> None:
        from django.conf import settings
        from django.core.exceptions import ValidationError

        lowered = password.lower()
        published = PUBLISHED_PASSWORDS | set(settings.ZHENWU_PUBLISHED_PASSWORDS)
        if any(known.lower() in lowered for known in published if known):
            raise ValidationError(_("不能使用公开过的初始密码（如演示密码）"), code="password_published")

    def get_help_text(self) -> str:
        return _("不能使用公开过的初始密码。")


class MinimumLengthValidator:
    """Django's rule with a Chinese message (Django 5.2's zh-hans catalogue lacks the new wording)."""

    def __init__(self, min_length: int = 8) -> None:
        self.min_length = min_length

    def validate(self, password: str, user: Any = None) -> None:
        from django.core.exceptions import ValidationError

        if len(password) < self.min_length:
            raise ValidationError(
                _("密码太短，至少需要%(n)s个字符") % {"n": self.min_length}, code="password_too_short"
            )

    def get_help_text(self) -> str:
        return _("密码至少%(n)s个字符。") % {"n": self.min_length}
