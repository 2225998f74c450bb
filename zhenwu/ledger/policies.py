"""Source policies: what each kind of problem (its `source`) allows and needs.

Every ledger problem has a `source`, and the module that owns the source declares its
policy here from its `AppConfig.ready()` with `register_source()`: who may raise such a
problem, who accepts its closure, what closure needs, whether residents are asked after
closure (the 回访 step), its numbering prefix, default deadline basis and report cadence,
its categories and its label (also its label in the 通报). `problem_create` and the closure
services ask the policy, so a new module plugs in a source without editing `core/` or
`ledger/`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhenwu.core.actors import DEMO, IMPORT, Actor, SystemActor, is_system
from zhenwu.ledger.constants import Category, DeadlineBasis, Source
from zhenwu.lib.cadence import Cadence
from zhenwu.org.roles import has_role, is_office

if TYPE_CHECKING:
    from zhenwu.ledger.models import Problem


class ClosureNeeds(models.TextChoices):
    EVIDENCE = "evidence", _("佐证材料")
    REINSPECTION = "reinspection", _("复查合格")
    NEW_RATING = "new_rating", _("申请人重新评价")
    NOTHING = "nothing", _("无须材料")


def raised_by(
    *roles: str, system: Iterable[SystemActor] = (IMPORT, DEMO), office: bool = True
) -> Callable[[Actor], bool]:
    """A may-raise predicate: the office (unless office=False), accounts with one of `roles`,
    and the named system actors (by default the importer and the demo, which record the past)."""
    allowed_system = tuple(system)

    def may_raise(actor: Actor) -> bool:
        if isinstance(actor, SystemActor):
            return is_system(actor, *allowed_system)
        if not getattr(actor, "is_authenticated", False):
            return False
        return (office and is_office(actor)) or has_role(actor, *roles)

    return may_raise


def office_or_acceptor(actor: Actor, problem: Problem) -> bool:
    """The office, or the 验收人 named on the problem, accepts or returns its closure."""
    if isinstance(actor, SystemActor) or not getattr(actor, "is_authenticated", False):
        return False
    person = getattr(actor, "person_id", None)
    return is_office(actor) or (person is not None and person == problem.acceptor_id)


@dataclass(frozen=True)
class SourcePolicy:
    key: str
    label: str | Promise
    may_raise: Callable[[Actor], bool] = field(default_factory=raised_by)
    may_accept: Callable[[Actor, Problem], bool] = office_or_acceptor
    closure_needs: ClosureNeeds = ClosureNeeds.EVIDENCE
    # For REINSPECTION / NEW_RATING: the owning module says whether the problem has it
    # (a passed re-inspection, the applicant's new rating); without one the closure is refused.
    closure_ready: Callable[[Problem], bool] | None = None
    asks_residents: bool = False
    number_prefix: str = ""  # "" keeps today's 2026-0001; "DC" gives DC2026-0001
    deadline_basis: DeadlineBasis = DeadlineBasis.DATE
    cadence: Cadence = Cadence.HALF_MONTHLY
    categories: frozenset[str] | None = None  # None: every Category

    def allowed_categories(self) -> list[str]:
        return (
            list(Category.values)
            if self.categories is None
            else [c for c in Category.values if c in self.categories]
        )


_REGISTRY: dict[str, SourcePolicy] = {}


def register_source(policy: SourcePolicy) -> SourcePolicy:
    """Declare a source (from an AppConfig.ready()); the same key twice must be the same policy."""
    existing = _REGISTRY.get(policy.key)
    if existing is not None and existing != policy:
        raise ValueError(f"问题来源“{policy.key}”已由另一个模块登记")
    if policy.categories is not None and not policy.categories <= set(Category.values):
        raise ValueError(f"问题来源“{policy.key}”的类别不在问题类别中：{sorted(policy.categories)}")
    _REGISTRY[policy.key] = policy
    return policy


def unregister_source(key: str) -> None:
    """For tests that register a throw-away source."""
    _REGISTRY.pop(key, None)


def registered_sources() -> list[SourcePolicy]:
    return list(_REGISTRY.values())


def source_choices() -> list[tuple[str, str]]:
    """Registered sources for forms: today's in their familiar order, later ones as registered."""
    order = {value: i for i, value in enumerate(Source.values)}
    policies = sorted(_REGISTRY.values(), key=lambda p: order.get(p.key, len(order)))
    return [(p.key, str(p.label)) for p in policies]


@dataclass(frozen=True)
class SheetLabels:
    """Sources and categories by the label a town's own sheets write for them."""

    sources: dict[str, str]  # label → source key, in source_choices() order
    categories: dict[str, str]  # label → Category value, in Category order


def sheet_labels() -> SheetLabels:
    """The labels in the town's language (settings.LANGUAGE_CODE), not the clerk's: a sheet
    says 班子评议 whatever language the page is shown in. Built at call time, so a source
    registered later, or a language switched since, is never stale."""
    with translation.override(settings.LANGUAGE_CODE):
        return SheetLabels(
            sources={label: key for key, label in source_choices()},
            categories={str(label): str(value) for value, label in Category.choices},
        )


def source_label(key: str) -> str:
    policy = _REGISTRY.get(key)
    return str(policy.label) if policy else key


def policy_for(key: str) -> SourcePolicy:
    """The policy of a source; a ValidationError naming 问题来源 for one nobody registered."""
    policy = _REGISTRY.get(key)
    if policy is None:
        raise ValidationError(
            {"source": gettext("问题来源：“%(source)s”不是已登记的问题来源") % {"source": key}}
        )
    return policy


def validate_source(value: str) -> None:
    """The model field's validator: the column accepts any registered source."""
    if value not in _REGISTRY:
        raise ValidationError(gettext("“%(source)s”不是已登记的问题来源") % {"source": value})
