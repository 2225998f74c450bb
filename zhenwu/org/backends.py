"""The authentication backend named in every session (the admin login goes through our page too).

It once refused accounts locked by failed logins, which also ended the office's open sessions
whenever someone elsewhere typed its username wrongly five times. Failures now slow down only
the (username, address) that failed (org/logins.py) and never touch a signed-in session; the
class keeps its name because stored sessions name it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Exists, OuterRef

from zhenwu.org.models import AccountGrant, User


class LockoutModelBackend(ModelBackend):
    """Django's model backend: an inactive account's sessions stop working at once.

    The account is loaded with whether it has grants in other towns (`has_grants`), in the
    same query, so org.middleware asks for them only when there are some."""

    def get_user(self, user_id: Any) -> User | None:
        grants = AccountGrant.objects.filter(user_id=OuterRef("pk"))
        try:
            user = User._default_manager.annotate(has_grants=Exists(grants)).get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
