"""How well duplicates are found: pair precision and recall on the hand-written messages.

The evaluation set (`bench/data/residents_messages.jsonl`) labels residents reporting the same
concrete thing with one `cluster`; every cluster and every planted near miss lies inside one
split. Each split is grouped as one inbox would be (`pair_score.group`), and scored by pairs:
a pair of messages is a duplicate pair when both carry the same cluster label; precision is
the share of the pairs grouped together that are duplicate pairs, recall the share of
duplicate pairs grouped together. A cluster is "found whole" when one group holds exactly its
messages. Tune on dev; test is the held-out figure.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

from django.conf import settings

from zhenwu.suggestions import facets as F
from zhenwu.suggestions import pair_score as S
from zhenwu.suggestions.text import Catalogue

MESSAGES = Path(settings.BASE_DIR) / "bench" / "data" / "residents_messages.jsonl"
TUNING = Path(settings.BASE_DIR) / "bench" / "data" / "similarity_tuning.jsonl"
TARGET_RECALL = 0.70
TARGET_PRECISION = 0.85


@dataclass(frozen=True)
class Labelled:
    id: int
    text: str
    village: str | None  # the resident's pick on the form
    cluster: str | None
    split: str


def load(path: Path = MESSAGES, *, default_split: str = "dev") -> list[Labelled]:
    """The labelled messages of a JSON-lines file (`id`, `text`, optional `village`, `cluster`
    and `split`); a row without a split is put in `default_split`."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [
        Labelled(
            r["id"],
            r["text"],
            r.get("village") or None,
            r.get("cluster") or None,
            r.get("split") or default_split,
        )
        for r in rows
    ]


@dataclass
class PairFigures:
    split: str
    messages: int = 0
    duplicate_pairs: int = 0
    grouped_pairs: int = 0
    right_pairs: int = 0
    clusters: int = 0
    whole: int = 0
    missed: list[tuple[int, int]] = field(default_factory=list)  # duplicate pairs not grouped (ids)
    wrong: list[tuple[int, int]] = field(default_factory=list)  # pairs grouped that are not duplicates

    @property
    def precision(self) -> float | None:
        return self.right_pairs / self.grouped_pairs if self.grouped_pairs else None

    @property
    def recall(self) -> float | None:
        return self.right_pairs / self.duplicate_pairs if self.duplicate_pairs else None

    @property
    def meets_target(self) -> bool:
        return (self.recall or 0) >= TARGET_RECALL and (self.precision or 0) >= TARGET_PRECISION


def pair_figures(
    split: str,
    labels: Sequence[str | None],
    groups: Sequence[Sequence[int]],
    ids: Sequence[int] | None = None,
) -> PairFigures:
    """Score `groups` (indexes into `labels`) against the cluster labels."""
    ids = list(ids) if ids is not None else list(range(len(labels)))
    gold = {(i, j) for i, j in combinations(range(len(labels)), 2) if labels[i] and labels[i] == labels[j]}
    found = {(min(i, j), max(i, j)) for g in groups for i, j in combinations(g, 2)}
    members: dict[str, set[int]] = defaultdict(set)
    for i, label in enumerate(labels):
        if label:
            members[label].add(i)
    made = [set(g) for g in groups]
    return PairFigures(
        split=split,
        messages=len(labels),
        duplicate_pairs=len(gold),
        grouped_pairs=len(found),
        right_pairs=len(gold & found),
        clusters=len(members),
        whole=sum(1 for m in members.values() if m in made),
        missed=[(ids[i], ids[j]) for i, j in sorted(gold - found)],
        wrong=[(ids[i], ids[j]) for i, j in sorted(found - gold)],
    )


def places_of(messages: Sequence[Labelled]) -> F.Places:
    """The villages and communities residents could pick on the form: the town's registry the
    sets were written for (the demo town's), and any other place a message picks."""
    from zhenwu.demo.town import COMMUNITIES, VILLAGES

    picked = sorted({*VILLAGES, *COMMUNITIES, *(m.village for m in messages if m.village)})
    return F.places_from((None, name, "") for name in picked)


def evaluate(
    messages: Sequence[Labelled], *, catalogue: Catalogue, places: F.Places | None = None
) -> dict[str, PairFigures]:
    """Each split grouped as one inbox, scored by pairs."""
    places = places or places_of(messages)
    by_split: dict[str, list[Labelled]] = defaultdict(list)
    for m in messages:
        by_split[m.split].append(m)
    figures = {}
    for split, rows in sorted(by_split.items()):
        found = [F.facets_of(m.text, village=m.village, places=places, catalogue=catalogue) for m in rows]
        groups = S.group(S.inbox(found))
        figures[split] = pair_figures(split, [m.cluster for m in rows], groups, [m.id for m in rows])
    return figures
