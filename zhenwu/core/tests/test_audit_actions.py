"""The audit action registry: apps add their TextChoices, labels and the filter read it."""

from __future__ import annotations

import pytest
from django.db import models

from zhenwu.core import audit_actions
from zhenwu.core.audit_actions import action_choices, action_label, register_actions


class Throwaway(models.TextChoices):
    POKED = "throwaway.poked", "戳了一下"


class Impostor(models.TextChoices):
    SEEDED = "calendar.holiday_set", "冒名"


@pytest.fixture
def throwaway():
    register_actions(Throwaway)
    yield Throwaway
    del audit_actions.ACTIONS[Throwaway.POKED.value]


def test_a_registered_action_has_its_label_and_a_place_in_the_filter(throwaway):
    assert action_label("throwaway.poked") == "戳了一下"
    assert ("throwaway.poked", "戳了一下") in action_choices()


def test_registering_the_same_class_twice_is_harmless(throwaway):
    register_actions(Throwaway)
    assert [value for value, _label in action_choices()].count("throwaway.poked") == 1


def test_an_action_string_claimed_by_a_second_app_is_refused():
    with pytest.raises(ValueError, match="calendar.holiday_set"):
        register_actions(Impostor)
    assert action_label("calendar.holiday_set") == "设置节假日"


def test_an_action_nobody_registered_is_shown_as_stored():
    assert action_label("gone.module_action") == "gone.module_action"
