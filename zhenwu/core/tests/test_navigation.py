"""The navigation registry: apps add entries, the bar shows those the account may see, in order."""

from __future__ import annotations

import pytest

from zhenwu.core import navigation
from zhenwu.core.navigation import NavEntry
from zhenwu.org.constants import AccountRole
from zhenwu.org.models import User


@pytest.fixture
def throwaway():
    entry = NavEntry("throwaway", "临时", "home", 15, lambda user: user.role == AccountRole.INSPECTOR)
    navigation.register(entry)
    yield entry
    del navigation.ENTRIES[entry.key]


def test_a_registered_entry_shows_in_its_place_to_whom_its_predicate_allows(throwaway):
    keys = [key for key, _label, _url in navigation.entries_for(User(role=AccountRole.INSPECTOR))]
    assert keys.index("throwaway") == keys.index("home") + 1
    assert "throwaway" not in [key for key, _l, _u in navigation.entries_for(User(role=AccountRole.BRANCH))]


def test_a_key_claimed_twice_is_refused(throwaway):
    with pytest.raises(ValueError, match="throwaway"):
        navigation.register(NavEntry("throwaway", "另一个", "home", 99))
