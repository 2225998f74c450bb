"""The town's departments, places and people as a sheet names them, preloaded once.

Departments are matched by name, by short name, and by the town's alias table
(DepartmentAlias), each compared as a key: NFKC, no spaces, no leading 镇/乡/街道 or the
town's own name, 办公室 read as 办 — so 镇党政办, 党政办公室 and 党 政 办 are 党政办. A name
that only resembles a department (建设办 inside 村镇建设办, 经发办 as the initials of
经济发展办) is never taken on its own: the preview offers it and the office confirms it,
optionally remembering it as an alias.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum

from zhenwu.ledger.selectors import DepartmentNames
from zhenwu.org.constants import PLACE_KINDS
from zhenwu.org.models import Person, Unit
from zhenwu.org.scope import people_of_town_q

# Short forms common to township offices, by key, for the departments they name when the
# town has a department of that name.
SHORT_FORMS = {
    "经发办": "经济发展办",
    "经济办": "经济发展办",
    "社事办": "社会事务办",
    "村建办": "村镇建设办",
    "农服中心": "农业服务中心",
    "农业中心": "农业服务中心",
    "劳保所": "劳动保障所",
    "国土资源所": "国土所",
    "政务服务中心": "政务快捷服务中心",
    "便民服务中心": "政务快捷服务中心",
    "失地农民中心": "失地农民服务中心",
}


def _resembles(short: str, name: str) -> bool:
    """`short` could abbreviate `name`: inside it (建设办 in 村镇建设办), or its characters in
    order ending alike (经发办 for 经济发展办)."""
    if len(short) < 2 or short == name:
        return False
    if short in name:
        return True
    rest = iter(name)
    return short[-1] == name[-1] and all(ch in rest for ch in short)


class MatchHow(StrEnum):
    """How a sheet's department name was matched."""

    NONE = ""  # not matched
    NAME = "name"
    SHORT_NAME = "short_name"
    ALIAS = "alias"  # the town's alias table
    SHORT_FORM = "short_form"  # SHORT_FORMS
    CHOSEN = "chosen"  # the office's choice in this preview


class PersonMatch(StrEnum):
    """Whether a sheet's name is one person of the registry."""

    FOUND = ""
    SAME_NAME = "same_name"  # several people of that name, none in the row's department
    MISSING = "missing"


@dataclass(frozen=True)
class Match:
    unit: Unit | None
    how: MatchHow = MatchHow.NONE
    candidates: tuple[Unit, ...] = ()  # when not matched: what it may mean (for the preview)
    ambiguous: bool = False  # the key names several departments


class Directory(DepartmentNames):
    """Units and people loaded once, so planning 10,000 rows costs a handful of queries."""

    def __init__(self, town_id: int, *, mappings: dict[str, int] | None = None) -> None:
        super().__init__(town_id)
        # The office's choices in this preview: key → department id.
        self.mappings = {k: self.by_id[v] for k, v in (mappings or {}).items() if v in self.by_id}
        self._memo: dict[str, Match] = {}
        self.places: dict[str, Unit] = {}
        for unit in Unit.objects.filter(town_id=town_id, kind__in=PLACE_KINDS):
            self.places[unit.name] = unit
            for suffix in ("村民委员会", "居民委员会", "村委会", "居委会"):
                self.places.setdefault(unit.name.removesuffix(suffix), unit)
        self.people: dict[str, list[Person]] = defaultdict(list)
        for person in Person.objects.filter(people_of_town_q(town_id)).only(
            "id", "name", "unit_id", "town_id"
        ):
            self.people[unicodedata.normalize("NFKC", person.name)].append(person)

    def department(self, text: str) -> Match:
        key = self.key(text)
        if key not in self._memo:
            self._memo[key] = self._match(key)
        return self._memo[key]

    def department_unchosen(self, text: str) -> Match:
        """What `text` would match without the office's choice (what the preview offered)."""
        return self._match(self.key(text), chosen=False)

    def _match(self, key: str, *, chosen: bool = True) -> Match:
        if not key:
            return Match(None)
        if chosen and key in self.mappings:
            return Match(self.mappings[key], MatchHow.CHOSEN)
        if key in self.aliases:
            return Match(self.aliases[key], MatchHow.ALIAS)
        found = self.by_key.get(key, [])
        if len(found) == 1:
            return Match(found[0][0], MatchHow(found[0][1]))
        if len(found) > 1:
            return Match(None, candidates=tuple(u for u, _ in found), ambiguous=True)
        if (full := SHORT_FORMS.get(key)) and len(self.by_key.get(full, [])) == 1:
            return Match(self.by_key[full][0][0], MatchHow.SHORT_FORM)
        candidates = [u for u in self.departments if _resembles(key, self.key(u.name))]
        return Match(None, candidates=tuple(candidates))

    def person(self, name: str, department: Unit | None) -> tuple[Person | None, PersonMatch]:
        found = self.people.get(name, [])
        if len(found) == 1:
            return found[0], PersonMatch.FOUND
        if len(found) > 1 and department is not None:
            local = [p for p in found if p.unit_id == department.pk]
            if len(local) == 1:
                return local[0], PersonMatch.FOUND
        return None, (PersonMatch.SAME_NAME if found else PersonMatch.MISSING)
