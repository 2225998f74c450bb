"""Reads of the registry, always scoped to what the asking account may see.

One access helper per model (get_unit_for_user, get_person_for_user): a record outside
the account's scope is a 404, the same as a record that does not exist, so scope leaks
nothing about what exists elsewhere.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, Prefetch, Q, QuerySet, Subquery, Value, When
from django.http import Http404

from zhenwu.org.constants import (
    OFFICE_ROLES,
    PARTY_KINDS,
    PARTY_ORGANISATION_KINDS,
    TOWN_WIDE_ROLES,
    UNIT_SCOPED_ROLES,
    UNMASK_ROLES,
    AccountRole,
    RoleKind,
    UnitKind,
)
from zhenwu.org.models import AccountGrant, ApiToken, Person, PersonRole, Town, Unit, User
from zhenwu.org.roles import has_role, role_of
from zhenwu.org.scope import Scope, in_town_q, people_of_town_q, scope_of, scope_unit


def can_unmask(user: Any) -> bool:
    return has_role(user, *UNMASK_ROLES)


def can_edit_registry(user: Any) -> bool:
    return has_role(user, *OFFICE_ROLES)


def accounts_manageable_by(user: Any) -> QuerySet[User]:
    """Accounts whose logins this account may unlock and whose passwords it may reset: every
    account for the administrator; for the office, every account but the administrators'
    (resetting one would hand the office the administrator's rights) in its own town."""
    if not has_role(user, *OFFICE_ROLES):
        return User.objects.none()
    accounts = User.objects.all()
    if role_of(user) != AccountRole.ADMIN:
        accounts = accounts.exclude(role=AccountRole.ADMIN).filter(in_town_q(scope_of(user)))
    return accounts


def can_manage_account(user: Any, account: User) -> bool:
    return accounts_manageable_by(user).filter(pk=account.pk).exists()


def get_account_for_user(user: User, pk: int) -> User:
    try:
        return accounts_manageable_by(user).select_related("person", "unit").get(pk=pk)
    except User.DoesNotExist as exc:
        raise Http404("没有找到该账号") from exc


def tokens_of(user: User) -> QuerySet[ApiToken]:
    """The account's own API tokens, newest first (nobody lists another's)."""
    return ApiToken.objects.filter(user_id=user.pk).order_by("revoked", "-created_at", "-id")


def grants_of(user: Any) -> list[AccountGrant]:
    """The account's grants in other towns, each with its town and unit (one query)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "pk", None):
        return []
    return list(AccountGrant.objects.filter(user_id=user.pk).select_related("town", "unit").order_by("town"))


def towns_of(user: Any, grants: list[AccountGrant] | None = None) -> list[Town]:
    """The towns an account may work in: its own first, then its grants' (the header's
    switcher offers them when there are two or more)."""
    grants = grants_of(user) if grants is None else grants
    towns = [g.town for g in grants]
    home = getattr(user, "town_id", None)
    if home is not None and home not in {t.pk for t in towns}:
        towns.insert(0, Town.objects.get(pk=home))
    return towns


def get_token_for_user(user: User, pk: int) -> ApiToken:
    try:
        return tokens_of(user).get(pk=pk)
    except ApiToken.DoesNotExist as exc:
        raise Http404("没有找到该接口令牌") from exc


def _scope_path(user: User) -> str | None:
    """The subtree prefix a unit-scoped account is confined to; None when it sees the town."""
    role = role_of(user)
    if role in TOWN_WIDE_ROLES or role == AccountRole.INSPECTOR:
        return None
    if role in UNIT_SCOPED_ROLES and (unit := scope_unit(user)) is not None:
        return unit.path
    return "/nothing/"


def units_visible_to(user: User) -> QuerySet[Unit]:
    # A town's accounts see their town's node and everything below it (ADR 0008 §3).
    units = Unit.objects.filter(in_town_q(scope_of(user)))
    path = _scope_path(user)
    if path is not None:
        units = units.filter(path__startswith=path)
    return units


def people_visible_to(user: User) -> QuerySet[Person]:
    # The town's registry, and anyone holding a role in the town (registered in another).
    scope = scope_of(user)
    town = scope.town_id
    people = Person.objects.filter(
        in_town_q(scope) if scope.county or town is None else people_of_town_q(town)
    )
    if role_of(user) == AccountRole.INSPECTOR:
        # The supervision group inspects party organisations: it sees their members.
        return people.filter(
            Q(unit__kind__in=PARTY_KINDS)
            | Q(id__in=PersonRole.objects.filter(unit__kind__in=PARTY_KINDS).values("person_id"))
        )
    path = _scope_path(user)
    if path is not None:
        people = people.filter(
            Q(unit__path__startswith=path)
            | Q(id__in=PersonRole.objects.filter(unit__path__startswith=path).values("person_id"))
        )
    return people


def get_unit_for_user(user: User, pk: int) -> Unit:
    try:
        return units_visible_to(user).select_related("parent").get(pk=pk)
    except Unit.DoesNotExist as exc:
        raise Http404("没有找到该单位") from exc


def get_person_for_user(user: User, pk: int) -> Person:
    roles = Prefetch("roles", queryset=PersonRole.objects.select_related("unit").order_by("kind"))
    try:
        return people_visible_to(user).select_related("unit").prefetch_related(roles).get(pk=pk)
    except Person.DoesNotExist as exc:
        raise Http404("没有找到该人员") from exc


_KIND_RANK = {kind: rank for rank, kind in enumerate(UnitKind.values)}


def unit_tree(user: User) -> list[Unit]:
    """Visible units in tree order, each with its direct member count, in one query.

    Siblings are grouped by kind in UnitKind's order (the government's departments before the
    村委会, branches together), then by the office's sort order and name — not by creation
    order, which the materialised path alone would give."""
    units: list[Unit] = list(
        units_visible_to(user).annotate(
            member_count=Count("role_holders", filter=Q(role_holders__kind=RoleKind.PARTY_MEMBER))
        )
    )
    ids = {u.pk for u in units}
    children: dict[int | None, list[Unit]] = {}
    for unit in units:  # a unit whose parent is out of sight is a root of the visible tree
        children.setdefault(unit.parent_id if unit.parent_id in ids else None, []).append(unit)
    for siblings in children.values():
        siblings.sort(key=lambda u: (_KIND_RANK.get(u.kind, len(_KIND_RANK)), u.sort_order, u.name))
    ordered: list[Unit] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        top = stack.pop()
        ordered.append(top)
        stack.extend(reversed(children.get(top.pk, [])))
    return ordered


def name_matches(q: str, *, prefix: str = "") -> Q:
    """The one rule for finding a person by what was typed: the Chinese name, or the start of
    the full pinyin or of the initials ("zhang ming", "zm"); `prefix` reaches a related person."""
    q = q.strip()
    typed = q.lower().replace(" ", "")
    return (
        Q(**{f"{prefix}name__contains": q})
        | Q(**{f"{prefix}name_pinyin__startswith": typed})
        | Q(**{f"{prefix}name_initials__startswith": typed})
    )


def people_search(
    user: User,
    *,
    q: str = "",
    unit: Unit | None = None,
    role: str = "",
    gender: str = "",
    second_line: bool | None = None,
) -> QuerySet[Person]:
    """Filter visible people: q matches the Chinese name, full pinyin or pinyin initials."""
    people = people_visible_to(user).select_related("unit")
    if q.strip():
        people = people.filter(name_matches(q))
    if unit is not None:
        people = people.filter(
            Q(unit__path__startswith=unit.path)
            | Q(id__in=PersonRole.objects.filter(unit__path__startswith=unit.path).values("person_id"))
        )
    if role:
        people = people.filter(id__in=PersonRole.objects.filter(kind=role).values("person_id"))
    if gender:
        people = people.filter(gender=gender)
    if second_line is not None:
        people = people.filter(is_second_line=second_line)
    return people.order_by("name_pinyin", "id")


def registry_counts(user: User) -> dict[str, int]:
    """The figures on the home page, counted from the records the user may see (3 queries)."""
    units = units_visible_to(user)
    by_kind = dict(units.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    party_orgs = sum(by_kind.get(kind, 0) for kind in PARTY_ORGANISATION_KINDS)
    people = people_visible_to(user)
    members = PersonRole.objects.filter(kind=RoleKind.PARTY_MEMBER, person__in=people).count()
    return {
        "party_organisations": party_orgs,
        "community_committees": by_kind.get(UnitKind.COMMUNITY_COMMITTEE, 0),
        "general_branches": by_kind.get(UnitKind.GENERAL_BRANCH, 0),
        "branches": by_kind.get(UnitKind.BRANCH, 0),
        "departments": by_kind.get(UnitKind.DEPARTMENT, 0),
        "villages": by_kind.get(UnitKind.VILLAGE_COMMITTEE, 0) + by_kind.get(UnitKind.RESIDENTS_COMMITTEE, 0),
        "party_members": members,
        "people": people.count(),
    }


# ---------------------------------------------------------------------------------------
# The accounts page (issue 14): who may be given an account, and the names to suggest.

ADMIN_ACCOUNTS = Q(role=AccountRole.ADMIN) | Q(is_superuser=True)


def people_without_account(user: User, *, q: str = "", limit: int = 20) -> list[Person]:
    """People this account may see who have no account yet, matching q (name, pinyin, initials):
    the ones the accounts page offers to create an account for."""
    people = people_search(user, q=q).filter(account__isnull=True)
    return list(people[:limit])


def username_suggestion(person: Person) -> str:
    """The person's name in pinyin ('张明' → 'zhangming'), with a number when that is taken
    ('zhangming2'); one query."""
    from zhenwu.org.services import name_pinyin  # the one pinyin rule, kept with the writes

    full, _initials = name_pinyin(person.name)
    base = "".join(c for c in full if c.isascii() and c.isalnum()) or "user"
    taken = {
        name.lower()
        for name in User.objects.filter(username__istartswith=base).values_list("username", flat=True)
    }
    if base not in taken:
        return base
    n = 2
    while f"{base}{n}" in taken:
        n += 1
    return f"{base}{n}"


def other_active_admins(user: User) -> int:
    """How many active administrators there are besides this account."""
    return User.objects.filter(ADMIN_ACCOUNTS, is_active=True).exclude(pk=user.pk).count()


def account_search(user: User, *, q: str = "", role: str = "", state: str = "") -> QuerySet[User]:
    """The accounts this account manages, filtered for the accounts page; 'held_back' are
    those a login limit is holding back now, 'failed' those with failed logins in the last
    day (both counted from every address)."""
    from zhenwu.org.logins import login_trouble  # logins imports the models, not the selectors

    accounts = accounts_manageable_by(user).select_related("person", "unit")
    if q.strip():
        accounts = accounts.filter(Q(username__icontains=q.strip()) | name_matches(q, prefix="person__"))
    if role:
        accounts = accounts.filter(role=role)
    if state == "active":
        accounts = accounts.filter(is_active=True, must_change_password=False)
    elif state == "must_change":
        accounts = accounts.filter(is_active=True, must_change_password=True)
    elif state == "inactive":
        accounts = accounts.filter(is_active=False)
    elif state in ("held_back", "failed"):
        trouble = login_trouble(list(accounts.values_list("username", flat=True)))
        wanted = [n for n, t in trouble.items() if t.waiting_until or state == "failed"]
        accounts = accounts.filter(username__in=wanted)
    return accounts.order_by("-is_active", "username")


PICKER_LIMIT = 20


def office_account_ids(town_id: int | None = None) -> dict[int, list[int]]:
    """The active 党政办 accounts of each town (of `town_id` only when given), by their home
    grant or a grant in the town: who is told of a town's red cards and residents' reopen
    requests — never another town's office."""
    homes = User.objects.filter(is_active=True, role=AccountRole.OFFICE, town__isnull=False)
    grants = AccountGrant.objects.filter(user__is_active=True, role=AccountRole.OFFICE)
    if town_id is not None:
        homes, grants = homes.filter(town_id=town_id), grants.filter(town_id=town_id)
    found: dict[int, set[int]] = {}
    for pk, town in (*homes.values_list("pk", "town_id"), *grants.values_list("user_id", "town_id")):
        found.setdefault(town, set()).add(pk)
    return {town: sorted(pks) for town, pks in found.items()}


def town_leader_ids(scope: Scope | int) -> QuerySet[PersonRole, Any]:
    """The ids of the 镇领导 of a scope's town (every town's for the county) or of the town with
    that id, by the role held in the town, so a leader moved from another town is one: the
    责任领导 picker, the ledger's leader filter, the form's check and a 班子评议 ask this."""
    reach = Q(town_id=scope) if isinstance(scope, int) else in_town_q(scope)
    return PersonRole.objects.filter(reach, kind=RoleKind.LEADER).values("person_id")


def people_to_pick(
    user: User,
    *,
    q: str = "",
    department: int | None = None,
    leaders_only: bool = False,
    limit: int = PICKER_LIMIT,
) -> list[Person]:
    """The people picker's answer in one query: visible people matching `q` by name, full pinyin
    or initials, the given department's staff first (then pinyin), at most `limit`.

    An account whose role reaches no one (a unit-scoped role without a unit) gets a 404, as
    every registry page does; everyone else is answered from their own scope only. Each person
    is flagged `in_department` so the list can say why they come first."""
    if not getattr(user, "is_authenticated", False) or _scope_path(user) == "/nothing/":
        raise Http404("页面不存在")
    people = people_visible_to(user)
    if leaders_only:
        people = people.filter(id__in=town_leader_ids(scope_of(user)))
    if q.strip():
        people = people.filter(name_matches(q))
    if department:
        # The department's path in the same query (a subquery), and only when the user may see it.
        path = units_visible_to(user).filter(pk=department).values("path")[:1]
        staff_of = Unit.objects.filter(path__startswith=Subquery(path)).values("id")
        in_department = Q(unit_id__in=staff_of) | Q(
            id__in=PersonRole.objects.filter(unit_id__in=staff_of).values("person_id")
        )
        people = people.annotate(
            in_department=Case(When(in_department, then=Value(True)), default=Value(False))
        )
    else:
        people = people.annotate(in_department=Value(False))
    order = (
        ("-in_department", "is_second_line", "name_pinyin", "id")
        if leaders_only
        else ("-in_department", "name_pinyin", "id")
    )
    return list(people.select_related("unit").order_by(*order)[:limit])
