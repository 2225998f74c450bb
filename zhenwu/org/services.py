"""Writes to the registry and to accounts. Each one validates, saves and audits in one transaction."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

from zhenwu.core.actors import Actor, account_of
from zhenwu.core.audit import audit_record
from zhenwu.core.context import request_refusals
from zhenwu.core.refusals import require
from zhenwu.core.throttle import Throttled
from zhenwu.lib.identity import (
    IdentityError,
    gender_from_id_number,
    mask_id_number,
    mask_name,
    mask_phone,
    normalize_id_number,
    normalize_phone,
)
from zhenwu.lib.place_names import town_code, town_name_of, town_short_name
from zhenwu.org.constants import (
    OFFICE_ROLES,
    PARTY_KINDS,
    PARTY_ORGANISATION_KINDS,
    SCOPE_KINDS,
    UNIT_SCOPED_ROLES,
    AccountRole,
    OrgAudit,
    RoleKind,
    UnitKind,
)
from zhenwu.org.logins import hash_token, login_counters_clear, password_confirm
from zhenwu.org.models import AccountGrant, ApiToken, County, Person, PersonRole, Town, Unit, User
from zhenwu.org.roles import has_role, is_admin
from zhenwu.org.scope import actor_town_id, refuse_other_town, refuse_outside_actors_town, scope_of
from zhenwu.org.selectors import (
    ADMIN_ACCOUNTS,
    can_manage_account,
    can_unmask,
    other_active_admins,
    people_visible_to,
    units_visible_to,
)

# ---------------------------------------------------------------------------------------
# Units


def _unit_snapshot(unit: Unit) -> dict[str, Any]:
    return {
        "name": unit.name,
        "short_name": unit.short_name,
        "kind": unit.kind,
        "parent_id": unit.parent_id,
        "sort_order": unit.sort_order,
        "is_active": unit.is_active,
    }


def _set_path(unit: Unit) -> None:
    parent_path = unit.parent.path if unit.parent_id and unit.parent else "/"
    unit.path = f"{parent_path}{unit.pk}/"
    unit.depth = parent_path.count("/") - 1


def _scope_node(*, name: str, kind: str, parent: Unit | None) -> Unit:
    node = Unit(name=name, kind=kind, parent=parent, path="/pending/")
    node.save()
    _set_path(node)
    node.save(update_fields=["path", "depth"])
    return node


def _first_town(*, actor: Actor, named: str) -> Town:
    """The county and town nodes of a new installation, made when its first unit without a
    parent is created (a county with one town, ADR 0008): the town is named after that unit
    (中共测试镇委员会 → 测试镇), else ZHENWU_TOWN_NAME; the county is ZHENWU_COUNTY_NAME.
    The upgrade of an existing installation makes the same nodes (org migration 0004)."""
    return _make_town(actor=actor, name=town_name_of(named) or settings.ZHENWU_TOWN_NAME)


def _make_town(*, actor: Actor, name: str) -> Town:
    county = County.objects.select_related("unit").first()
    if county is None:
        root = _scope_node(name=settings.ZHENWU_COUNTY_NAME, kind=UnitKind.COUNTY, parent=None)
        county = County.objects.create(unit=root, name=root.name)
    if Town.objects.filter(name=name).exists():
        raise ValidationError({"name": _("镇名：本县已有“%(name)s”") % {"name": name}})
    node = _scope_node(name=name, kind=UnitKind.TOWN, parent=county.unit)
    short = town_short_name(name)
    code = town_code(short, taken=Town.objects.values_list("code", flat=True))
    town = Town.objects.create(unit=node, name=name, short_name=short, code=code)
    node.town = town
    node.save(update_fields=["town"])
    audit_record(
        actor=actor,
        action=OrgAudit.TOWN_CREATED,
        obj=town,
        after={"name": name, "short_name": short, "code": code, "county": county.name},
    )
    return town


@transaction.atomic
def town_create(*, actor: Actor, name: str) -> Town:
    """Another town of the county, as a node below the county's root; its units are then made
    under it. Only the administrator (the county's role) and system actors."""
    account = account_of(actor)
    require(account is None or is_admin(account), _("只有系统管理员可以新建镇"))
    name = name.strip()
    if not town_name_of(f"{name}人民政府"):
        raise ValidationError({"name": _("镇名：请填写以“镇”“乡”或“街道”结尾的名称")})
    return _make_town(actor=actor, name=name)


def town_for_new(*, actor: Actor, town: Town | None = None) -> int:
    """The town a new row of `actor` belongs to (a problem, later a module's record): `town`
    when the calling service knows it (a suggestion's, the county office's choice), else the
    actor's own. A town's account writes only in its town; the county's roles and system
    actors name the town once there are several. A new installation's first row makes the
    county and town nodes, as its first unit would."""
    account = account_of(actor)
    if account is not None and not (scope := scope_of(account)).county:
        # The town it works in now: its home, or the town of the grant it switched to.
        if scope.town_id is None or (town is not None and town.pk != scope.town_id):
            raise ValidationError({"town": _("所属镇：只能在本账号所在的镇登记")})
        return scope.town_id
    if town is not None:
        return town.pk
    towns = list(Town.objects.filter(is_active=True).values_list("pk", flat=True)[:2])
    if len(towns) == 1:
        return towns[0]
    if not towns and not Town.objects.exists():
        return _first_town(actor=actor, named="").pk
    raise ValidationError({"town": _("所属镇：本系统有多个镇，请选择所属镇")})


def _top_of_town(*, actor: Actor, named: str) -> Unit:
    """Where a unit given no parent goes: directly under the installation's town. With
    several towns the caller must say which (the county's pages choose one, issue 15 step 8)."""
    towns = list(Town.objects.select_related("unit").filter(is_active=True)[:2])
    if len(towns) > 1:
        raise ValidationError({"parent": _("上级单位：本系统有多个镇，请选择上级单位")})
    return (towns[0] if towns else _first_town(actor=actor, named=named)).unit


def _top_node(unit: Unit) -> Unit:
    """The node a unit moved "to the top" lands on: its town's, or the county's for its own units."""
    if unit.town_id:
        return Unit.objects.get(town_node__pk=unit.town_id)
    return Unit.objects.get(county_node__isnull=False)


def _refuse_scope_kind(kind: str) -> None:
    if kind in SCOPE_KINDS:
        raise ValidationError({"kind": _("类型：县、乡镇节点由系统建立，不能手工新建或改成")})


@transaction.atomic
def unit_create(
    *,
    actor: Actor,
    name: str,
    kind: str,
    parent: Unit | None = None,
    short_name: str = "",
    sort_order: int = 0,
) -> Unit:
    """A unit under `parent`, in the parent's town; without a parent, at the top of the town."""
    _refuse_scope_kind(kind)
    if parent is None:
        parent = _top_of_town(actor=actor, named=name)
    unit = Unit(
        name=name.strip(),
        kind=kind,
        parent=parent,
        short_name=short_name.strip(),
        sort_order=sort_order,
        town_id=parent.town_id,
    )
    unit.path = "/pending/"
    unit.full_clean()
    unit.save()
    _set_path(unit)
    unit.save(update_fields=["path", "depth"])
    audit_record(actor=actor, action=OrgAudit.UNIT_CREATED, obj=unit, after=_unit_snapshot(unit))
    return unit


@transaction.atomic
def unit_update(
    *,
    actor: Actor,
    unit: Unit,
    name: str | None = None,
    short_name: str | None = None,
    kind: str | None = None,
    parent: Unit | None | bool = False,
    sort_order: int | None = None,
    is_active: bool | None = None,
) -> Unit:
    """Change a unit; `parent=False` means "leave the parent as it is" (None moves it to the top
    of its town). A unit never leaves its town, and the county's and towns' own nodes are kept
    by the system."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if unit.is_scope_node:
        raise ValidationError({"name": _("名称：县、乡镇节点由系统维护，不能在这里修改")})
    if kind is not None:
        _refuse_scope_kind(kind)
    before = _unit_snapshot(unit)
    if name is not None:
        unit.name = name.strip()
    if short_name is not None:
        unit.short_name = short_name.strip()
    if kind is not None:
        unit.kind = kind
    if sort_order is not None:
        unit.sort_order = sort_order
    if is_active is not None:
        unit.is_active = is_active
    moved = parent is not False and (parent.pk if isinstance(parent, Unit) else None) != unit.parent_id
    if moved:
        new_parent = parent if isinstance(parent, Unit) else _top_node(unit)
        if new_parent.pk == unit.pk or new_parent.path.startswith(unit.path):
            raise ValidationError(
                {"parent": _("上级单位：不能把单位移到它自己或它的下级单位之下（会形成循环）")}
            )
        if new_parent.town_id != unit.town_id:
            raise ValidationError({"parent": _("上级单位：不能把单位移到另一个镇或县级单位之下")})
        moved = new_parent.pk != unit.parent_id
        unit.parent = new_parent
    unit.full_clean()
    old_path = unit.path
    if moved:
        _set_path(unit)
    unit.save()
    if moved:
        _move_descendants(old_path, unit.path)
    audit_record(
        actor=actor, action=OrgAudit.UNIT_UPDATED, obj=unit, before=before, after=_unit_snapshot(unit)
    )
    return unit


def _move_descendants(old_path: str, new_path: str) -> None:
    descendants = list(Unit.objects.filter(path__startswith=old_path).exclude(path=new_path))
    for child in descendants:
        child.path = new_path + child.path[len(old_path) :]
        child.depth = child.path.count("/") - 2
    Unit.objects.bulk_update(descendants, ["path", "depth"], batch_size=500)


# ---------------------------------------------------------------------------------------
# People


def _field_error(field: str, label: str, exc: IdentityError) -> ValidationError:
    return ValidationError({field: f"{label}：{exc}"})


def clean_phone(value: str) -> str:
    """Normalised phone, or '' when blank; ValidationError naming the field otherwise."""
    if not (value or "").strip():
        return ""
    try:
        return normalize_phone(value)
    except IdentityError as exc:
        raise _field_error("phone", _("手机号码"), exc) from exc


def clean_id_number(value: str) -> str | None:
    if not (value or "").strip():
        return None
    try:
        return normalize_id_number(value)
    except IdentityError as exc:
        raise _field_error("id_number", _("身份证号码"), exc) from exc


def name_pinyin(name: str) -> tuple[str, str]:
    """Full pinyin and initials, so '张三' is found by 'zhangsan' and by 'zs'."""
    full = "".join(lazy_pinyin(name, errors="ignore"))
    initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore"))
    return full.lower(), initials.lower()


def _person_snapshot(person: Person) -> dict[str, Any]:
    # Masked on purpose: the audit log is kept for ever and must not become a PII store.
    return {
        "name": person.name,
        "gender": person.gender,
        "phone": mask_phone(person.phone),
        "id_number": mask_id_number(person.id_number or ""),
        "unit_id": person.unit_id,
        "title": person.title,
        "is_second_line": person.is_second_line,
        "note": person.note,
    }


# The code of the refusal for an ID number registered in a town the actor does not see: the
# person form then offers to register the person's role here (person_role_grant_here).
ID_KNOWN_ELSEWHERE = "id_known_elsewhere"


def _check_duplicate_id(actor: Actor, id_number: str | None, exclude_pk: int | None = None) -> None:
    """One human, one record (ADR 0008 §3): a number already registered is refused. Within the
    actor's sight the message names the holder (masked); registered in another town, it names
    nobody — not the person, their town or their unit — and is noted for the refusal audit, so
    an office probing numbers leaves a trail."""
    if not id_number:
        return
    holder = (
        Person.objects.filter(id_number=id_number).exclude(pk=exclude_pk or 0).only("name", "town").first()
    )
    if holder is None:
        return
    account = account_of(actor)
    if account is None or people_visible_to(account).filter(pk=holder.pk).exists():
        raise ValidationError(
            {
                "id_number": _("身份证号码：该号码已登记在人员“%(name)s”名下，不能重复登记")
                % {"name": mask_name(holder.name)}
            }
        )
    message = _("身份证号码：该号码已在本县其他镇登记，不能重复登记；此人如在本镇任职，请在本镇登记其身份")
    if (noted := request_refusals.get()) is not None:
        noted.append(message)
    raise ValidationError({"id_number": ValidationError(message, code=ID_KNOWN_ELSEWHERE)})


def _clean_person_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Normalise the fields given; one ValidationError naming every bad field at once."""
    cleaned = dict(fields)
    errors: dict[str, str] = {}
    if "name" in cleaned:
        cleaned["name"] = (cleaned["name"] or "").replace("\u3000", "").strip()
        if not cleaned["name"]:
            errors["name"] = _("姓名：不能为空")
    for field, cleaner in (("phone", clean_phone), ("id_number", clean_id_number)):
        if field in cleaned:
            try:
                cleaned[field] = cleaner(cleaned[field])
            except ValidationError as exc:
                errors.update({k: v[0] for k, v in exc.message_dict.items()})
    for field in ("title", "note"):
        if field in cleaned:
            cleaned[field] = (cleaned[field] or "").strip()
    if errors:
        raise ValidationError(errors)
    return cleaned


def _account_town(actor: Actor, role: str, unit: Unit | None, person: Person | None) -> int | None:
    """An account works in its unit's town, else its person's, else its creator's; the
    administrator is the county's."""
    if role == AccountRole.ADMIN:
        return None
    if unit is not None:
        return unit.town_id
    if person is not None and person.town_id is not None:
        return person.town_id
    return actor_town_id(actor)


def _save_person(person: Person) -> None:
    person.name_pinyin, person.name_initials = name_pinyin(person.name)
    person.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:
        # Two clerks entering the same person at once: the unique index decides.
        raise ValidationError({"id_number": _("身份证号码：该号码已被登记，不能重复登记")}) from exc


@transaction.atomic
def person_create(
    *,
    actor: Actor,
    name: str,
    gender: str = "",
    phone: str = "",
    id_number: str = "",
    unit: Unit | None = None,
    title: str = "",
    is_second_line: bool = False,
    note: str = "",
) -> Person:
    fields = _clean_person_fields(
        {"name": name, "phone": phone, "id_number": id_number, "title": title, "note": note}
    )
    if fields["id_number"] and not gender:
        gender = gender_from_id_number(fields["id_number"])
    _check_duplicate_id(actor, fields["id_number"])
    refuse_outside_actors_town(actor, "unit", _("所在单位"), unit)
    town_id = unit.town_id if unit is not None else actor_town_id(actor)
    person = Person(gender=gender, unit=unit, is_second_line=is_second_line, town_id=town_id, **fields)
    _save_person(person)
    audit_record(actor=actor, action=OrgAudit.PERSON_CREATED, obj=person, after=_person_snapshot(person))
    return person


_UPDATABLE = {"name", "gender", "phone", "id_number", "unit", "title", "is_second_line", "note"}


@transaction.atomic
def person_update(*, actor: Actor, person: Person, **changes: Any) -> Person:
    unknown = set(changes) - _UPDATABLE
    if unknown:
        raise TypeError(f"person_update got unexpected fields {sorted(unknown)}")
    person = Person.objects.select_for_update().get(pk=person.pk)
    before = _person_snapshot(person)
    changes = _clean_person_fields(changes)
    if changes.get("id_number"):
        _check_duplicate_id(actor, changes["id_number"], exclude_pk=person.pk)
    if (unit := changes.get("unit")) is not None:
        # A person stays in their town's registry; another town registers them there itself.
        refuse_other_town(person.town_id, "unit", _("所在单位"), unit)
        person.town_id = unit.town_id
    for field, value in changes.items():
        setattr(person, field, value)
    _save_person(person)
    audit_record(
        actor=actor,
        action=OrgAudit.PERSON_UPDATED,
        obj=person,
        before=before,
        after=_person_snapshot(person),
    )
    return person


@transaction.atomic
def person_role_grant(
    *, actor: Actor, person: Person, kind: str, unit: Unit | None = None, since: date | None = None
) -> PersonRole:
    if kind == RoleKind.PARTY_MEMBER and (unit is None or unit.kind not in PARTY_KINDS):
        raise ValidationError({"unit": _("所在组织：党员身份必须登记在一个党组织（党支部、党总支或党委）")})
    refuse_outside_actors_town(actor, "unit", _("所在组织"), unit)
    if PersonRole.objects.filter(person=person, kind=kind, unit=unit).exists():
        raise ValidationError({"kind": _("身份：该人员已有此身份")})
    # Held where its unit is, else where the person is registered (a 人大代表 without a unit).
    town_id = unit.town_id if unit is not None else person.town_id
    role = PersonRole(person=person, kind=kind, unit=unit, since=since, town_id=town_id)
    role.full_clean(validate_unique=False)
    role.save()
    audit_record(
        actor=actor,
        action=OrgAudit.ROLE_GRANTED,
        obj=person,
        after={"kind": kind, "unit_id": unit.pk if unit else None},
    )
    return role


@transaction.atomic
def person_role_grant_here(*, actor: User, id_number: str, kind: str, unit: Unit | None) -> PersonRole:
    """The person a typed ID number belongs to, registered in another town, takes a role in a
    unit of the actor's town (ADR 0008 §3: one human, one record): they are then seen and
    picked here, and stay in their own town's registry. The office knew the full number,
    which names one human more surely than anything the page could show."""
    require(is_admin(actor) or has_role(actor, *OFFICE_ROLES), _("只有党政办可以登记人员身份"))
    number = clean_id_number(id_number)
    if number is None:
        raise ValidationError({"id_number": _("身份证号码：不能为空")})
    if unit is None:
        raise ValidationError({"unit": _("所在组织：请选择本镇的单位")})
    person = Person.objects.filter(id_number=number).first()
    if person is None:
        raise ValidationError({"id_number": _("身份证号码：没有登记此号码的人员，请直接新建人员")})
    return person_role_grant(actor=actor, person=person, kind=kind, unit=unit)


@transaction.atomic
def person_role_revoke(*, actor: Actor, role: PersonRole) -> None:
    audit_record(
        actor=actor,
        action=OrgAudit.ROLE_REVOKED,
        obj=role.person,
        before={"kind": role.kind, "unit_id": role.unit_id},
    )
    role.delete()


REVEALABLE_FIELDS = {"phone": _("手机号码"), "id_number": _("身份证号码")}


@transaction.atomic
def person_reveal(*, actor: User, person: Person, field: str) -> str:
    """The full value of a masked field, for a role allowed to see it; every reveal is audited."""
    if field not in REVEALABLE_FIELDS:
        raise ValidationError({"field": _("字段：只能查看手机号码或身份证号码")})
    if not can_unmask(actor):
        raise PermissionError(_("当前角色无权查看完整个人信息"))
    audit_record(actor=actor, action=OrgAudit.PERSON_UNMASKED, obj=person, after={"field": field})
    return getattr(person, field) or ""


# ---------------------------------------------------------------------------------------
# Accounts


@transaction.atomic
def account_create(
    *,
    actor: Actor,
    username: str,
    password: str,
    role: str,
    person: Person | None = None,
    unit: Unit | None = None,
    must_change_password: bool = True,
    validate: bool = True,
) -> User:
    if role in UNIT_SCOPED_ROLES and unit is None:
        raise ValidationError({"unit": _("所属单位：部门、支部和中心账号必须指定所属单位")})
    refuse_outside_actors_town(actor, "unit", _("所属单位"), unit)
    refuse_outside_actors_town(actor, "person", _("对应人员"), person)
    user = User(
        username=username, role=role, person=person, unit=unit, must_change_password=must_change_password,
        town_id=_account_town(actor, role, unit, person),
    )  # fmt: skip
    if person is not None:
        user.first_name = person.name
    if validate:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": [_("密码：%(m)s") % {"m": m} for m in exc.messages]}) from exc
    user.set_password(password)
    user.is_staff = role == AccountRole.ADMIN
    user.is_superuser = role == AccountRole.ADMIN
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(actor=actor, action=OrgAudit.ACCOUNT_CREATED, obj=user, after=_account_snapshot(user))
    return user


@transaction.atomic
def account_logout(*, user: User, reason: str) -> None:
    """Record the end of a session: signed out (LOGOUT) or timed out (SESSION_EXPIRED)."""
    if reason not in (OrgAudit.LOGOUT, OrgAudit.SESSION_EXPIRED):
        raise ValueError(f"unknown logout reason {reason!r}")
    audit_record(actor=user, action=reason, obj=user)


def account_change_password(*, user: User, old_password: str, new_password: str) -> User:
    # Not one transaction: a wrong old password's count must stay when the change is refused.
    errors: dict[str, list[str]] = {}
    try:
        # A wrong old password counts like a failed login: a borrowed session is no oracle.
        if not password_confirm(user=user, password=old_password):
            errors["old_password"] = [_("原密码：不正确")]
    except Throttled as refusal:
        raise ValidationError({"old_password": [_("原密码：%(m)s") % {"m": refusal}]}) from refusal
    if old_password == new_password:
        errors.setdefault("new_password", []).append(_("新密码：不能与原密码相同"))
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        errors.setdefault("new_password", []).extend(_("新密码：%(m)s") % {"m": m} for m in exc.messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        user.set_password(new_password)
        user.must_change_password = False
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "must_change_password", "password_changed_at"])
        audit_record(actor=user, action=OrgAudit.PASSWORD_CHANGED, obj=user)
    return user


def _may_manage(actor: User, user: User) -> None:
    """The office looks after the town's accounts, the administrator after every account; the
    office may not take over the administrator's (a reset would hand it the admin's rights)."""
    if not can_manage_account(actor, user):
        raise PermissionError(_("无权管理该账号"))


@transaction.atomic
def account_unlock(*, actor: User, user: User) -> int:
    """Clear the account's failed-login counts from every address; returns how many were cleared."""
    _may_manage(actor, user)
    cleared = login_counters_clear(username=user.username)
    audit_record(actor=actor, action=OrgAudit.ACCOUNT_UNLOCKED, obj=user, after={"cleared": cleared})
    return cleared


# Letters and digits that cannot be misread when the office reads the password aloud or off a
# screen (no 0/O, 1/l/I), and symbols that every keyboard and phone has.
_RESET_ALPHABETS = ("ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnpqrstuvwxyz", "23456789", "#%+=@")


def _one_time_password(user: User) -> str:
    everything = "".join(_RESET_ALPHABETS)
    while True:
        chars = [secrets.choice(alphabet) for alphabet in _RESET_ALPHABETS]
        chars += [secrets.choice(everything) for _unused in range(8)]
        secrets.SystemRandom().shuffle(chars)
        candidate = "".join(chars)
        try:
            validate_password(candidate, user)
        except ValidationError:
            continue  # vanishingly rare (it happened to contain the username): draw again
        return candidate


@transaction.atomic
def account_reset_password(*, actor: User, user: User) -> str:
    """A new one-time password for someone who forgot theirs (or whose account was misused).

    Returned once, to be handed over; never stored in clear or audited. The account must
    change it at its next login, its open sessions end (the session hash changes), its
    tokens stop working until then, and its failed-login counts are cleared.
    """
    _may_manage(actor, user)
    if actor.pk == user.pk:
        raise ValidationError({"user": _("账号：不能重置自己的密码，请使用“修改密码”")})
    password = _one_time_password(user)
    user = User.objects.select_for_update().get(pk=user.pk)
    user.set_password(password)
    user.must_change_password = True
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    cleared = login_counters_clear(username=user.username)
    audit_record(actor=actor, action=OrgAudit.PASSWORD_RESET, obj=user, after={"cleared": cleared})
    return password


@transaction.atomic
def api_token_create(*, actor: Actor, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token, valid for ZHENWU_API_TOKEN_DAYS; the plain key is returned once and never stored."""
    key = "zw_" + secrets.token_urlsafe(32)
    expires_at = timezone.now() + timedelta(days=settings.ZHENWU_API_TOKEN_DAYS)
    # The token works in the town its account works in now: the grant the account made it
    # under, or its home town when someone else makes it (org.logins.token_user).
    account = account_of(actor)
    town_id = scope_of(account).town_id if account is not None and account.pk == user.pk else user.town_id
    token = ApiToken(
        user=user,
        name=name.strip() or "接口",
        prefix=key[3:11],
        key_hash=hash_token(key),
        expires_at=expires_at,
        town_id=town_id,
    )
    token.full_clean()
    token.save()
    audit_record(
        actor=actor,
        action=OrgAudit.TOKEN_CREATED,
        obj=user,
        town_id=town_id,
        after={
            "token": token.prefix, "name": token.name, "expires_at": expires_at.isoformat(), "town_id": town_id,
        },
    )  # fmt: skip
    return token, key


def api_token_create_for_self(*, user: User, name: str, password: str) -> tuple[ApiToken, str]:
    """A token a signed-in user makes for themself, after typing their password again (a
    borrowed session must not mint a credential that outlives it). A wrong password counts
    like a failed login (and stays counted: this is not one transaction)."""
    try:
        confirmed = password_confirm(user=user, password=password)
    except Throttled as refusal:
        raise ValidationError({"password": _("当前密码：%(m)s") % {"m": refusal}}) from refusal
    if not confirmed:
        raise ValidationError({"password": _("当前密码：不正确")})
    return api_token_create(actor=user, user=user, name=name)


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Stop a token for good. A user revokes their own; nobody else's (404 through the selector)."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != actor.pk:
        raise PermissionError(_("只能停用自己的接口令牌"))
    if token.revoked:
        raise ValidationError({"token": _("接口令牌：已经停用")})
    token.revoked = True
    token.save(update_fields=["revoked"])
    audit_record(
        actor=actor,
        action=OrgAudit.TOKEN_REVOKED,
        obj=token.user,
        after={"token": token.prefix, "name": token.name},
    )
    return token


# ---------------------------------------------------------------------------------------
# Grants: an account's work in another town (ADR 0008 §3). Given by the administrator, or by
# the office of the town the grant is in; never the county's roles.


def _may_grant_in(actor: User, town: Town) -> None:
    """The administrator grants in any town, a town's office in its own; anyone else is told
    nothing about the town (PermissionError: 404 on the pages, 403 on the API)."""
    if is_admin(actor):
        return
    if not has_role(actor, *OFFICE_ROLES) or scope_of(actor).town_id != town.pk:
        raise PermissionError(_("无权在该镇授权"))


def _grant_snapshot(grant: AccountGrant) -> dict[str, Any]:
    return {"user_id": grant.user_id, "town_id": grant.town_id, "role": grant.role, "unit_id": grant.unit_id}


@transaction.atomic
def account_grant_add(
    *, actor: User, user: User, town: Town, role: str, unit: Unit | None = None
) -> AccountGrant:
    """Let `user` work in `town` as `role` (bounded by `unit`, a unit of that town), beside its
    home grant. The account then chooses the town in the header; its API tokens made there work
    there."""
    _may_grant_in(actor, town)
    _may_grant(actor, role)
    if role == AccountRole.ADMIN:  # the county's role works in every town already
        raise ValidationError({"role": _("系统角色：跨镇授权不能是系统管理员")})
    if user.role == AccountRole.ADMIN or user.is_superuser:
        raise ValidationError({"user": _("账号：系统管理员本就可以在各镇工作，无需授权")})
    if user.town_id == town.pk:
        raise ValidationError({"town": _("所在镇：这是该账号的所属镇，请更改账号的角色和范围")})
    refuse_other_town(town.pk, "unit", _("所属单位"), unit)
    _check_scope(actor, role, unit)
    if AccountGrant.objects.filter(user=user, town=town).exists():
        raise ValidationError({"town": _("所在镇：该账号在本镇已有授权")})
    grant = AccountGrant(user=user, town=town, role=role, unit=unit)
    grant.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            grant.save()
    except IntegrityError as exc:  # two offices granting the same at once
        raise ValidationError({"town": _("所在镇：该账号在本镇已有授权")}) from exc
    audit_record(actor=actor, action=OrgAudit.GRANT_ADDED, obj=grant, after=_grant_snapshot(grant))
    return grant


@transaction.atomic
def account_grant_revoke(*, actor: User, grant: AccountGrant) -> None:
    """End the account's work in the grant's town: its next request there falls back to its
    home town, and its tokens made there stop working (401)."""
    grant = AccountGrant.objects.select_for_update().select_related("town").get(pk=grant.pk)
    _may_grant_in(actor, grant.town)
    audit_record(actor=actor, action=OrgAudit.GRANT_REVOKED, obj=grant, before=_grant_snapshot(grant))
    grant.delete()


@transaction.atomic
def account_town_switch(*, user: User, town: Town, grants: list[AccountGrant]) -> AccountGrant | None:
    """The account chooses the town it works in (the header's switcher): its own town, or one of
    `grants` (the account's, as org.selectors.grants_of reads them). Returns the grant now
    worked under (None: home). The view keeps the choice in the session."""
    grant = next((g for g in grants if g.town_id == town.pk and g.user_id == user.pk), None)
    if grant is None and town.pk != user.town_id:
        raise PermissionError(_("该账号在这个镇没有授权"))
    before = scope_of(user).town_id
    audit_record(
        actor=user, action=OrgAudit.TOWN_SWITCHED, obj=user, town_id=town.pk,
        before={"town_id": before}, after={"town_id": town.pk, "role": grant.role if grant else user.role},
    )  # fmt: skip
    return grant


# ---------------------------------------------------------------------------------------
# Accounts managed in the application (issue 14): create for a person, (re)activate, role and
# scope. The rules, in one place: the office manages the town's accounts but not the
# administrators'; only an administrator makes or manages one; nobody deactivates or demotes
# themself; the last active administrator stays.


def _account_snapshot(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "role": user.role,
        "unit_id": user.unit_id,
        "person_id": user.person_id,
        "is_active": user.is_active,
        "must_change_password": user.must_change_password,
    }


def _may_grant(actor: User, role: str) -> None:
    """Whether this actor may give an account this role (creating it or changing to it)."""
    if not has_role(actor, *OFFICE_ROLES) and not is_admin(actor):
        raise PermissionError(_("无权管理账号"))
    if role not in AccountRole.values:
        raise ValidationError({"role": _("系统角色：请选择列表中的角色")})
    if role == AccountRole.ADMIN and not is_admin(actor):
        raise ValidationError({"role": _("系统角色：只有系统管理员才能设立系统管理员账号")})


def _check_scope(actor: User, role: str, unit: Unit | None) -> None:
    """The unit a role needs (the unit-scoped roles see only their unit's subtree) and one the
    actor may see; a 支部书记 account belongs to a party organisation, the others do not."""
    label = AccountRole(role).label
    if role in UNIT_SCOPED_ROLES and unit is None:
        raise ValidationError({"unit": _("所属单位：%(role)s账号必须指定所属单位") % {"role": label}})
    if unit is None:
        return
    if not units_visible_to(actor).filter(pk=unit.pk).exists():
        raise ValidationError({"unit": _("所属单位：“%(unit)s”不在您的管理范围内") % {"unit": unit.name}})
    party = unit.kind in PARTY_ORGANISATION_KINDS
    if role == AccountRole.BRANCH and not party:
        raise ValidationError(
            {"unit": _("所属单位：支部书记账号须属于一个党组织（党支部、党总支或社区党委）")}
        )
    if role in UNIT_SCOPED_ROLES and role != AccountRole.BRANCH and party:
        raise ValidationError(
            {"unit": _("所属单位：%(role)s账号不能属于党组织，请选择部门或中心") % {"role": label}}
        )


def _check_username(username: str) -> str:
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": _("用户名：不能为空")})
    try:
        User.username_validator(username)
    except ValidationError as exc:
        raise ValidationError(
            {"username": _("用户名：只能包含字母、数字和 @ . + - _ 这些符号，最长150个字符")}
        ) from exc
    if len(username) > 150:
        raise ValidationError({"username": _("用户名：最长150个字符")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("用户名：“%(u)s”已被使用，请换一个") % {"u": username}})
    return username


@transaction.atomic
def account_create_for_person(
    *, actor: User, person: Person, username: str, role: str, unit: Unit | None
) -> tuple[User, str]:
    """An account for a person of the registry, with a generated one-time password.

    The password is returned once, to be shown on the next page and handed over; it is never
    stored in clear nor audited, and the account must change it at its first login.
    """
    _may_grant(actor, role)
    if not people_visible_to(actor).filter(pk=person.pk).exists():
        raise ValidationError({"person": _("人员：“%(name)s”不在您的管理范围内") % {"name": person.name}})
    existing = User.objects.filter(person_id=person.pk).only("username").first()
    if existing is not None:
        raise ValidationError(
            {"person": _("人员：%(name)s已有账号“%(u)s”") % {"name": person.name, "u": existing.username}}
        )
    username = _check_username(username)
    _check_scope(actor, role, unit)
    password = _one_time_password(User(username=username, first_name=person.name))
    try:
        with transaction.atomic():
            user = account_create(
                actor=actor, username=username, password=password, role=role, person=person, unit=unit,
                must_change_password=True,
            )  # fmt: skip
    except IntegrityError as exc:
        # Two managers creating the same username or the same person's account at once.
        raise ValidationError({"username": _("用户名：“%(u)s”已被使用，请换一个") % {"u": username}}) from exc
    return user, password


def _keep_an_administrator(user: User, refusal: str) -> None:
    """The installation must keep one active administrator, or nobody can manage admins."""
    if user.role != AccountRole.ADMIN and not user.is_superuser:
        return
    # Lock the administrators' rows: two admins demoting each other at once would leave none.
    list(User.objects.select_for_update().filter(ADMIN_ACCOUNTS, is_active=True).values_list("pk"))
    if not other_active_admins(user):
        raise ValidationError({"user": refusal})


@transaction.atomic
def account_set_active(*, actor: User, user: User, is_active: bool) -> User:
    """Deactivate (its sessions and API tokens stop at once: both are checked against is_active
    on every request) or reactivate an account. Its tokens are suspended, not revoked."""
    _may_manage(actor, user)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active == is_active:
        raise ValidationError({"user": _("账号：已经是停用状态") if not is_active else _("账号：没有停用")})
    if not is_active:
        if user.pk == actor.pk:
            raise ValidationError({"user": _("账号：不能停用自己的账号")})
        _keep_an_administrator(user, _("账号：这是最后一个有效的系统管理员账号，不能停用"))
    before = _account_snapshot(user)
    user.is_active = is_active
    user.save(update_fields=["is_active"])
    action = OrgAudit.ACCOUNT_REACTIVATED if is_active else OrgAudit.ACCOUNT_DEACTIVATED
    audit_record(
        actor=actor,
        action=action,
        obj=user,
        before={"is_active": before["is_active"]},
        after={"is_active": is_active},
    )
    return user


@transaction.atomic
def account_change_role(*, actor: User, user: User, role: str, unit: Unit | None) -> User:
    """Change what an account may do (role) and what it sees (unit). Takes effect at its next
    request: roles are read from the account each time, never cached in the session."""
    _may_manage(actor, user)
    _may_grant(actor, role)
    user = User.objects.select_for_update().get(pk=user.pk)
    if role != user.role:
        if user.pk == actor.pk:
            raise ValidationError({"role": _("系统角色：不能更改自己的角色")})
        if role != AccountRole.ADMIN:
            _keep_an_administrator(user, _("账号：这是最后一个有效的系统管理员账号，不能改为其他角色"))
    _check_scope(actor, role, unit)
    unit_id = unit.pk if unit is not None else None
    if role == user.role and unit_id == user.unit_id:
        raise ValidationError({"role": _("系统角色：角色和所属单位都没有变化")})
    refuse_outside_actors_town(actor, "unit", _("所属单位"), unit)
    before = {"role": user.role, "unit_id": user.unit_id}
    user.role = role
    user.unit = unit
    user.town_id = _account_town(actor, role, unit, user.person)
    # The Django admin is for administrators only: its flags follow the role.
    user.is_staff = user.is_superuser = role == AccountRole.ADMIN
    user.save(update_fields=["role", "unit", "town", "is_staff", "is_superuser"])
    audit_record(
        actor=actor,
        action=OrgAudit.ACCOUNT_ROLE_CHANGED,
        obj=user,
        before=before,
        after={"role": user.role, "unit_id": user.unit_id},
    )
    return user
