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
    """The tick, an import from a sheet, the demo's seeding, a resident without an account, a backup."""

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
BACKUP = SystemActor("backup", "备份与恢复")
MIGRATE = SystemActor("migrate", "程序升级")  # a migration's own event (the audit chain's switch to a key)
# A national calendar confirmed by one town's office moves every town's provisional deadlines:
# in the other towns the step is the calendar's, not that office's.
CALENDAR = SystemActor("calendar", "工作日历")
SYSTEM_ACTORS: dict[str, SystemActor] = {
    a.key: a for a in (TICK, IMPORT, DEMO, RESIDENT, BACKUP, MIGRATE, CALENDAR)
}

Actor: TypeAlias = "User | SystemActor"


def is_system(actor: object, *allowed: SystemActor) -> bool:
    """The actor is one of the named system actors (never a person, never a string)."""
    return isinstance(actor, SystemActor) and actor in allowed


def account_of(actor: Actor | None) -> User | None:
    """The person's account behind an actor, for a row's `actor`/`created_by` (None for the system)."""
    if actor is None or isinstance(actor, SystemActor) or not actor.is_authenticated:
        return None
    return actor


def actor_label(actor: object) -> str:
    """How the audit log names an actor: a SystemActor by its key, an account by its username."""
    if isinstance(actor, SystemActor):
        return actor.key
    if getattr(actor, "is_authenticated", False):
        return str(actor.get_username())  # type: ignore[attr-defined]
    return "系统"


def label_for_key(label: str) -> str:
    """The Chinese name for a label written by actor_label (the audit page shows it)."""
    found = SYSTEM_ACTORS.get(label)
    return str(found.label) if found else label
