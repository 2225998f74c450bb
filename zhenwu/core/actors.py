"""Who acts: a person's account (`User`) or the system on someone's behalf (`SystemActor`).

Services take `actor: Actor`. A bare string used to pass the office's permission checks
(`is_office(actor) or isinstance(actor, str)`); a SystemActor has no role, so it passes no
role check, and a service that allows the system names which system actors it accepts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, TypeAlias

if TYPE_CHECKING:
    from zhenwu.org.models import User


@dataclass(frozen=True)
class SystemActor:
    """The tick, an import from a sheet, the demo's seeding, a resident without an account."""

    key: str
    label: str
    # Duck-typed like AnonymousUser, so `getattr(actor, "role")` and login checks say no.
    is_authenticated: ClassVar[bool] = False
    role: ClassVar[None] = None
    person_id: ClassVar[None] = None

    def __str__(self) -> str:
        return self.key


TICK = SystemActor("tick", "定时任务")
IMPORT = SystemActor("import", "台账导入")
DEMO = SystemActor("demo", "演示数据")
RESIDENT = SystemActor("resident", "群众")

Actor: TypeAlias = "User | SystemActor"


def is_system(actor: object, *allowed: SystemActor) -> bool:
    """The actor is one of the named system actors (never a person, never a string)."""
    return isinstance(actor, SystemActor) and actor in allowed
