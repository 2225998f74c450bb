"""The names of audited actions, contributed by the apps (the core knows only its own).

Each app declares its actions as a TextChoices in its own constants.py and registers the
class from its AppConfig.ready(); the audit page's filter and each event's label read this
registry. The stored strings are the contract (old rows and the hash chain keep them), so
an action string is never renamed, and two apps may not claim the same one.
"""

from __future__ import annotations

from django.db import models

ACTIONS: dict[str, models.TextChoices] = {}


def register_actions(choices: type[models.TextChoices]) -> type[models.TextChoices]:
    for action in choices:
        known = ACTIONS.get(action.value)
        if known is not None and type(known) is not choices:
            raise ValueError(f"audit action {action.value!r} is already registered by {type(known).__name__}")
        ACTIONS[action.value] = action
    return choices


def action_label(action: str) -> str:
    """The action's translated name; the stored string itself for one no app registers."""
    known = ACTIONS.get(action)
    return str(known.label) if known is not None else action


def action_choices() -> list[tuple[str, str]]:
    """(value, label) of every registered action, in the order the apps registered them."""
    return [(value, action.label) for value, action in ACTIONS.items()]
