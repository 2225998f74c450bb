"""Two sources no real module has:

- `hotline` (12345热线转办): raised by the tick (a nightly feed) or by the 督导组, whom no
  source of today lets raise a problem; accepted by the 督导组; closed with nothing attached;
  numbered RX2026-0001; reported monthly; services and livelihood only.
- `recheck` (复查整改): closure needs a re-inspection, which this module records itself.
"""

from __future__ import annotations

from typing import Any

from zhenwu.core.actors import TICK, SystemActor
from zhenwu.ledger.constants import Category, DeadlineBasis
from zhenwu.ledger.policies import ClosureNeeds, SourcePolicy, raised_by, register_source
from zhenwu.lib.cadence import Cadence
from zhenwu.org.constants import AccountRole

HOTLINE = "hotline"
RECHECK = "recheck"
# Problems whose re-inspection passed: the module's own record (a real module keeps a table).
passed_reinspection: set[int] = set()


def _inspector(actor: Any, problem: Any) -> bool:
    return not isinstance(actor, SystemActor) and getattr(actor, "role", None) == AccountRole.INSPECTOR


def register() -> None:
    register_source(
        SourcePolicy(
            key=HOTLINE,
            label="12345热线转办",
            may_raise=raised_by(AccountRole.INSPECTOR, system=(TICK,), office=False),
            may_accept=_inspector,
            closure_needs=ClosureNeeds.NOTHING,
            number_prefix="RX",
            deadline_basis=DeadlineBasis.CALENDAR_DAYS,
            cadence=Cadence.MONTHLY,
            categories=frozenset({Category.SERVICE, Category.LIVELIHOOD}),
        )
    )
    register_source(
        SourcePolicy(
            key=RECHECK,
            label="复查整改",
            closure_needs=ClosureNeeds.REINSPECTION,
            closure_ready=lambda problem: problem.pk in passed_reinspection,
        )
    )
