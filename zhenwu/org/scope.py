"""Which town an actor works in, and the one refusal for a reference into another town.

ADR 0008 §3. An account works in its own town (`User.town`, its *home grant*: with `User.role`
and `User.unit`), or in another town through an `AccountGrant` chosen in the header (kept in
the session) or carried by its API token; the administrator, the county's role, works in every
town. The active grant hangs on the request's user object (`activate_grant`, set by
org.middleware and org.logins.token_user); `scope_of` is the one place that reads it, so every
question "what role, unit and town is this account" (org.roles, the selectors, the services)
gets the active grant's answer. Outside a request (tests, the shell) it is the home grant. A system actor (seeding, tick, the command line) works in the
installation's town while there is exactly one; with several, the caller must name the town.
Every service that is handed a unit or a person checks it with `refuse_other_town`: the
message names the field, never the other town's object, and the attempt is noted for the
refusal audit (core.refusal_audit) as every refused write is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from zhenwu.core.actors import Actor, account_of
from zhenwu.core.context import request_refusals
from zhenwu.org.constants import AccountRole
from zhenwu.org.models import AccountGrant, Person, PersonRole, Town, Unit

# Not a column: the grant a request works under, set on the request's user object.
_ACTIVE = "_zhenwu_active_grant"
# Where a signed-in account's chosen town is kept (a town id; absent: the home town).
TOWN_SESSION_KEY = "zhenwu.town"


@dataclass(frozen=True)
class Scope:
    town_id: int | None  # the account's town; None for the county's roles (and a town's
    county: bool  # account made before its town existed, which then sees no town at all)
    role: str
    unit_id: int | None = None  # the unit a unit-scoped role is bounded by
    grant_id: int | None = None  # the AccountGrant worked under; None: the home grant


def in_town_q(scope: Scope) -> Q:
    """The rows a scope reaches by their own `town` column: every town's for the county (never
    the county's own rows), the account's town's, or none for an account without a town."""
    if scope.county:
        return Q(town__isnull=False)
    return Q(town_id=scope.town_id) if scope.town_id is not None else Q(pk__in=[])


def activate_grant(user: Any, grant: AccountGrant | None) -> None:
    """Work under `grant` (one of the account's, with its town and unit loaded) for the rest of
    this request; None is the home grant."""
    if grant is not None and grant.user_id != user.pk:
        raise ValueError("a grant of another account")
    setattr(user, _ACTIVE, grant)


def active_grant(user: Any) -> AccountGrant | None:
    return getattr(user, _ACTIVE, None)


def scope_of(user: Any) -> Scope:
    grant = active_grant(user)
    if grant is not None:
        return Scope(grant.town_id, False, grant.role, grant.unit_id, grant.pk)
    role = getattr(user, "role", "")
    county = role == AccountRole.ADMIN or bool(getattr(user, "is_superuser", False))
    town_id = None if county else getattr(user, "town_id", None)
    return Scope(town_id, county, role, getattr(user, "unit_id", None))


def scope_unit(user: Any) -> Unit | None:
    """The unit the active grant is bounded by (loaded with the grant, or the account's own)."""
    grant = active_grant(user)
    if grant is not None:
        return grant.unit
    return getattr(user, "unit", None) if getattr(user, "unit_id", None) else None


def only_town_id() -> int | None:
    """The installation's town while it has exactly one (a county with one town)."""
    towns = list(Town.objects.values_list("id", flat=True)[:2])
    return towns[0] if len(towns) == 1 else None


def actor_town_id(actor: Actor | None) -> int | None:
    """The town an actor registers things in when the thing itself does not say (a person
    without a unit): the account's own town; for the county's roles and system actors, the
    installation's town while there is one."""
    account = account_of(actor)
    if account is not None and not (scope := scope_of(account)).county:
        return scope.town_id
    return only_town_id()


def refuse_other_town(town_id: int | None, field: str, label: str, obj: Any) -> None:
    """Refuse `obj` (a unit, a person) given for `field` when it is not of the row's town."""
    if obj is None or town_id is None or getattr(obj, "town_id", None) == town_id:
        return
    message = _("%(label)s：所选对象不属于本镇") % {"label": label}
    if (noted := request_refusals.get()) is not None:
        noted.append(message)
    raise ValidationError({field: message})


def refuse_outside_actors_town(actor: Actor, field: str, label: str, obj: Any) -> None:
    """A town's account refers only to its own town's units and people (the administrator and
    system actors to any town's)."""
    account = account_of(actor)
    if account is not None and not (scope := scope_of(account)).county:
        refuse_other_town(scope.town_id, field, label, obj)


def people_of_town_q(town_id: int) -> Q:
    """The people a town works with: its registry, and anyone holding a role in it (a cadre
    registered in another town). refuse_people_outside_town asks the same of people in hand."""
    return Q(town_id=town_id) | Q(pk__in=PersonRole.objects.filter(town_id=town_id).values("person_id"))


def refuse_people_outside_town(
    town_id: int | None, field: str, label: str, people: Iterable[Person | None]
) -> None:
    """Refuse a person for `field` unless registered in the town or holding a role there (a
    cadre moved from another town is named there by the role, ADR 0008 §3). One query, and
    only when someone is registered elsewhere."""
    if town_id is None:
        return
    elsewhere = [p for p in people if p is not None and p.town_id != town_id]
    if not elsewhere:
        return
    held = set(
        PersonRole.objects.filter(town_id=town_id, person__in=elsewhere).values_list("person_id", flat=True)
    )
    for person in elsewhere:
        if person.pk not in held:
            refuse_other_town(town_id, field, label, person)
