"""Which department (and category) should handle a suggestion: the town's 派单目录 first,
improved by what the town's own triage decisions taught it.

Two sources of evidence, combined so that learning improves on the catalogue instead of
replacing it:

- the catalogue (`catalogue.py`, words per matter per office, with tie-breaks and the names
  residents call each office by) scores every office a message's words point to. This is
  what a new town routes by on day one;
- the town's decisions, in two forms: per catalogue topic, which offices the office really
  sent such messages to (a topic's office is a prior worth `PRIOR_DECISIONS` decisions, and
  each decision moves it: a town that sends 山坪塘 to 村镇建设办 teaches it that); and a
  character n-gram TF-IDF logistic regression on the whole text, for what the catalogue's
  words do not cover, weighted by how much history there is.

It only ever suggests, saying why ("因为提到：低保、评定"); a person confirms every routing.
Figures on held-back history and on the hand-written residents' messages are in
`routing_eval.py` and `zhenwu routing-report`.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline

from zhenwu.core.actors import TICK
from zhenwu.core.audit import audit_record
from zhenwu.ledger.constants import Category
from zhenwu.org.constants import UnitKind
from zhenwu.org.models import Unit
from zhenwu.suggestions.constants import LINKED, SuggestionAudit
from zhenwu.suggestions.models import RoutingModel, Suggestion
from zhenwu.suggestions.text import Catalogue, Mention, Topic

HELD_BACK = 0.2
TOP = 3
# The office of general coordination: where a message goes that names no matter of another
# office. Offered last, when the catalogue finds fewer than TOP offices, so the desk always has
# a third choice ("提了三次意见都没回复", "村里大喇叭太早" name no office's matter).
GENERAL_OFFICE = "党政办"
GENERAL_SCORE = 0.05  # below any office the text points to

# How the catalogue's words weigh (tuned on the evaluation set's dev split only).
WEAK_WEIGHT = 0.3  # a weak word (公开, 态度) against a topic's own word
WEAK_CAP = 0.6  # weak words alone never make a topic as strong as one of its own words
SINGLE_CHAR = 0.6  # 偷, 赌, 桥: a one-character word is matched whole but says less
OUTRANKED = 0.25  # what is left of a topic another mentioned topic outranks
NAMED_BONUS = 1.5  # a message that names an office asks for it …
CLEARLY_ELSE = 1.0  # … unless it says nothing of that office's matters and this much of another's
NAMED_TIE = 0.01  # … and then just above the office it displaces from the third place
# History: a topic's own office is worth this many decisions; the n-gram model's say grows
# with the number of decisions it learned from, to LEARNED_WEIGHT at many times HISTORY_HALF.
PRIOR_DECISIONS = 5.0
LEARNED_WEIGHT = 1.0
HISTORY_HALF = 500


@dataclass(frozen=True)
class Guess:
    value: str
    label: str
    confidence: float
    reason: str = ""


@dataclass(frozen=True)
class Routing:
    departments: list[Guess]
    categories: list[Guess]
    by_model: bool  # the town's decisions took part, not the catalogue alone


@dataclass(frozen=True)
class Example:
    text: str
    department: str
    category: str


# ---------------------------------------------------------------------------------------
# The catalogue's evidence


@dataclass
class Evidence:
    """What points to one office: its score, and the words, naming and decisions behind it."""

    office: str
    label: str
    score: float = 0.0
    matter: float = 0.0  # the part that comes from the office's matters (not from being named)
    words: list[str] = field(default_factory=list)
    named: bool = False
    learned: int = 0  # past decisions of the topics behind it
    similar: float = 0.0  # the n-gram model's probability, weighted
    general: bool = False  # offered as the office of general coordination (GENERAL_OFFICE)


def _office(topic: Topic) -> str:
    return str(topic.department) if topic.department is not None else topic.office


def _word_weight(word: str, catalogue: Catalogue) -> float:
    offices = {_office(t) for t, weak in catalogue.word_topics(word) if not weak and not t.names_office}
    # Longer words are more specific (日间照料 says more than 钥匙); one character says least.
    base = SINGLE_CHAR if len(word) == 1 else min(1.2, 0.9 + 0.05 * len(word))
    return base / max(1, len(offices))


def _strength(mention: Mention, catalogue: Catalogue) -> float:
    weights = sorted((_word_weight(w, catalogue) for w in mention.words), reverse=True)
    own = sum(w / (2**i) for i, w in enumerate(weights))  # the first word counts fully, then halves
    weak = min(WEAK_CAP, WEAK_WEIGHT * len(mention.weak))
    return own + weak


TopicCounts = dict[str, dict[str, float]]  # topic key → office → decisions


def catalogue_evidence(
    text: str,
    catalogue: Catalogue,
    *,
    learned: TopicCounts | None = None,
    mentions: list[Mention] | None = None,
) -> dict[str, Evidence]:
    """Each office the message's words point to, scored (no database: see module docstring)."""
    mentions = catalogue.mentions(text) if mentions is None else mentions
    matters = [m for m in mentions if not m.topic.names_office]
    strong = {m.topic.key for m in matters if m.words}
    beaten = {k for m in matters if m.topic.key in strong for k in m.topic.outranks if k != m.topic.key}
    found: dict[str, Evidence] = {}

    def evidence(office: str, label: str) -> Evidence:
        return found.setdefault(office, Evidence(office, label))

    for m in matters:
        strength = _strength(m, catalogue) * (OUTRANKED if m.topic.key in beaten else 1.0)
        own = _office(m.topic)
        counts = (learned or {}).get(m.topic.key, {})
        total = PRIOR_DECISIONS + sum(counts.values())
        shares = {own: PRIOR_DECISIONS / total}
        for office, n in counts.items():
            shares[office] = shares.get(office, 0.0) + n / total
        for office, share in shares.items():
            label = m.topic.office if office == own else office
            e = evidence(office, label)
            e.score += strength * share
            e.matter += strength * share
            if office == own:
                e.words += [w for w in (*m.words, *m.weak) if w not in e.words]
            if m.words:  # a mention by weak words alone is no "such message"
                e.learned += round(counts.get(office, 0))
    named = [m for m in mentions if m.topic.names_office and m.words]
    for m in named:
        e = evidence(_office(m.topic), m.topic.office)
        others = max((o.matter for o in found.values() if o is not e), default=0.0)
        e.named = True
        if e.matter == 0 and others >= CLEARLY_ELSE:
            # Named, but the message is about another office's matter: not first, yet never
            # out of the desk's three choices (the resident may know something the words
            # do not say, 请财政所帮我问一下 about a restaurant's unpaid bills).
            ahead = sorted((o.score for o in found.values() if o is not e), reverse=True)
            floor = ahead[TOP - 1] + NAMED_TIE if len(ahead) >= TOP else 0.0
            e.score = max(e.score + NAMED_BONUS / 3, min(floor, ahead[0] - NAMED_TIE) if ahead else floor)
        else:
            e.score = max(e.score, others) + NAMED_BONUS
    return found


# ---------------------------------------------------------------------------------------
# The model learned from the town's decisions


def history() -> list[Example]:
    """Every triage decision that routed a suggestion to a department, oldest first."""
    rows = (
        Suggestion.objects.filter(status__in=LINKED, problem__department__isnull=False)
        .order_by("decided_at", "id")
        .values_list("text", "problem__department_id", "problem__category")
    )
    return [Example(text, str(dept), category) for text, dept, category in rows]


def _pipeline() -> Pipeline:
    return make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True),
        LogisticRegression(max_iter=2000, C=10.0),
    )


def topic_counts(examples: Sequence[Example], catalogue: Catalogue) -> TopicCounts:
    """Per catalogue topic, the offices the town sent messages mentioning it to.

    A decision is credited to the topics that explain it: those of the message's topics the
    catalogue gives to the office decided on. Only when none does is it evidence against
    the catalogue, credited to the message's topics in proportion to their strength — so a
    message about 新农合 that also says 手续 teaches nothing about 手续.
    """
    counts: TopicCounts = defaultdict(dict)
    for e in examples:
        matters = [m for m in catalogue.mentions(e.text) if m.words and not m.topic.names_office]
        explaining = [m for m in matters if _office(m.topic) == e.department]
        credited = [(m, 1.0) for m in explaining] or [(m, _strength(m, catalogue)) for m in matters]
        total = sum(w for _m, w in credited)
        for m, w in credited:
            counts[m.topic.key][e.department] = counts[m.topic.key].get(e.department, 0.0) + w / total
    return dict(counts)


def fit(examples: Sequence[Example], catalogue: Catalogue | None = None) -> dict[str, Any]:
    texts = [e.text for e in examples]
    models: dict[str, Any] = {"examples": len(examples)}
    for target in ("department", "category"):
        labels = [getattr(e, target) for e in examples]
        if len(set(labels)) < 2:
            models[target] = labels[0] if labels else None  # one class: nothing to learn
            continue
        models[target] = _pipeline().fit(texts, labels)
    models["topics"] = topic_counts(examples, catalogue) if catalogue is not None else {}
    return models


@dataclass(frozen=True)
class Linear:
    """A fitted TF-IDF + logistic regression pipeline as plain arrays.

    scikit-learn's `predict_proba` spends ~10 ms per single text validating its input;
    this computes the same probabilities (a test checks they agree) in well under one.
    """

    analyze: Any  # the vectorizer's own analyzer: text → character n-grams
    vocabulary: dict[str, int]
    idf: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    classes: tuple[str, ...]

    @classmethod
    def of(cls, pipeline: Pipeline) -> Linear:
        vectorizer, regression = pipeline.steps[0][1], pipeline.steps[-1][1]
        return cls(
            vectorizer.build_analyzer(), dict(vectorizer.vocabulary_), np.asarray(vectorizer.idf_),
            np.asarray(regression.coef_), np.asarray(regression.intercept_),
            tuple(str(c) for c in regression.classes_),
        )  # fmt: skip

    def probabilities(self, text: str) -> np.ndarray:
        counts: dict[int, int] = {}
        for gram in self.analyze(text):
            j = self.vocabulary.get(gram)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        logits = self.intercept.copy()
        if counts:
            index = np.fromiter(counts, dtype=np.intp, count=len(counts))
            values = (1.0 + np.log(np.fromiter(counts.values(), dtype=float, count=len(counts)))) * self.idf[
                index
            ]
            values /= np.linalg.norm(values)
            logits = logits + self.coef[:, index] @ values
        if len(self.classes) == 2:  # binary: one row of coefficients for the second class
            p = 1.0 / (1.0 + np.exp(-logits[0]))
            return np.array([1.0 - p, p])
        exp = np.exp(logits - logits.max())
        return exp / exp.sum()


def _fast(models: dict[str, Any]) -> dict[str, Any]:
    """The same models with their pipelines as `Linear` (the form suggestions are made with)."""
    return {k: Linear.of(v) if isinstance(v, Pipeline) else v for k, v in models.items()}


def _ranked(model: Any, text: str, k: int = TOP) -> list[tuple[str, float]]:
    if model is None:
        return []
    if isinstance(model, str):
        return [(model, 1.0)]
    if isinstance(model, Linear):
        probabilities, classes = model.probabilities(text), model.classes
    else:
        probabilities, classes = model.predict_proba([text])[0], tuple(model.classes_)
    order = probabilities.argsort()[::-1][:k]
    return [(str(classes[i]), float(probabilities[i])) for i in order]


def train_and_save(now: datetime | None = None) -> RoutingModel | None:
    """Evaluate on held-back history, then fit on all of it and store the model in use."""
    from zhenwu.suggestions.catalogue import town_catalogue
    from zhenwu.suggestions.routing_eval import evaluate

    examples = history()
    if len(examples) < settings.ZHENWU_ROUTING_MIN_EXAMPLES:
        return None
    catalogue = town_catalogue()
    report = evaluate(examples, catalogue)
    models = fit(examples, catalogue)
    now = now or timezone.now()
    folder = settings.VAR_DIR / "routing"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"routing-{timezone.localtime(now):%Y%m%d-%H%M%S-%f}.joblib"
    joblib.dump(models, path)
    with transaction.atomic():
        trained = RoutingModel.objects.create(
            trained_at=now,
            decisions=len(examples),
            examples=len(examples),
            held_out=report.held_out,
            top1=report.combined_top1,
            top3=report.combined_top3,
            path=str(path),
        )
        audit_record(
            actor=TICK, action=SuggestionAudit.ROUTING_TRAINED, obj=trained,
            after={"examples": len(examples), "held_out": report.held_out, "top1": report.combined_top1},
        )  # fmt: skip
    return trained


def decisions_count() -> int:
    return Suggestion.objects.filter(status__in=LINKED, problem__department__isnull=False).count()


# ---------------------------------------------------------------------------------------
# Suggesting


_loaded: dict[str, Any] = {}
_lock = threading.Lock()


def _current_models() -> dict[str, Any] | None:
    """The newest model, loaded once per process and replaced when a newer one is trained."""
    stored = RoutingModel.objects.order_by("-trained_at", "-id").values_list("path", flat=True).first()
    if stored is None:
        return None
    # A restored backup may live under another var/ than the one the row names; a backup
    # carries only the newest model, which is then the one to use.
    folder = settings.VAR_DIR / "routing"
    found = [Path(stored), folder / Path(stored).name, *sorted(folder.glob("routing-*.joblib"), reverse=True)]
    latest = next((str(p) for p in found if p.exists()), None)
    if latest is None:
        return None
    with _lock:
        if _loaded.get("path") != latest:
            _loaded.update(path=latest, models=_fast(joblib.load(latest)))
        return _loaded["models"]


def department_names() -> dict[str, str]:
    return {
        str(pk): name for pk, name in Unit.objects.filter(kind=UnitKind.DEPARTMENT).values_list("pk", "name")
    }


def _reason(e: Evidence) -> str:
    parts = []
    if e.named:
        parts.append(_("来信点名“%(name)s”") % {"name": e.label})
    if e.words:
        parts.append(_("因为提到：%(words)s") % {"words": "、".join(e.words[:5])})
    if e.learned:
        parts.append(_("本镇以往同类分派%(n)s次") % {"n": e.learned})
    if e.similar >= 0.05 and not e.words:
        parts.append(_("与本镇以往分派给该部门的意见相似"))
    if e.general:
        parts.append(_("未识别出更多部门的事项，由综合协调部门兜底"))
    return "；".join(parts)


def rank(
    text: str,
    catalogue: Catalogue,
    models: dict[str, Any] | None = None,
    labels: dict[str, str] | None = None,
    mentions: list[Mention] | None = None,
) -> list[Evidence]:
    """Offices for `text`, best first: the catalogue's evidence plus the learned model's."""
    learned = (models or {}).get("topics") or None
    found = catalogue_evidence(text, catalogue, learned=learned, mentions=mentions)
    if models is not None and models.get("department") is not None:
        n = models.get("examples", 0)
        weight = LEARNED_WEIGHT * n / (n + HISTORY_HALF)
        if not found:
            weight = 1.0  # the catalogue has nothing to say: the town's history decides alone
        for office, p in _ranked(models["department"], text, k=TOP):
            e = found.setdefault(office, Evidence(office, (labels or {}).get(office, office)))
            e.similar = weight * p
            e.score += weight * p
    if (
        len(found) < TOP
        and GENERAL_OFFICE not in found
        and any(_office(t) == GENERAL_OFFICE for t in catalogue.topics)
    ):
        label = (labels or {}).get(GENERAL_OFFICE, GENERAL_OFFICE)
        found[GENERAL_OFFICE] = Evidence(GENERAL_OFFICE, label, score=GENERAL_SCORE, general=True)
    return sorted(found.values(), key=lambda e: (-e.score, e.office))


def _as_guesses(scored: list[tuple[str, str, float, str]]) -> list[Guess]:
    total = sum(s for _v, _l, s, _r in scored) or 1.0
    return [Guess(v, label, s / total, reason) for v, label, s, reason in scored[:TOP]]


def route(text: str) -> Routing:
    from zhenwu.suggestions.catalogue import town_catalogue

    names = department_names()
    catalogue = town_catalogue()
    models = _current_models()
    mentions = catalogue.mentions(text)
    ranked = [e for e in rank(text, catalogue, models, names, mentions) if e.office in names and e.score > 0]
    departments = _as_guesses([(e.office, names[e.office], e.score, _reason(e)) for e in ranked])
    categories = _categories(catalogue, models, text, mentions)
    return Routing(departments, categories, by_model=models is not None)


def _categories(
    catalogue: Catalogue, models: dict[str, Any] | None, text: str, mentions: list[Mention]
) -> list[Guess]:
    labels = dict(Category.choices)
    scores: dict[str, float] = {}
    for m in mentions:
        if m.topic.category and not m.topic.names_office:
            scores[m.topic.category] = scores.get(m.topic.category, 0.0) + _strength(m, catalogue)
    if models is not None:
        n = models.get("examples", 0)
        weight = 1.0 if not scores else LEARNED_WEIGHT * n / (n + HISTORY_HALF)
        for value, p in _ranked(models.get("category"), text):
            scores[value] = scores.get(value, 0.0) + weight * p
    ordered = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    return _as_guesses([(v, str(labels.get(v, v)), s, "") for v, s in ordered if s > 0])
