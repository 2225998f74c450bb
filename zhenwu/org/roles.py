"""Role rules every module asks: is this account the office, may it read the whole town.

Written once here, so 测评, 通报, 献言献策 and the ledger never keep their own copy of who
counts as the office or as a town-wide reader. Each asks the role of the account's active
grant (org.scope.scope_of): in a second town, the grant's role there, not the home one.
"""

from __future__ import annotations

from typing import Any

from zhenwu.org.constants import OFFICE_ROLES, TOWN_WIDE_ROLES, AccountRole
from zhenwu.org.scope import scope_of

# Who reads every module's town-wide pages (the inbox, surveys, bulletins, the 驾驶舱):
# the town-wide roles and the 督导组, who inspect but do not decide.
TOWN_READERS = (*TOWN_WIDE_ROLES, AccountRole.INSPECTOR)


def role_of(user: Any) -> str:
    """The role the account works as now ('' for anyone not signed in)."""
    return scope_of(user).role if getattr(user, "is_authenticated", False) else ""


def has_role(user: Any, *roles: str) -> bool:
    return role_of(user) in roles


def role_label(user: Any) -> str:
    role = role_of(user)
    return str(AccountRole(role).label) if role in AccountRole.values else ""


def is_office(user: Any) -> bool:
    """党政办 or the administrator: registers, assigns, accepts, decides."""
    return role_of(user) in OFFICE_ROLES


def is_town_reader(user: Any) -> bool:
    return role_of(user) in TOWN_READERS


def is_town_wide(user: Any) -> bool:
    """Sees the whole town's registry and ledger (the office, the leaders, the administrator)."""
    return role_of(user) in TOWN_WIDE_ROLES


def is_admin(user: Any) -> bool:
    """The system administrator: the admin role, or a superuser made with createsuperuser."""
    return bool(getattr(user, "is_authenticated", False)) and (
        role_of(user) == AccountRole.ADMIN or bool(getattr(user, "is_superuser", False))
    )
