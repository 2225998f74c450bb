"""Repeated complaints: the 5th "路灯坏了" about the same lamps should be merged, not filed again.

A message is reduced to its facets — place, thing, matter (`facets.py`) — and two messages
are scored by a weighted combination of what they share (`pair_score.py`: village and
place agreement, named things, topics, states, content wording, learned from hand-labelled
messages). This module keeps each suggestion's and open problem's facets
(`SimilarityFacets`, made on submit or on first read, made again when what they were made
from changed) and answers the three questions the desk asks, all from that one score:

- `clusters()`: the groups of new suggestions that are one problem (the cluster view, and
  the inbox row's "N条相似");
- `similar_to(suggestion)`: the others in its group and the open problems it matches, each
  with the reason (the triage page and `GET /api/suggestions/{id}/similar`);
- `similar_items(text, village_id=…)`: the same for a text not yet stored.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max

from zhenwu.ledger.constants import OPEN
from zhenwu.ledger.models import Problem
from zhenwu.org.constants import PLACE_KINDS
from zhenwu.org.models import Unit
from zhenwu.suggestions import facets as F
from zhenwu.suggestions import pair_score as S
from zhenwu.suggestions.constants import SuggestionStatus
from zhenwu.suggestions.models import SimilarityFacets, Suggestion
from zhenwu.suggestions.text import Catalogue

CANDIDATES = 3000  # the newest new suggestions grouped, and the newest open problems compared
SIMILAR_PROBLEM, SIMILAR_SUGGESTION = "problem", "suggestion"


@dataclass(frozen=True)
class Similar:
    kind: str  # SIMILAR_PROBLEM or SIMILAR_SUGGESTION
    pk: int
    label: str  # receipt code or problem number
    text: str
    score: float
    reason: str  # 同村（红岩村）· 同一对象（三组路灯）· 同一事项（路灯照明·损坏）

    @property
    def is_problem(self) -> bool:
        return self.kind == SIMILAR_PROBLEM


@dataclass(frozen=True)
class Cluster:
    village: str
    members: list[Suggestion]
    reason: str  # what the first two members share


# ---------------------------------------------------------------------------------------
# What facets are made from: the town's catalogue and its places


@dataclass(frozen=True)
class Basis:
    places: F.Places
    catalogue: Catalogue
    stamp: str  # changes when the catalogue or the places change
    topic_names: dict[str, str]

    def key(self, text: str, village_id: int | None) -> str:
        raw = f"{F.VERSION}|{self.stamp}|{village_id or ''}|{text}"
        return hashlib.sha1(raw.encode("utf-8")).hexdigest()


_lock = threading.Lock()
_bases: dict[tuple[int, tuple[tuple[int, str, str], ...]], Basis] = {}


_merged: tuple[Catalogue, Catalogue] | None = None


def _catalogue() -> Catalogue:
    """The town's catalogue, and the shipped topics of offices the town has not (yet) got.

    Routing leaves those out (there is nowhere to send them); a matter is still a matter
    when no office takes it: two reports of the same broken lamp are one problem either way."""
    from zhenwu.suggestions.catalogue import shipped_catalogue, town_catalogue  # seeds on first use

    global _merged
    town = town_catalogue()
    if _merged is not None and _merged[0] is town:
        return _merged[1]
    offices = {t.office for t in town.topics}
    extra = tuple(t for t in shipped_catalogue().topics if t.office not in offices and not t.names_office)
    merged = Catalogue(town.topics + extra) if extra else town
    _merged = (town, merged)
    return merged


def basis() -> Basis:
    """The catalogue and places facets are made with (two queries; built once per change)."""
    catalogue = _catalogue()
    units = tuple(
        Unit.objects.filter(kind__in=PLACE_KINDS).order_by("id").values_list("id", "name", "short_name")
    )
    memo = (id(catalogue), units)
    with _lock:
        found = _bases.get(memo)
    if found is not None:
        return found
    places = F.places_from(units)
    topics = "|".join(f"{t.key}:{t.office}:{','.join(t.words)}" for t in catalogue.topics)
    stamp = hashlib.sha1(f"{topics}#{places.fingerprint}".encode()).hexdigest()[:16]
    made = Basis(places, catalogue, stamp, {t.key: t.name for t in catalogue.topics})
    with _lock:
        _bases.clear()  # only the current one is ever asked for again
        _bases[memo] = made
    return made


def _facets(basis: Basis, text: str, village: Unit | None) -> F.Facets:
    shown = F.place_name(village.name) if village is not None else None
    return F.facets_of(text, village=shown, places=basis.places, catalogue=basis.catalogue)


@dataclass(frozen=True)
class Made:
    """A message's facets, made before they are kept."""

    key: str
    data: dict[str, Any]


def made_for(text: str, village: Unit | None) -> Made:
    """A new message's facets. Called before the submission's transaction: the first call in a
    process loads the segmenter and its dictionary (seconds), which must not happen while the
    write lock is held — on SQLite every other writer would wait, and some give up."""
    b = basis()
    return Made(b.key(text, village.pk if village else None), _facets(b, text, village).as_json())


def remember(suggestion: Suggestion, made: Made | None = None) -> None:
    """Keep a new suggestion's facets (on submit, so the inbox need not)."""
    made = made or made_for(suggestion.text, suggestion.village)
    SimilarityFacets.objects.update_or_create(
        suggestion=suggestion, defaults={"key": made.key, "data": made.data}
    )


def _kept(b: Basis, owners: Sequence[Suggestion | Problem], *, text_of: str, field: str) -> list[F.Facets]:
    """The owners' facets, from their kept rows (fetched with them), made and kept where
    missing or stale. Writes only what changed: two bulk statements at most."""
    made: list[F.Facets] = []
    new: list[SimilarityFacets] = []
    stale: list[SimilarityFacets] = []
    for owner in owners:
        text = getattr(owner, text_of)
        key = b.key(text, owner.village_id)
        row = getattr(owner, "facets" if field == "suggestion" else "similarity_facets", None)
        if row is not None and row.key == key:
            made.append(F.Facets.from_json(row.data))
            continue
        found = _facets(b, text, owner.village)
        made.append(found)
        if row is None:
            new.append(SimilarityFacets(**{field: owner}, key=key, data=found.as_json()))
        else:
            row.key, row.data = key, found.as_json()
            stale.append(row)
    if new:
        SimilarityFacets.objects.bulk_create(new, ignore_conflicts=True)
    if stale:
        SimilarityFacets.objects.bulk_update(stale, ["key", "data"])
    return made


def _waiting(limit: int) -> list[Suggestion]:
    return list(
        Suggestion.objects.filter(status=SuggestionStatus.RECEIVED)
        .select_related("village", "facets")
        .order_by("-created_at", "-id")[:limit]
    )


def _open_problems(limit: int = CANDIDATES) -> list[Problem]:
    return list(
        Problem.objects.filter(status__in=OPEN)
        .select_related("village", "similarity_facets")
        .order_by("-id")[:limit]
    )


# ---------------------------------------------------------------------------------------
# The groups


@dataclass
class Grouping:
    suggestions: list[Suggestion]
    facets: list[F.Facets]
    box: S.Inbox
    groups: list[list[int]]
    where: dict[int, int]  # suggestion pk → its row in `suggestions`
    basis: Basis
    clusters: list[Cluster] | None = None  # made on first ask

    def group_of(self, pk: int) -> list[int]:
        row = self.where.get(pk)
        for group in self.groups:
            if row in group:
                return group
        return []


# The last grouping this process made, and the state of the inbox it was made from. New
# suggestions only ever arrive with a higher id and leave the inbox for good, so their count
# and highest id (with the catalogue and places it was made with) tell whether anything changed.
_last: tuple[tuple[object, ...], Grouping] | None = None


def grouping(limit: int = CANDIDATES) -> Grouping:
    """The inbox's new suggestions grouped into problems (reused until the inbox changes)."""
    global _last
    b = basis()
    state = Suggestion.objects.filter(status=SuggestionStatus.RECEIVED).aggregate(
        n=Count("id"), last=Max("id")
    )
    key = (state["n"], state["last"], limit, b.stamp)
    if _last is not None and _last[0] == key:
        return _last[1]
    waiting = _waiting(limit)
    found = _kept(b, waiting, text_of="text", field="suggestion")
    box = S.inbox(found)
    made = Grouping(
        suggestions=waiting,
        facets=found,
        box=box,
        groups=S.group(box),
        where={s.pk: row for row, s in enumerate(waiting)},
        basis=b,
    )
    _last = (key, made)
    return made


def clusters(limit: int = CANDIDATES) -> list[Cluster]:
    """Groups of new suggestions that are one problem, largest first, oldest first within."""
    g = grouping(limit)
    if g.clusters is not None:
        return g.clusters
    found = []
    for rows in g.groups:
        ordered = sorted(rows, key=lambda r: (g.suggestions[r].created_at, g.suggestions[r].pk))
        members = [g.suggestions[r] for r in ordered]
        first, second = ordered[0], ordered[1]
        why = S.reason(g.facets[first], g.facets[second], g.basis.topic_names)
        villages = dict.fromkeys(m.village.name for m in members if m.village is not None)
        village = "、".join(F.place_name(v) for v in villages)
        found.append(Cluster(village, members, why))
    g.clusters = found
    return found


def duplicate_counts(suggestions: Iterable[Suggestion]) -> dict[int, int]:
    """For an inbox page: how many other new suggestions each one is the same problem as."""
    g = grouping()
    sizes = {g.suggestions[r].pk: len(group) - 1 for group in g.groups for r in group}
    return {s.pk: sizes.get(s.pk, 0) for s in suggestions}


# ---------------------------------------------------------------------------------------
# One suggestion's (or text's) matches


def _matches(
    target: F.Facets, g: Grouping, *, scored: Iterable[tuple[int, float]], limit: int
) -> list[Similar]:
    """The suggestions scored (row, probability), then the open problems that are the same
    problem as `target`, each with the reason."""
    names = g.basis.topic_names
    out: list[Similar] = []
    for row, prob in scored:
        other = g.suggestions[row]
        why = S.reason(target, g.facets[row], names)
        out.append(Similar(SIMILAR_SUGGESTION, other.pk, other.receipt, other.text, prob, why))
    problems, box = _problem_box(g.basis)
    for row, prob, _values in box.outside(target):
        if prob < box.model.threshold:
            break
        problem = problems[row]
        why = S.reason(target, box.messages[row].facets, names)
        out.append(Similar(SIMILAR_PROBLEM, problem.pk, problem.number, problem.description, prob, why))
    return sorted(out, key=lambda s: (s.is_problem, -s.score))[:limit]


# The open problems scored as one set (their neighbours among each other), reused until a
# problem opens, closes or changes.
_problems: tuple[tuple[object, ...], tuple[list[Problem], S.Inbox]] | None = None


def _problem_box(b: Basis) -> tuple[list[Problem], S.Inbox]:
    global _problems
    state = Problem.objects.filter(status__in=OPEN).aggregate(
        n=Count("id"), last=Max("id"), changed=Max("updated_at")
    )
    key = (state["n"], state["last"], state["changed"], b.stamp)
    if _problems is not None and _problems[0] == key:
        return _problems[1]
    problems = _open_problems()
    box = S.inbox(_kept(b, problems, text_of="description", field="problem"))
    _problems = (key, (problems, box))
    return problems, box


def similar_to(suggestion: Suggestion, *, limit: int = 10) -> list[Similar]:
    """The new suggestions in its group (the cluster view's), then the open problems it is the
    same problem as, each with the reason. A suggestion outside any group (or decided already)
    gets the new suggestions it is the same problem as."""
    g = grouping()
    group = g.group_of(suggestion.pk)
    if group:
        row = g.where[suggestion.pk]
        scored = [(r, g.box.probability(row, r)) for r in group if r != row]
        return _matches(g.facets[row], g, scored=scored, limit=limit)
    stored = Suggestion.objects.select_related("village", "facets").get(pk=suggestion.pk)
    target = _kept(g.basis, [stored], text_of="text", field="suggestion")[0]
    return _direct(target, g, exclude=g.where.get(suggestion.pk), limit=limit)


def seen_by(user: Any, found: list[Similar]) -> list[Similar]:
    """`found` without the problems `user` may not see: the open problems are scored as one set
    for the installation, but another town's problem is not a candidate (nor its text shown)
    for a town's office (issue 15; the suggestions get their own town in step 5)."""
    from zhenwu.ledger.selectors import problems_visible_to

    wanted = [s.pk for s in found if s.is_problem]
    if not wanted:
        return found
    visible = set(problems_visible_to(user).filter(pk__in=wanted).values_list("pk", flat=True))
    return [s for s in found if not s.is_problem or s.pk in visible]


def _direct(target: F.Facets, g: Grouping, *, exclude: int | None, limit: int) -> list[Similar]:
    threshold = g.box.model.threshold
    scored = [(r, prob) for r, prob, _values in g.box.outside(target, exclude=exclude) if prob >= threshold]
    return _matches(target, g, scored=scored, limit=limit)


def similar_items(
    text: str, *, village_id: int | None, exclude_suggestion: int | None = None, limit: int = 5
) -> list[Similar]:
    """New suggestions and open problems that are the same problem as `text`, best first."""
    if not text.strip():
        return []
    g = grouping()
    village = Unit.objects.filter(pk=village_id).first() if village_id else None
    exclude = g.where.get(exclude_suggestion) if exclude_suggestion is not None else None
    return _direct(_facets(g.basis, text, village), g, exclude=exclude, limit=limit)
