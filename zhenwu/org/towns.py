"""How every model reaches its town: one declaration per model (ADR 0008 §2).

Each app declares its own models from its `AppConfig.ready()` (org declares core's and
Django's, which may not import org), so `org/` imports no module. A model is one of:

- **in a town**, by a path of lookups ending at `org.Town`: `"town"` for its own column,
  `"problem__town"` through a parent. The same declaration serves the scoping helpers, the
  audit log's town, the upgrade test ("every row in its town") and the cross-town matrix.
- **county-wide**: one set of rows for all towns (the work calendar, tick runs…), with why.
- **not yet scoped**: a model whose town arrives in a later step of the county plan
  (docs/county-plan.md §4), with that step. The list shrinks step by step and is empty at
  the end; a new module's model may never be declared so (its first migration carries the
  town, issue 15).

`test_every_model_declares_its_town` fails on a model that is not declared, on a path that
does not end at `Town`, and on a not-yet model that a step has since given a town.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model

Kind = Literal["town", "county", "pending"]


@dataclass(frozen=True)
class Declared:
    label: str  # "ledger.Problem"
    kind: Kind
    path: str | None  # lookups to org.Town: today's ("town"), or a pending model's to come
    why: str  # county-wide: why one for all; pending: the plan's step


_DECLARED: dict[str, Declared] = {}


def _declare(entry: Declared) -> None:
    known = _DECLARED.get(entry.label)
    if known is not None and known != entry:
        raise ValueError(f"{entry.label} is declared twice, differently")
    _DECLARED[entry.label] = entry


def in_town(label: str, path: str = "town") -> None:
    """`label`'s rows belong to the town its `path` leads to."""
    _declare(Declared(label, "town", path, ""))


def county_wide(label: str, why: str) -> None:
    _declare(Declared(label, "county", None, why))


def not_yet(label: str, path: str, step: str) -> None:
    """A model of today that gets its town in `step` of the county plan, by `path` then (the
    test fails once that path works: the step must declare the model `in_town`)."""
    _declare(Declared(label, "pending", path, step))


def declared() -> dict[str, Declared]:
    return dict(_DECLARED)


def town_path(model: type[Model]) -> str | None:
    """The lookup from `model` to its `Town`; None for a county-wide model.

    A model declared as not yet scoped has no path yet: asking for one is a bug in the caller
    (it would treat the model's rows as everyone's), so it raises."""
    entry = _DECLARED[model._meta.label]
    if entry.kind != "town":
        if entry.kind == "county":
            return None
        raise LookupError(f"{entry.label} has no town yet ({entry.why})")
    return entry.path


def resolve(path: str, model: type[Model]) -> type[Model]:
    """The model `path` ends at, following `model`'s relations (for the declaration test)."""
    for name in path.split("__"):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist as exc:
            raise LookupError(f"{model._meta.label} has no field {name}") from exc
        related = field.related_model
        if related is None or related == "self":
            raise LookupError(f"{model._meta.label}.{name} is not a relation")
        model = related  # type: ignore[assignment]
    return model


def town_of(obj: Model) -> int | None:
    """The id of the town `obj` belongs to, by its declared path (the audit log's town).

    A row's own column costs nothing; a path through a parent reads the parent (cached when the
    service already holds it). None for county-wide and not-yet-scoped models."""
    if obj._meta.label == "org.Town":
        return obj.pk
    entry = _DECLARED.get(obj._meta.label)
    if entry is None or entry.kind != "town" or not entry.path:
        return None
    *parents, last = entry.path.split("__")
    target: object = obj
    for name in parents:
        target = getattr(target, name, None)
        if target is None:
            return None
    return getattr(target, f"{last}_id", None)
