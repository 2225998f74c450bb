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


class NotUsernameValidator:
    """The password may not be the username, forwards, backwards or in other case."""

    def validate(self, password: str, user: Any = None) -> None:
        from django.core.exceptions import ValidationError

        username = (getattr(user, "username", "") or "").lower()
        if username and password.lower() in (username, username[::-1]):
            raise ValidationError(_("密码不能与用户名相同"), code="password_is_username")

    def get_help_text(self) -> str:
        return _("密码不能与用户名相同。")


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
