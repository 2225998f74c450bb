"""What an audit event changed, in words: 字段：旧值 → 新值, with the fields' Chinese names.

The log stores plain JSON (keys are field names, values ids, codes, ISO times) because that
is what the hash chain covers and what a machine checks; people read this rendering of it.
Labels come from the audited model's own fields (verbose names, choices), so a module adds
nothing to be readable here; keys that are no field (counts, a step's time) take an app's
registered name (register_key), else stay as stored. Ids of related rows are resolved to names with one
query per related model for a whole page, and times are shown in the town's time zone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhenwu.core.timefmt import shown

EMPTY = "—"


@dataclass(frozen=True)
class Key:
    label: Any
    choices: type[models.Choices] | None = None


# Keys apps write that are no model field, for any object; an app names its own with
# register_key() (a key of one object type wins over a model field of the same name).
KEYS: dict[tuple[str, str], Key] = {
    ("", "at"): Key(gettext_lazy("时间")),
    ("", "count"): Key(gettext_lazy("条数")),
    ("", "change"): Key(gettext_lazy("变更")),
    ("", "reason"): Key(gettext_lazy("原因")),
    ("", "from"): Key(gettext_lazy("原值")),
    ("", "to"): Key(gettext_lazy("新值")),
}


def register_key(object_type: str, key: str, label: Any, choices: type[models.Choices] | None = None) -> None:
    KEYS[(object_type, key)] = Key(label, choices)


def _key(object_type: str, key: str) -> Key | None:
    return KEYS.get((object_type, key)) or KEYS.get(("", key))


@dataclass(frozen=True)
class Change:
    label: str
    before: str | None  # None: the key was not in `before` (a value set, not changed)
    after: str | None


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, key: str) -> models.Field | None:
    if model is None:
        return None
    for name in (key, key.removesuffix("_id")):
        try:
            field = model._meta.get_field(name)
        except Exception:  # noqa: BLE001 - FieldDoesNotExist, or a reverse relation
            continue
        if isinstance(field, models.Field):
            return field
    return None


def _time(text: str) -> str | None:
    """An ISO time as the town reads it; None when the text is not one."""
    if len(text) < 16 or text[4:5] != "-" or "T" not in text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return shown(moment)


class _Names:
    """Names of related rows for a page of events, fetched once per related model."""

    def __init__(self) -> None:
        self.wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
        self.found: dict[tuple[type[models.Model], Any], str] = {}

    def want(self, field: models.Field, value: Any) -> None:
        if field.is_relation and field.related_model is not None:
            key = field.related_model._meta.pk  # type: ignore[union-attr]
            for pk in value if isinstance(value, list) else [value]:
                if isinstance(pk, int | str) and pk != "":
                    try:  # an event may name the object by its number ("problem": "2026-0004")
                        key.to_python(pk)
                    except ValidationError:
                        continue
                    self.wanted[field.related_model].add(pk)  # type: ignore[index]

    def fetch(self) -> None:
        for model, pks in self.wanted.items():
            for row in model._default_manager.filter(pk__in=pks):
                self.found[(model, row.pk)] = str(row)

    def name(self, field: models.Field, pk: Any) -> str:
        return self.found.get((field.related_model, pk), f"#{pk}")  # type: ignore[arg-type]


def _value(value: Any, field: models.Field | None, names: _Names, key: Key | None = None) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list):
        return "、".join(_value(v, field, names, key) for v in value)
    if isinstance(value, dict):
        return "；".join(
            f"{_label(None, '', k)}：{_value(v, None, names, _key('', k))}" for k, v in value.items()
        )
    if key is not None and key.choices is not None:
        return str(dict(key.choices.choices).get(value, value))
    if field is not None and field.is_relation:
        return names.name(field, value)
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, str):
        return _time(value) or value
    if isinstance(value, datetime | date):  # not JSON, but a caller's dict before storing
        return _time(value.isoformat()) or value.isoformat()
    return str(value)


def _label(model: type[models.Model] | None, object_type: str, key: str) -> str:
    named = KEYS.get((object_type, key))
    field = _field(model, key)
    if named is None and field is not None:
        return str(field.verbose_name)
    named = named or KEYS.get(("", key))
    return str(named.label) if named is not None else key


def describe(events: Iterable[Any]) -> dict[int, list[Change]]:
    """{event seq: its changes} for a page of events, in the order the keys were written."""
    events = list(events)
    names = _Names()
    plan = []
    for event in events:
        model = _model(event.object_type)
        before = event.before if isinstance(event.before, dict) else {}
        after = event.after if isinstance(event.after, dict) else {}
        keys = list(dict.fromkeys([*before, *after]))
        for key in keys:
            field = _field(model, key)
            if field is not None:
                for side in (before, after):
                    if key in side:
                        names.want(field, side[key])
        plan.append((event, model, before, after, keys))
    names.fetch()
    out: dict[int, list[Change]] = {}
    for event, model, before, after, keys in plan:
        rows = []
        for key in keys:
            if key in before and key in after and before[key] == after[key]:
                continue  # the same before and after: not a change
            field = _field(model, key)
            named = KEYS.get((event.object_type, key))
            if named is not None:
                field = None  # the app says what this key means for this object
            named = named or KEYS.get(("", key))
            rows.append(
                Change(
                    label=_label(model, event.object_type, key),
                    before=_value(before[key], field, names, named) if key in before else None,
                    after=_value(after[key], field, names, named) if key in after else None,
                )
            )
        out[event.seq] = rows
    return out
