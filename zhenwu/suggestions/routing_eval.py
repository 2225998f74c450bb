"""How well routing does: on held-back history, and on residents' messages written by hand.

`evaluate(examples, catalogue)` trains on the older 80 % of the town's decisions and scores
the newest 20 % (time order, no peeking ahead): the n-gram model alone (as the product did
before the catalogue), the catalogue alone, and the two combined as `route` does.

`evaluate_messages(messages, rank)` scores a ranking function on the evaluation set
(`bench/data/residents_messages.jsonl`: text, office, an optional defensible second office,
split dev/test). Tune on dev; test is the held-out figure.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from zhenwu.suggestions.routing import Example, fit, rank
from zhenwu.suggestions.text import Catalogue

MESSAGES = Path(settings.BASE_DIR) / "bench" / "data" / "residents_messages.jsonl"


@dataclass(frozen=True)
class Report:
    trained: int
    held_out: int
    department_top1: float | None  # the n-gram model alone
    department_top3: float | None
    category_top1: float | None
    catalogue_top1: float | None  # the catalogue alone, no history
    combined_top1: float | None  # catalogue and history, as suggested
    combined_top3: float | None


def _hits(ranked: list[list[str]], truth: list[str], k: int) -> float | None:
    if not truth:
        return None
    return sum(t in r[:k] for r, t in zip(ranked, truth, strict=True)) / len(truth)


def _model_ranking(model: object, text: str) -> list[str]:
    from zhenwu.suggestions.routing import _ranked

    return [v for v, _p in _ranked(model, text)]


def evaluate(examples: Sequence[Example], catalogue: Catalogue | None = None) -> Report:
    """Train on the older 80 %, score on the newest 20 %."""
    cut = int(len(examples) * 0.8)
    train, test = list(examples[:cut]), list(examples[cut:])
    if not train or not test:
        return Report(len(train), len(test), None, None, None, None, None, None)
    catalogue = catalogue or Catalogue(())
    models = fit(train, catalogue)
    truth = [e.department for e in test]
    alone = [_model_ranking(models["department"], e.text) for e in test]
    categories = [_model_ranking(models["category"], e.text) for e in test]
    by_catalogue = [[r.office for r in rank(e.text, catalogue)] for e in test]
    combined = [[r.office for r in rank(e.text, catalogue, models)] for e in test]
    return Report(
        trained=len(train),
        held_out=len(test),
        department_top1=_hits(alone, truth, 1),
        department_top3=_hits(alone, truth, 3),
        category_top1=_hits(categories, [e.category for e in test], 1),
        catalogue_top1=_hits(by_catalogue, truth, 1),
        combined_top1=_hits(combined, truth, 1),
        combined_top3=_hits(combined, truth, 3),
    )


@dataclass(frozen=True)
class Message:
    id: int
    text: str
    office: str
    second: str | None
    split: str


def load_messages(path: Path = MESSAGES) -> list[Message]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Message(r["id"], r["text"], r["office"], r.get("second"), r.get("split", "dev")) for r in rows]


@dataclass
class SetFigures:
    """Figures on one split: counts kept beside the rates, so a reader can check them."""

    split: str
    total: int = 0
    unambiguous: int = 0
    top1_unambiguous: int = 0
    top1_with_second: int = 0
    top3: int = 0
    per_office: dict[str, list[int]] = field(default_factory=dict)  # office → [messages, right first]
    misses: list[tuple[Message, list[str]]] = field(default_factory=list)

    @staticmethod
    def rate(hits: int, total: int) -> float | None:
        return hits / total if total else None


def evaluate_messages(
    messages: Sequence[Message], ranking: Callable[[str], list[str]]
) -> dict[str, SetFigures]:
    """Top-1 on messages with one defensible office, top-1 counting the second as right,
    top-3, and per office, for each split."""
    figures: dict[str, SetFigures] = {}
    for m in messages:
        f = figures.setdefault(m.split, SetFigures(m.split))
        ranked = ranking(m.text)[:3]
        first = ranked[0] if ranked else None
        f.total += 1
        if m.second is None:
            f.unambiguous += 1
            f.top1_unambiguous += first == m.office
        f.top1_with_second += first in {m.office, m.second}
        f.top3 += m.office in ranked
        counts = f.per_office.setdefault(m.office, [0, 0])
        counts[0] += 1
        counts[1] += first == m.office
        if first not in {m.office, m.second}:
            f.misses.append((m, ranked))
    return figures
