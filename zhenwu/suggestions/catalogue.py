"""The town's 派单目录 (dispatch catalogue): which office takes which matter, in residents' words.

A new town routes well on day one because the catalogue ships with the product
(`data/dispatch_catalogue.toml`). It is copied into the town's own tables the first time
routing needs it (`catalogue_seed`), matching each standard office to the town's departments
by name, short name and the names residents use; an office the town does not have is
reported on the catalogue page, kept there for the office to assign, and never routed to.
From then on the office edits its copy (`routing_topic_save`, `routing_topic_delete`), each
change audited. Routing reads a per-process snapshot (`town_catalogue`), rebuilt when the
catalogue's version changes.
"""

from __future__ import annotations

import re
import threading
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from zhenwu.core.actors import DEMO, MIGRATE, Actor, is_system
from zhenwu.core.audit import audit_record
from zhenwu.core.models import AuditEvent
from zhenwu.core.refusals import refuse_fields, require
from zhenwu.ledger.constants import Category
from zhenwu.ledger.selectors import DepartmentNames
from zhenwu.org.constants import UnitKind
from zhenwu.org.models import Town, Unit
from zhenwu.org.roles import is_office
from zhenwu.suggestions import text
from zhenwu.suggestions.constants import SuggestionAudit
from zhenwu.suggestions.models import RoutingCatalogue, RoutingTopic

SHIPPED = Path(__file__).parent / "data" / "dispatch_catalogue.toml"
OFFICE_NAMES_TOPIC = "部门名称"  # the name of each office's names_office topic
WORD_MAX_CHARS = 20
WORDS_MAX = 300
_SPLIT = re.compile(r"[\s,，、;；/|]+")


@dataclass(frozen=True)
class ShippedTopic:
    key: str
    name: str
    office: str
    category: str
    words: tuple[str, ...]
    weak: tuple[str, ...]
    outranks: tuple[str, ...]
    names_office: bool = False


@lru_cache(maxsize=1)
def shipped() -> tuple[int, tuple[ShippedTopic, ...]]:
    """The shipped catalogue's version and topics, offices' names topics first."""
    data = tomllib.loads(SHIPPED.read_text(encoding="utf-8"))
    topics: list[ShippedTopic] = []
    for office in data["office"]:
        name = office["name"]
        topics.append(
            ShippedTopic(
                f"names:{name}", OFFICE_NAMES_TOPIC, name, "", tuple(office["aliases"]), (), (), True
            )
        )
        for t in office.get("topic", []):
            topics.append(
                ShippedTopic(
                    t["key"],
                    t["name"],
                    name,
                    t.get("category", ""),
                    tuple(t["words"]),
                    tuple(t.get("weak", ())),
                    tuple(t.get("outranks", ())),
                )  # fmt: skip
            )
    return int(data.get("version", 1)), tuple(topics)


def parse_words(value: str | Sequence[str]) -> list[str]:
    """Words as the office types them: separated by 、，; spaces or lines; duplicates dropped."""
    pieces = _SPLIT.split(value) if isinstance(value, str) else [w.strip() for w in value]
    seen: dict[str, None] = {}
    for piece in pieces:
        if piece:
            seen.setdefault(piece, None)
    return list(seen)


def match_department(office: str, aliases: Sequence[str], names: DepartmentNames) -> Unit | None:
    """The town's department for a catalogue office: its name first, then the names residents
    use, each as the ledger compares a department's name (DepartmentNames: the office's alias
    table, the name, the short name). A name two departments answer to matches neither: the
    office picks on the page."""
    for candidate in (office, *aliases):
        if (found := names.named(candidate)) is not None:
            return found
    return None


def _may_edit(actor: Actor) -> bool:
    return is_office(actor) or is_system(actor, MIGRATE, DEMO)


def _bump(**fields: object) -> RoutingCatalogue:
    state, _created = RoutingCatalogue.objects.select_for_update().get_or_create(pk=1)
    state.version += 1
    for name, value in fields.items():
        setattr(state, name, value)
    state.save()
    return state


@dataclass(frozen=True)
class SeedReport:
    created: int
    matched: int
    unmatched: dict[str, list[str]]  # catalogue office → its topics, where the town has no department


def _refresh(row: RoutingTopic, shipped_topic: ShippedTopic) -> bool:
    """Bring a topic the office never edited up to the shipped file; True when it changed."""
    fields = {
        "name": shipped_topic.name, "category": shipped_topic.category,
        "words": "、".join(shipped_topic.words), "weak_words": "、".join(shipped_topic.weak),
    }  # fmt: skip
    changed = [name for name, value in fields.items() if getattr(row, name) != value]
    for name in changed:
        setattr(row, name, fields[name])
    if changed:
        row.full_clean()
        row.save(update_fields=[*changed, "updated_at"])
    return bool(changed)


def catalogue_seed(*, actor: Actor) -> SeedReport:
    """Copy the shipped catalogue's missing topics into the town's and match their departments.

    Safe to run again: a topic the town already has (by key) is left as the office edited
    it, except that one still without a department is matched again (the department may
    have been created since). Topics the office deleted are not brought back.
    """
    require(_may_edit(actor), _("只有党政办可以维护派单目录"))
    version, topics = shipped()
    departments = catalogue_departments()
    aliases = {t.office: t.words for t in topics if t.names_office}
    RoutingCatalogue.objects.get_or_create(pk=1)  # a row to lock: two first uses seed once
    with transaction.atomic():
        state = RoutingCatalogue.objects.select_for_update().get(pk=1)
        removed = set(state.removed_keys)
        existing = {t.key: t for t in RoutingTopic.objects.exclude(key="")}
        # A topic the office saved is the office's: a newer shipped file leaves it alone. One
        # it never touched is still the shipped one, so it takes the newer words and tie-breaks.
        edited = set(
            AuditEvent.objects.filter(
                action=SuggestionAudit.TOPIC_SAVED, object_type="suggestions.routingtopic"
            ).values_list("object_id", flat=True)
        )
        untouched = {key for key, row in existing.items() if str(row.pk) not in edited}
        new: set[str] = set()
        refreshed: set[str] = set()
        placed: dict[str, str] = {}  # topic → the department this run gave it, for the audit log
        for order, t in enumerate(topics):
            department = match_department(t.office, aliases.get(t.office, ()), departments)
            row = existing.get(t.key)
            if row is None and t.key not in removed:
                row = RoutingTopic(
                    key=t.key, name=t.name, office_name=t.office, department=department,
                    category=t.category, words="、".join(t.words), weak_words="、".join(t.weak),
                    names_office=t.names_office, sort_order=order,
                )  # fmt: skip
                row.full_clean()  # the shipped file is data too: a bad entry is refused, not stored
                row.save()
                existing[t.key] = row
                new.add(t.key)
            if row is not None and t.key in untouched and _refresh(row, t):
                refreshed.add(t.key)
            if row is not None and row.department_id is None and department is not None:
                row.department = department
                row.save(update_fields=["department", "updated_at"])
            elif t.key not in new:
                continue
            if department is not None:
                placed[t.name] = department.name
        shipped_rows = new | untouched
        for t in topics:  # the shipped tie-breaks, where neither side is the office's own edit
            if t.key in shipped_rows:
                beaten = [existing[k] for k in t.outranks if k in shipped_rows and k in existing]
                if beaten:
                    existing[t.key].outranks.add(*beaten)
        created = len(new)
        rows = list(existing.values())
        unmatched: dict[str, list[str]] = {}
        for row in rows:
            if row.department_id is None:
                unmatched.setdefault(row.office_name, []).append(row.name)
        report = SeedReport(created, sum(r.department_id is not None for r in rows), unmatched)
        state = _bump(seeded_at=timezone.now(), shipped_version=version)
        audit_record(
            actor=actor, action=SuggestionAudit.CATALOGUE_SEEDED, obj=state,
            after={
                "created": created, "refreshed": sorted(refreshed), "matched": report.matched, "placed": placed,
                "unmatched": unmatched, "shipped": version,
            },
        )  # fmt: skip
    return report


def _check_words(words: list[str], label: str, *, required: bool) -> str | None:
    if required and not words:
        return _("%(label)s：至少填写一个词") % {"label": label}
    if len(words) > WORDS_MAX:
        return _("%(label)s：最多%(n)s个词") % {"label": label, "n": WORDS_MAX}
    for word in words:
        if len(word) > WORD_MAX_CHARS:
            return _("%(label)s：“%(w)s”太长（每个词最多%(n)s个字）") % {
                "label": label, "w": word[:30], "n": WORD_MAX_CHARS,
            }  # fmt: skip
        if "\x00" in word or not text.normalise(word):
            return _("%(label)s：“%(w)s”不是可以匹配的词") % {"label": label, "w": word[:30]}
    return None


def department_named(name: str) -> Unit | None:
    """The town's department a catalogue entry names (its name or short name), or None."""
    return catalogue_departments().named(name) if name.strip() else None


def catalogue_departments() -> DepartmentNames:
    """The departments the 派单目录 names. The catalogue is still one for the installation
    (its town comes in step 5 of the county plan), so it names the first town's departments:
    with one town, that town's."""
    first = Town.objects.order_by("pk").values_list("pk", flat=True).first()
    return DepartmentNames(first or 0)


def routing_topic_save(
    *,
    actor: Actor,
    topic: RoutingTopic | None = None,
    name: str,
    department: Unit | None = None,
    office_name: str = "",
    category: str = "",
    words: str | Sequence[str],
    weak_words: str | Sequence[str] = "",
    outranks: Sequence[RoutingTopic] = (),
    names_office: bool | None = None,
) -> RoutingTopic:
    """Create or change a topic. The department is a unit, or named by `office_name`
    (a catalogue written elsewhere): a name the town has no department for is refused."""
    require(_may_edit(actor), _("只有党政办可以维护派单目录"))
    name = (name or "").strip()
    strong, weak = parse_words(words), parse_words(weak_words)
    if department is None and office_name.strip():
        department = department_named(office_name)
    errors: dict[str, str | None] = {
        "name": _("事项：不能为空") if not name else (_("事项：最多40个字") if len(name) > 40 else None),
        "words": _check_words(strong, _("关键词"), required=True),
        "weak_words": _check_words(weak, _("辅助词"), required=False),
        "category": _("问题类别：不是可选的类别") if category and category not in Category.values else None,
    }
    if department is None:
        errors["department"] = (
            _(
                "承办部门：本镇没有名为“%(name)s”的部门（事项“%(topic)s”），请先在单位管理中建立，或改为本镇已有的部门"
            )
            % {"name": office_name.strip()[:50], "topic": name[:40]}
            if office_name.strip()
            else _("承办部门：请选择本镇的一个部门")
        )
    elif department.kind != UnitKind.DEPARTMENT:
        errors["department"] = _("承办部门：“%(name)s”不是镇政府部门") % {"name": department.name}
    if topic is not None and any(o.pk == topic.pk for o in outranks):
        errors["outranks"] = _("优先于：不能选择事项本身")
    refuse_fields(errors)
    assert department is not None
    with transaction.atomic():
        before = _topic_fields(topic) if topic is not None else None
        row = topic or RoutingTopic(sort_order=RoutingTopic.objects.count())
        row.name = name
        row.department = department
        row.office_name = department.name
        row.category = category
        row.words = "、".join(strong)
        row.weak_words = "、".join(weak)
        if names_office is not None:
            row.names_office = names_office
        row.full_clean()
        row.save()
        row.outranks.set(list(outranks))
        _bump()
        audit_record(
            actor=actor, action=SuggestionAudit.TOPIC_SAVED, obj=row, before=before, after=_topic_fields(row)
        )  # fmt: skip
    return row


def routing_topic_delete(*, actor: Actor, topic: RoutingTopic) -> None:
    require(_may_edit(actor), _("只有党政办可以维护派单目录"))
    with transaction.atomic():
        before = _topic_fields(topic)
        audit_record(actor=actor, action=SuggestionAudit.TOPIC_DELETED, obj=topic, before=before)
        topic.outranks.clear()
        topic.outranked_by.clear()
        key = topic.key
        topic.delete()
        if key:  # a shipped topic the office removed stays removed when the catalogue is seeded again
            state = RoutingCatalogue.objects.select_for_update().get_or_create(pk=1)[0]
            _bump(removed_keys=sorted({*state.removed_keys, key}))
        else:
            _bump()


def _topic_fields(topic: RoutingTopic) -> dict[str, object]:
    return {
        "name": topic.name,
        "department": topic.department_id,
        "office_name": topic.office_name,
        "category": topic.category,
        "words": topic.words,
        "weak_words": topic.weak_words,
        "outranks": sorted(o.pk for o in topic.outranks.all()) if topic.pk else [],
    }


# ---------------------------------------------------------------------------------------
# Reads


def catalogue_topics() -> list[RoutingTopic]:
    """Every topic with its department and tie-breaks, for the catalogue page (3 queries)."""
    return list(
        RoutingTopic.objects.select_related("department")
        .prefetch_related(
            Prefetch("outranks", queryset=RoutingTopic.objects.only("id", "name", "office_name"))
        )
        .order_by("department__sort_order", "sort_order", "id")
    )


_snapshot_lock = threading.Lock()
_snapshot: tuple[int, text.Catalogue] | None = None


def _build(rows: Sequence[RoutingTopic]) -> text.Catalogue:
    topics = []
    for row in rows:
        if row.department is None:
            continue  # the office has to give it a department first
        words = parse_words(row.words)
        if row.names_office:  # the town's own names for the department count as naming it
            words += [w for w in (row.department.name, row.department.short_name) if w and w not in words]
        topics.append(
            text.Topic(
                key=f"t{row.pk}",
                name=row.name,
                office=row.department.name,
                department=row.department_id,
                words=tuple(words),
                weak=tuple(parse_words(row.weak_words)),
                category=row.category,
                outranks=tuple(f"t{o.pk}" for o in row.outranks.all()),
                names_office=row.names_office,
            )  # fmt: skip
        )
    return text.Catalogue(tuple(topics))


def unmatched_offices() -> dict[str, list[str]]:
    """Catalogue offices the town has no department for, with their topics (never routed to)."""
    found: dict[str, list[str]] = {}
    for office, name in RoutingTopic.objects.filter(department__isnull=True).values_list(
        "office_name", "name"
    ):
        found.setdefault(office, []).append(name)
    return found


def town_catalogue() -> text.Catalogue:
    """The town's catalogue as routing reads it; seeded from the shipped one on first use.

    One query when nothing changed since the last call in this process. Before the town has
    any department there is nothing to route to, and nothing is seeded.
    """
    global _snapshot
    state = RoutingCatalogue.objects.filter(pk=1).values_list("version", "seeded_at").first()
    if state is None or state[1] is None:
        if not Unit.objects.filter(kind=UnitKind.DEPARTMENT).exists():
            return text.Catalogue(())
        catalogue_seed(actor=MIGRATE)
        state = RoutingCatalogue.objects.filter(pk=1).values_list("version", "seeded_at").get()
    version = state[0]
    with _snapshot_lock:
        if _snapshot is not None and _snapshot[0] == version:
            return _snapshot[1]
    built = _build(catalogue_topics())
    with _snapshot_lock:
        _snapshot = (version, built)
    return built


def shipped_catalogue() -> text.Catalogue:
    """The shipped catalogue on its own, offices by name (no town, no database)."""
    _version, topics = shipped()
    keys = {t.key for t in topics}
    return text.Catalogue(
        tuple(
            text.Topic(
                key=t.key,
                name=t.name,
                office=t.office,
                words=t.words,
                weak=t.weak,
                category=t.category,
                outranks=tuple(k for k in t.outranks if k in keys),
                names_office=t.names_office,
            )  # fmt: skip
            for t in topics
        )
    )
