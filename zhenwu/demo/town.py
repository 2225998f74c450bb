"""The seed's ××镇 as a data set: 46 party organisations, 2767 members, departments, leaders.

Built reproducibly from a fixed random seed, so every fresh install shows the same town
and the figures quoted in the report (1 社区党委, 1 总支, 44 支部, 2767 名党员) come out of
the records. Units and accounts go through the services; the 2,767 members are written
in bulk inside one audited transaction ("demo.seeded"), which takes a second instead of
a minute and still leaves one audit event saying exactly what was created.
"""

from __future__ import annotations

import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from zhenwu.core.actors import DEMO, Actor
from zhenwu.core.audit import audit_record
from zhenwu.demo import names
from zhenwu.demo.base import TOWN, DemoTown
from zhenwu.demo.bulletins import seed_bulletins
from zhenwu.demo.constants import DEMO_PASSWORD, DemoAudit
from zhenwu.demo.evaluation import seed_evaluation
from zhenwu.demo.ledger import seed_ledger
from zhenwu.demo.suggestions import seed_suggestions
from zhenwu.org.constants import AccountRole, Gender, RoleKind, UnitKind
from zhenwu.org.models import Person, PersonRole, Unit, User
from zhenwu.org.services import account_create, name_pinyin, unit_create

SEED = 2009
PARTY_MEMBERS = 2767

DEPARTMENTS = (
    "党政办",
    "经济发展办",
    "社会事务办",
    "村镇建设办",
    "农业服务中心",
    "财政所",
    "劳动保障所",
    "国土所",
    "派出所",
    "政务快捷服务中心",
    "失地农民服务中心",
)
VILLAGES = [
    "红岩村",
    "石桥村",
    "白鹤村",
    "青龙村",
    "金山村",
    "龙泉村",
    "柏林村",
    "桂花村",
    "双河村",
    "新华村",
    "马鞍村",
    "五里村",
    "长岭村",
    "回龙村",
    "高峰村",
    "凤凰村",
    "清水村",
    "太平村",
    "永安村",
    "和平村",
    "光明村",
    "幸福村",
    "团结村",
    "大坪村",
    "黄桷村",
    "观音村",
    "三星村",
    "莲花村",
    "狮子村",
    "庙湾村",
]
COMMUNITIES = ("滨江社区", "西拓社区")
COMMUNITY_BRANCHES = ("滨江社区第一党支部", "滨江社区第二党支部", "西拓社区党支部", "社区离退休党支部")
ORGAN_BRANCHES = ("机关第一党支部", "机关第二党支部", "站所党支部")
OTHER_BRANCHES = (
    "镇中心小学党支部",
    "镇中学党支部",
    "镇卫生院党支部",
    "天蓝公司党支部",
    "供电所党支部",
    "农业园区党支部",
    "个体私营经济党支部",
)
# Leaders in office: (title, unit short name) — plus second-line leaders below.
LEADERS = (
    ("党委书记", "party"),
    ("党委副书记、镇长", "gov"),
    ("党委副书记", "party"),
    ("人大主席", "party"),
    ("纪委书记", "party"),
    ("副镇长", "gov"),
    ("副镇长", "gov"),
    ("副镇长", "gov"),
    ("组织委员", "party"),
    ("宣传委员", "party"),
    ("武装部长", "party"),
)
SECOND_LINE = ("原人大主席", "原党委副书记", "原副镇长", "原副镇长", "原纪委书记", "原武装部长")


def _unit(actor: Actor, name: str, kind: str, parent: Unit | None, order: int = 0) -> Unit:
    return unit_create(actor=actor, name=name, kind=kind, parent=parent, sort_order=order)


def build_units(actor: Actor, town: DemoTown) -> None:
    town.party = _unit(actor, f"中共{TOWN}委员会", UnitKind.TOWN_COMMITTEE, None, 1)
    town.government = _unit(actor, f"{TOWN}人民政府", UnitKind.TOWN_GOVERNMENT, None, 2)
    for i, name in enumerate(DEPARTMENTS):
        town.departments[name] = _unit(actor, name, UnitKind.DEPARTMENT, town.government, i)
    community = _unit(actor, "滨江社区党委", UnitKind.COMMUNITY_COMMITTEE, town.party, 1)
    organs = _unit(actor, "镇机关党总支", UnitKind.GENERAL_BRANCH, town.party, 2)
    town.branches += [
        _unit(actor, n, UnitKind.BRANCH, community, i) for i, n in enumerate(COMMUNITY_BRANCHES)
    ]
    town.branches += [_unit(actor, n, UnitKind.BRANCH, organs, i) for i, n in enumerate(ORGAN_BRANCHES)]
    for i, village in enumerate(VILLAGES):
        town.branches.append(_unit(actor, f"{village}党支部", UnitKind.BRANCH, town.party, 10 + i))
        town.villages[village] = _unit(
            actor, f"{village}村民委员会", UnitKind.VILLAGE_COMMITTEE, town.government, 20 + i
        )
    for i, name in enumerate(OTHER_BRANCHES):
        town.branches.append(_unit(actor, name, UnitKind.BRANCH, town.party, 50 + i))
    for i, name in enumerate(COMMUNITIES):
        town.villages[name] = _unit(
            actor, f"{name}居民委员会", UnitKind.RESIDENTS_COMMITTEE, town.government, 60 + i
        )


def _branch_weights(branches: list[Unit]) -> list[float]:
    # Village branches carry most members; retired and organ branches fewer; enterprises few.
    weights = []
    for unit in branches:
        if unit.name.endswith("村党支部"):
            weights.append(1.4)
        elif "社区" in unit.name:
            weights.append(1.6)
        elif unit.name in ORGAN_BRANCHES:
            weights.append(0.8)
        else:
            weights.append(0.35)
    return weights


class _People:
    """Collects people and roles for two bulk inserts."""

    def __init__(self, rng: random.Random, town_id: int | None) -> None:
        self.rng = rng
        self.town_id = town_id  # the bulk inserts set what person_create would: the town
        self.people: list[Person] = []
        self.roles: list[tuple[int, str, Unit | None]] = []
        self.used_ids: set[str] = set()

    def add(
        self, *, unit: Unit | None, title: str = "", born: tuple[int, int] = (1940, 1990), **extra: Any
    ) -> int:
        male = self.rng.random() < 0.68
        name = names.person_name(self.rng)
        full, initials = name_pinyin(name)
        person = Person(
            name=name,
            gender=Gender.MALE if male else Gender.FEMALE,
            phone=names.mobile(self.rng) if self.rng.random() < 0.9 else "",
            id_number=names.id_number(
                self.rng, born_from=born[0], born_to=born[1], male=male, used=self.used_ids
            ),
            unit=unit,
            title=title,
            name_pinyin=full,
            name_initials=initials,
            town_id=unit.town_id if unit is not None else self.town_id,
            **extra,
        )
        self.people.append(person)
        return len(self.people) - 1

    def role(self, index: int, kind: str, unit: Unit | None) -> None:
        self.roles.append((index, kind, unit))


def build_people(town: DemoTown, rng: random.Random) -> dict[str, int]:
    assert town.party and town.government
    p = _People(rng, town.party.town_id)
    organ_branch = next(b for b in town.branches if b.name == ORGAN_BRANCHES[0])
    leader_idx = []
    for title, where in LEADERS:
        unit = town.party if where == "party" else town.government
        i = p.add(unit=unit, title=title, born=(1955, 1978))
        p.role(i, RoleKind.LEADER, unit)
        p.role(i, RoleKind.PARTY_MEMBER, organ_branch)
        leader_idx.append(i)
    for title in SECOND_LINE:
        i = p.add(unit=town.party, title=title, born=(1948, 1958), is_second_line=True)
        p.role(i, RoleKind.LEADER, town.party)
        p.role(i, RoleKind.PARTY_MEMBER, organ_branch)
        leader_idx.append(i)
    staff_by_department: dict[str, list[int]] = {}
    organ_branches = [b for b in town.branches if b.name in ORGAN_BRANCHES]
    for name, department in town.departments.items():
        for k in range(rng.randint(3, 6)):
            i = p.add(unit=department, title=("主任" if k == 0 else "工作人员"), born=(1960, 1992))
            p.role(i, RoleKind.TOWN_CADRE, department)
            if rng.random() < 0.8:
                p.role(i, RoleKind.PARTY_MEMBER, rng.choice(organ_branches))
            staff_by_department.setdefault(name, []).append(i)
    members_so_far = sum(1 for _, kind, _ in p.roles if kind == RoleKind.PARTY_MEMBER)
    weights = _branch_weights(town.branches)
    for _ in range(PARTY_MEMBERS - members_so_far):
        branch = rng.choices(town.branches, weights=weights)[0]
        i = p.add(unit=branch, born=(1930, 2002))
        p.role(i, RoleKind.PARTY_MEMBER, branch)
    # Each branch's secretary is one of its members; village secretaries are village cadres too.
    members_by_branch: dict[int, list[int]] = {}
    for i, kind, held_in in p.roles:
        if kind == RoleKind.PARTY_MEMBER and held_in is not None:
            members_by_branch.setdefault(held_in.pk, []).append(i)
    for branch in town.branches:
        candidates = members_by_branch.get(branch.pk) or []
        if not candidates:
            continue
        secretary = rng.choice(candidates)
        p.role(secretary, RoleKind.BRANCH_SECRETARY, branch)
        p.people[secretary].title = "党支部书记"
        village_name = branch.name.removesuffix("党支部")
        if village_name in town.villages:
            p.role(secretary, RoleKind.VILLAGE_CADRE, town.villages[village_name])
    for name, place in town.villages.items():
        for title in ("村委会主任" if name.endswith("村") else "居委会主任", "文书", "妇女主任"):
            i = p.add(unit=place, title=title, born=(1958, 1990))
            p.role(i, RoleKind.VILLAGE_CADRE, place)
    for _ in range(38):
        p.role(rng.randrange(len(p.people)), RoleKind.NPC_DEPUTY, None)
    for _ in range(12):
        p.role(rng.randrange(len(p.people)), RoleKind.CPPCC_MEMBER, None)
    for _ in range(60):
        place = rng.choice(list(town.villages.values()))
        i = p.add(unit=place, born=(1945, 1995))
        p.role(i, RoleKind.PUBLIC_REPRESENTATIVE, place)

    Person.objects.bulk_create(p.people, batch_size=500)
    seen: set[tuple[int, str, int | None]] = set()
    rows = []
    for i, kind, held_in in p.roles:
        key = (i, kind, held_in.pk if held_in else None)
        if key not in seen:
            seen.add(key)
            town_id = held_in.town_id if held_in is not None else p.people[i].town_id
            rows.append(PersonRole(person=p.people[i], kind=kind, unit=held_in, town_id=town_id))
    PersonRole.objects.bulk_create(rows, batch_size=1000)
    town.leaders = [p.people[i] for i in leader_idx]
    town.staff = {name: [p.people[i] for i in idx] for name, idx in staff_by_department.items()}
    town.secretaries = {
        held_in.pk: p.people[i]
        for i, kind, held_in in p.roles
        if kind == RoleKind.BRANCH_SECRETARY and held_in
    }
    return {"people": len(p.people), "roles": len(rows)}


# One demo login per role; build_accounts ties each to a person and unit of the town.
DEMO_LOGINS = {
    AccountRole.OFFICE: "dangzhengban",
    AccountRole.LEADER: "zhenzhang",
    AccountRole.DEPARTMENT: "jingfaban",
    AccountRole.BRANCH: "zhibu",
    AccountRole.INSPECTOR: "dudao",
    AccountRole.SERVICE_CENTER: "chuangkou",
    AccountRole.RESETTLEMENT: "shidi",
    AccountRole.ADMIN: "admin",
}
DEMO_USERNAMES = tuple(DEMO_LOGINS.values())


def build_accounts(actor: Actor, town: DemoTown) -> None:
    """One login per role, each tied to a person of the right unit."""
    staff = town.staff
    village_branch = next(b for b in town.branches if b.name == f"{VILLAGES[0]}党支部")
    who = {
        AccountRole.OFFICE: (staff["党政办"][0], town.departments["党政办"]),
        AccountRole.LEADER: (town.leaders[1], None),
        AccountRole.DEPARTMENT: (staff["经济发展办"][0], town.departments["经济发展办"]),
        AccountRole.BRANCH: (town.secretaries[village_branch.pk], village_branch),
        AccountRole.INSPECTOR: (staff["党政办"][1], None),
        AccountRole.SERVICE_CENTER: (staff["政务快捷服务中心"][0], town.departments["政务快捷服务中心"]),
        AccountRole.RESETTLEMENT: (staff["失地农民服务中心"][0], town.departments["失地农民服务中心"]),
        AccountRole.ADMIN: (None, None),
    }
    for role, username in DEMO_LOGINS.items():
        person, unit = who[role]
        # The one place the published password is set on purpose (validate=False: the rules
        # refuse it), as a first password that must be changed at the first login.
        account_create(
            actor=actor, username=username, password=DEMO_PASSWORD, role=role, person=person, unit=unit,
            must_change_password=True, validate=False,
        )  # fmt: skip
        town.accounts.append((username, DEMO_PASSWORD, str(role.label)))


def seed_town(actor: Actor = DEMO) -> DemoTown:
    rng = random.Random(SEED)
    town = DemoTown()
    with transaction.atomic():
        build_units(actor, town)
        counts = build_people(town, rng)
        audit_record(
            actor=actor,
            action=DemoAudit.DEMO_SEEDED,
            object_type="demo.town",
            object_label=f"演示镇：{TOWN}",
            after={"units": Unit.objects.count(), **counts, "seed": SEED},
        )
        build_accounts(actor, town)
        seed_ledger(town, today=timezone.localdate(), rng=rng)
        seed_suggestions(town, today=timezone.localdate(), rng=rng)
        seed_evaluation(today=timezone.localdate(), rng=rng)
        seed_bulletins(today=timezone.localdate())
    # Routing learns from the campaign's triage decisions, as `zhenwu tick` would do.
    from zhenwu.suggestions.routing import train_and_save

    train_and_save()
    return town


def demo_accounts() -> list[tuple[str, str, str]]:
    """The demo logins still present (for `make run` to print on every start)."""
    users = User.objects.filter(username__in=DEMO_USERNAMES).order_by("id")
    return [(u.username, DEMO_PASSWORD, str(u.get_role_display())) for u in users]


def database_is_empty() -> bool:
    return not Unit.objects.exists() and not User.objects.exists()
