"""Template helpers for ballots: look up a mark by its row key."""

from typing import Any

from django import template

register = template.Library()


@register.filter
def get(mapping: Any, key: str) -> Any:
    if not mapping:
        return None
    return mapping.get(key)
