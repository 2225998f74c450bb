"""Registry endpoints: units and people, scoped like the pages; personal data masked."""

from typing import Literal

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from zhenwu.core.api_base import ObjectId, Pages
from zhenwu.org.constants import Gender, RoleKind, UnitKind
from zhenwu.org.models import Person, PersonRole, Unit, User
from zhenwu.org.selectors import (
    get_person_for_user,
    get_unit_for_user,
    people_search,
    units_visible_to,
)
from zhenwu.org.services import person_reveal

router = Router(tags=["组织与人员"])


class UnitOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    kind_label: str
    parent_id: int | None
    depth: int

    @staticmethod
    def resolve_kind_label(obj: Unit) -> str:
        return str(obj.get_kind_display())


class RoleOut(Schema):
    kind: str
    kind_label: str
    unit_id: ObjectId | None
    unit_name: str | None

    @staticmethod
    def resolve_kind_label(obj: PersonRole) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_unit_name(obj: PersonRole) -> str | None:
        return obj.unit.name if obj.unit_id and obj.unit else None


class PersonOut(Schema):
    id: int
    name: str
    gender: str
    phone: str
    id_number: str
    unit_id: ObjectId | None
    unit_name: str | None
    title: str
    is_second_line: bool
    roles: list[RoleOut]

    @staticmethod
    def resolve_phone(obj: Person) -> str:
        return obj.phone_masked

    @staticmethod
    def resolve_id_number(obj: Person) -> str:
        return obj.id_number_masked

    @staticmethod
    def resolve_unit_name(obj: Person) -> str | None:
        return obj.unit.name if obj.unit_id and obj.unit else None

    @staticmethod
    def resolve_roles(obj: Person) -> list[PersonRole]:
        return list(obj.roles.all())


class RevealOut(Schema):
    field: str
    value: str


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@router.get("/units", response=list[UnitOut], summary="单位列表（按树序）")
@paginate(Pages, page_size=100)
def list_units(request: HttpRequest, kind: UnitKind | None = None) -> list[Unit]:
    """Units the caller may see, in tree order; `kind` filters by unit type."""
    units = units_visible_to(_user(request)).order_by("path")
    if kind:
        units = units.filter(kind=kind)
    return units  # type: ignore[return-value]


@router.get("/units/{unit_id}", response=UnitOut, summary="单位详情")
def get_unit(request: HttpRequest, unit_id: ObjectId) -> Unit:
    return get_unit_for_user(_user(request), unit_id)


_ROLES = Prefetch("roles", queryset=PersonRole.objects.select_related("unit").order_by("kind"))


@router.get("/people", response=list[PersonOut], summary="人员列表（脱敏）")
@paginate(Pages, page_size=50)
def list_people(
    request: HttpRequest,
    q: str = Query("", max_length=50, pattern=r"^[^\x00]*$", description="姓名、全拼或拼音首字母"),
    unit_id: ObjectId | None = None,
    role: RoleKind | None = None,
    gender: Gender | None = None,
) -> list[Person]:
    """People the caller may see; `q` matches the name, its pinyin or pinyin initials. Phone and ID are masked."""
    user = _user(request)
    unit = get_unit_for_user(user, unit_id) if unit_id else None
    people = people_search(user, q=q, unit=unit, role=role or "", gender=gender or "")
    return people.prefetch_related(_ROLES)  # type: ignore[return-value]


@router.get("/people/{person_id}", response=PersonOut, summary="人员详情（脱敏）")
def get_person(request: HttpRequest, person_id: ObjectId) -> Person:
    return get_person_for_user(_user(request), person_id)


@router.post(
    "/people/{person_id}/reveal",
    response=RevealOut,
    summary="查看完整手机号码或身份证号码（记入审计日志）",
)
def reveal_person_field(
    request: HttpRequest, person_id: ObjectId, field: Literal["phone", "id_number"]
) -> RevealOut:
    """Only roles allowed to unmask (党政办, 系统管理员); each call is an audit event."""
    user = _user(request)
    person = get_person_for_user(user, person_id)
    return RevealOut(field=field, value=person_reveal(actor=user, person=person, field=field))


# Chinese names of this router's request fields, for refusals (registered in OrgConfig.ready()).
FIELD_LABELS = {
    "role": _("身份"),
    "gender": _("性别"),
    "kind": _("单位类型"),
    "unit_id": _("单位编号"),
    "person_id": _("人员编号"),
    "field": _("字段"),
    "name": _("姓名"),
    "phone": _("联系电话"),
}
