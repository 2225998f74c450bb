"""The authentication backend named in every session (the admin login goes through our page too).

It once refused accounts locked by failed logins, which also ended the office's open sessions
whenever someone elsewhere typed its username wrongly five times. Failures now slow down only
the (username, address) that failed (org/logins.py) and never touch a signed-in session; the
class keeps its name because stored sessions name it.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend


class LockoutModelBackend(ModelBackend):
    """Django's model backend: an inactive account's sessions stop working at once."""
