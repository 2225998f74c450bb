"""Which department (and category) should handle a suggestion: learned from the town's own
triage decisions, with keyword rules until there are enough of them.

A character n-gram TF-IDF feeds a logistic regression (Chinese needs no word segmentation
for this: 路灯, 低保, 征地 are two-character n-grams). The figures it is judged by come from
the most recent part of the history, held back from training, so they say how it does on
suggestions it has not seen. It only ever suggests; a person confirms every routing.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import joblib
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

HELD_BACK = 0.2

# Cold start: (keywords, category, department name fragment). The fragment is matched
# against the town's own department names, so a town with 城建办 instead of 村镇建设办 still works.
KEYWORD_RULES: list[tuple[tuple[str, ...], str, str]] = [
    (
        ("路灯", "道路", "修路", "硬化", "桥", "公路", "饮水", "自来水", "停水", "管网"),
        Category.INFRASTRUCTURE,
        "建设",
    ),
    (("垃圾", "污水", "臭", "卫生", "河沟", "环境"), Category.ENVIRONMENT, "建设"),
    (("山坪塘", "灌溉", "春灌", "水利", "养殖", "种植", "农业"), Category.INFRASTRUCTURE, "农业"),
    (("低保", "救助", "困难群众", "残疾", "学校", "校舍", "文化", "卫生院"), Category.LIVELIHOOD, "社会事务"),
    (("医保", "新农合", "报销", "养老保险", "社保", "就业"), Category.LIVELIHOOD, "劳动保障"),
    (("征地", "补偿", "宅基地", "土地"), Category.LAND, "国土"),
    (("安置", "失地"), Category.LAND, "失地"),
    (("销售", "销路", "电商", "合作社", "招商", "企业", "用工", "产业"), Category.ECONOMY, "经济"),
    (("集体经济", "资金", "账目", "财务"), Category.ECONOMY, "财政"),
    (("治安", "偷盗", "小偷", "监控", "巡逻", "打架"), Category.LIVELIHOOD, "派出所"),
    (("证件", "办证", "签字", "盖章", "窗口", "跑腿", "审批"), Category.SERVICE, "政务"),
    (("作风", "态度", "找不到人", "干部", "吃拿卡要"), Category.CONDUCT, "党政办"),
]


@dataclass(frozen=True)
class Guess:
    value: str
    label: str
    confidence: float


@dataclass(frozen=True)
class Routing:
    departments: list[Guess]
    categories: list[Guess]
    by_model: bool


@dataclass(frozen=True)
class Example:
    text: str
    department: str
    category: str


@dataclass(frozen=True)
class Report:
    trained: int
    held_out: int
    department_top1: float | None
    department_top3: float | None
    category_top1: float | None
    rules_top1: float | None


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


def fit(examples: Sequence[Example]) -> dict[str, Any]:
    texts = [e.text for e in examples]
    models: dict[str, Any] = {}
    for target in ("department", "category"):
        labels = [getattr(e, target) for e in examples]
        if len(set(labels)) < 2:
            models[target] = labels[0] if labels else None  # one class: nothing to learn
            continue
        models[target] = _pipeline().fit(texts, labels)
    return models


def _ranked(model: Any, text: str, k: int = 3) -> list[tuple[str, float]]:
    if model is None:
        return []
    if isinstance(model, str):
        return [(model, 1.0)]
    probabilities = model.predict_proba([text])[0]
    order = probabilities.argsort()[::-1][:k]
    return [(str(model.classes_[i]), float(probabilities[i])) for i in order]


def _hits(ranked: list[list[str]], truth: list[str], k: int) -> float | None:
    if not truth:
        return None
    return sum(t in r[:k] for r, t in zip(ranked, truth, strict=True)) / len(truth)


def evaluate(examples: Sequence[Example]) -> Report:
    """Train on the older 80 %, score on the newest 20 % (time order: no peeking ahead)."""
    cut = int(len(examples) * (1 - HELD_BACK))
    train, test = list(examples[:cut]), list(examples[cut:])
    if not train or not test:
        return Report(len(train), len(test), None, None, None, None)
    models = fit(train)
    departments = [[v for v, _p in _ranked(models["department"], e.text)] for e in test]
    categories = [[v for v, _p in _ranked(models["category"], e.text)] for e in test]
    names = department_names()
    rules = [[g.value for g in rule_guesses(e.text, names)[0]] for e in test]
    truth_d = [e.department for e in test]
    return Report(
        trained=len(train),
        held_out=len(test),
        department_top1=_hits(departments, truth_d, 1),
        department_top3=_hits(departments, truth_d, 3),
        category_top1=_hits(categories, [e.category for e in test], 1),
        rules_top1=_hits(rules, truth_d, 1),
    )


def train_and_save(now: datetime | None = None) -> RoutingModel | None:
    """Evaluate on held-back history, then fit on all of it and store the model in use."""
    examples = history()
    if len(examples) < settings.ZHENWU_ROUTING_MIN_EXAMPLES:
        return None
    report = evaluate(examples)
    models = fit(examples)
    now = now or timezone.now()
    folder = settings.VAR_DIR / "routing"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"routing-{now:%Y%m%d-%H%M%S-%f}.joblib"
    joblib.dump(models, path)
    with transaction.atomic():
        trained = RoutingModel.objects.create(
            trained_at=now,
            decisions=len(examples),
            examples=len(examples),
            held_out=report.held_out,
            top1=report.department_top1,
            top3=report.department_top3,
            path=str(path),
        )
        audit_record(
            actor=TICK, action=SuggestionAudit.ROUTING_TRAINED, obj=trained,
            after={"examples": len(examples), "held_out": report.held_out, "top1": report.department_top1},
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
            _loaded.update(path=latest, models=joblib.load(latest))
        return _loaded["models"]


def department_names() -> dict[str, str]:
    return {
        str(pk): name for pk, name in Unit.objects.filter(kind=UnitKind.DEPARTMENT).values_list("pk", "name")
    }


def rule_guesses(text: str, names: dict[str, str]) -> tuple[list[Guess], list[Guess]]:
    """Keyword rules: each matching rule votes for its department and category."""
    votes_d: dict[str, int] = {}
    votes_c: dict[str, int] = {}
    for keywords, category, fragment in KEYWORD_RULES:
        hits = sum(k in text for k in keywords)
        if not hits:
            continue
        votes_c[category] = votes_c.get(category, 0) + hits
        for pk, name in names.items():
            if fragment in name:
                votes_d[pk] = votes_d.get(pk, 0) + hits
    return _as_guesses(votes_d, names), _as_guesses(votes_c, dict(Category.choices))


def _as_guesses(votes: dict[str, int], labels: dict[str, Any]) -> list[Guess]:
    total = sum(votes.values())
    ranked = sorted(votes.items(), key=lambda kv: -kv[1])[:3]
    return [Guess(v, str(labels.get(v, v)), n / total) for v, n in ranked]


def route(text: str) -> Routing:
    names = department_names()
    models = _current_models()
    if models is None:
        departments, categories = rule_guesses(text, names)
        return Routing(departments, categories, by_model=False)
    labels = dict(Category.choices)
    return Routing(
        departments=[
            Guess(v, names.get(v, _("已撤销的部门")), p)
            for v, p in _ranked(models["department"], text)
            if v in names
        ],
        categories=[Guess(v, str(labels.get(v, v)), p) for v, p in _ranked(models["category"], text)],
        by_model=True,
    )
