"""What every part of the demo town shares: its name, what was built, moments in its time zone.

The parts of the seed (town, ledger, suggestions, evaluation, bulletins) import this module
and never each other's orchestration, so the demo's imports run one way: town.py calls the
parts, the parts build on base.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from zhenwu.org.models import Person, Unit

TOWN = "××镇"
TZ = ZoneInfo("Asia/Shanghai")


@dataclass
class DemoTown:
    """What was built, for the command's summary and for later modules' seeds."""

    party: Unit | None = None
    government: Unit | None = None
    departments: dict[str, Unit] = field(default_factory=dict)
    villages: dict[str, Unit] = field(default_factory=dict)
    branches: list[Unit] = field(default_factory=list)
    leaders: list[Person] = field(default_factory=list)
    staff: dict[str, list[Person]] = field(default_factory=dict)
    secretaries: dict[int, Person] = field(default_factory=dict)
    accounts: list[tuple[str, str, str]] = field(default_factory=list)


def at_hour(day: date, hour: int = 10) -> datetime:
    """That day at that hour in the town's time zone (the history is written with real dates)."""
    return datetime.combine(day, time(hour), tzinfo=TZ)
