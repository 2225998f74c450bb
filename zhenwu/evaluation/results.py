"""The tally sheet (计票表) and the figures derived from it, all from GROUP BY queries.

满意率 = answers in the levels the question counts as satisfied ÷ valid answers of that row,
shown with its Wilson 95 % interval and n. 好评率 likewise. A weighted figure is only ever
called 测评得分 (the 开县 lesson: a "满意率" that cannot fall below 50 % is not one).
The number of queries is fixed, whatever the number of ballots.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from django.db.models import Count, Q

from zhenwu.core.timefmt import shown
from zhenwu.evaluation.constants import Channel, SheetStatus
from zhenwu.evaluation.models import Answer, Ballot, CastMinute, PaperSheet, PendingBallot, Survey, VotingCode
from zhenwu.lib.stats import percent, wilson

BURST_PER_MINUTE = 30  # more online ballots than this in one minute is shown as a burst


@dataclass
class Rate:
    k: int
    n: int
    low: float | None = None
    high: float | None = None

    @property
    def value(self) -> float | None:
        return self.k / self.n if self.n else None

    @property
    def text(self) -> str:
        return percent(self.value)

    @property
    def interval(self) -> str:
        if self.low is None or self.high is None:
            return ""
        return f"{self.low * 100:.1f}%–{self.high * 100:.1f}%"


def _rate(k: int, n: int) -> Rate:
    bounds = wilson(k, n)
    return Rate(k, n, *(bounds or (None, None)))


@dataclass
class Row:
    """One rated row: a question, or one subject of it."""

    question_id: int
    subject_id: int | None
    number: int
    question: str
    subject: str
    labels: list[str]
    counts: list[int]  # per level
    void: int  # rows left blank or marked twice
    by_category: dict[int, list[int]]
    satisfied: Rate
    good: Rate
    score: float | None  # 测评得分: mean points per valid answer, when the question gives points per level
    satisfied_labels: list[str]
    good_labels: list[str]
    # 加权测评得分: each weighted category's own 测评得分, combined by the categories' weights
    weighted_score: float | None = None
    points: list[float] | None = None

    @property
    def valid(self) -> int:
        return sum(self.counts)

    def share(self, index: int) -> str:
        return percent(self.counts[index] / self.valid if self.valid else None)

    @property
    def points_text(self) -> str:
        """优秀 100、称职 80、…: the points behind the 测评得分."""
        return "、".join(f"{label} {p:g}" for label, p in zip(self.labels, self.points or [], strict=False))

    @property
    def shares(self) -> list[str]:
        return [self.share(i) for i in range(len(self.counts))]


@dataclass
class CategoryLine:
    id: int
    name: str
    expected: int  # 应到
    codes_issued: int
    codes_used: int
    paper_issued: int
    paper_counted: int
    valid: int
    void: int
    weight: float | None

    @property
    def issued(self) -> int:  # 发出
        return self.codes_issued + self.paper_issued

    @property
    def returned(self) -> int:  # 收回
        return self.codes_used + self.paper_counted

    @property
    def present(self) -> int:  # 实到: codes used + paper ballots handed back
        return self.returned


@dataclass
class Integrity:
    codes: list[tuple[str, int, int]]  # category, issued, used
    busiest_minutes: list[tuple[str, int]]
    bursts: int
    uniform_share: float | None
    uniform: int
    online: int
    paper: int
    mismatches: int
    unresolved: int


@dataclass
class Tally:
    survey_id: int
    title: str
    categories: list[CategoryLine]
    rows: list[Row]
    overall: Rate  # all rows of all questions, pooled
    integrity: Integrity
    verdicts: dict[str, str] = field(default_factory=dict)  # 人大-style verdict per row key
    # Cast but not yet written (they wait for their batch, ADR 0005): not in any figure above.
    pending: int = 0

    @property
    def weighted(self) -> bool:
        return any(c.weight for c in self.categories)

    @property
    def totals(self) -> dict[str, int]:
        keys = ("expected", "issued", "present", "returned", "valid", "void")
        return {k: sum(getattr(c, k) for c in self.categories) for k in keys}


def tally(survey: Survey) -> Tally:
    questions = list(survey.questions.select_related("scale").prefetch_related("subjects"))
    categories = list(survey.categories.all())
    weights = {c.pk: c.weight for c in categories if c.weight}
    cells = (
        Answer.objects.filter(survey=survey)
        .values_list("question_id", "subject_id", "category_id", "level")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[tuple[int, int | None], dict[int, list[int]]] = defaultdict(dict)
    voids: dict[tuple[int, int | None], int] = defaultdict(int)
    widths = {q.pk: len(q.scale.levels) for q in questions}
    for question_id, subject_id, category_id, level, n in cells:
        key = (question_id, subject_id)
        if level is None:
            voids[key] += n
            continue
        per = counts[key].setdefault(category_id, [0] * widths[question_id])
        per[level] += n
    rows: list[Row] = []
    pooled_k = pooled_n = 0
    for number, q in enumerate(questions, start=1):
        subjects: list[Any] = list(q.subjects.all()) or [None]
        labels = q.scale.labels
        for subject in subjects:
            key = (q.pk, subject.pk if subject else None)
            by_category = counts.get(key, {})
            total = [sum(c[i] for c in by_category.values()) for i in range(len(labels))]
            n = sum(total)
            k_sat = sum(total[i] for i in q.satisfied_levels)
            k_good = sum(total[i] for i in q.good_levels)
            score = points_score(q.scores, total)
            pooled_k, pooled_n = pooled_k + k_sat, pooled_n + n
            rows.append(
                Row(
                    question_id=q.pk,
                    subject_id=key[1],
                    number=number,
                    question=q.text,
                    subject=subject.label if subject else "",
                    labels=labels,
                    counts=total,
                    void=voids.get(key, 0),
                    by_category=by_category,
                    satisfied=_rate(k_sat, n),
                    good=_rate(k_good, n),
                    score=score,
                    satisfied_labels=[labels[i] for i in q.satisfied_levels],
                    good_labels=[labels[i] for i in q.good_levels],
                    weighted_score=weighted_score(q.scores, by_category, weights),
                    points=q.scores,
                )  # fmt: skip
            )
    ballots = (
        Ballot.objects.filter(survey=survey)
        .values_list("category_id", "channel", "void")
        .annotate(n=Count("id"), uniform=Count("id", filter=Q(uniform=True)))
        .order_by()
    )
    per_category: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    online = paper = uniform = 0
    for category_id, channel, void, n, uni in ballots:
        line = per_category[category_id]
        line["void" if void else "valid"] += n
        if channel == Channel.PAPER:
            line["paper"] += n
            paper += n
        else:
            online += n
        uniform += uni
    codes = (
        VotingCode.objects.filter(survey=survey)
        .values_list("category_id")
        .annotate(issued=Count("id"), used=Count("id", filter=Q(used=True)))
        .order_by()
    )
    code_counts = {category_id: (issued, used) for category_id, issued, used in codes}
    # Counted per minute as batches are written; ballots themselves keep no casting time.
    minutes = list(
        CastMinute.objects.filter(survey=survey)
        .values_list("minute", "ballots")
        .order_by("-ballots", "minute")[:5]
    )
    sheets = dict(
        PaperSheet.objects.filter(survey=survey).values_list("status").annotate(n=Count("id")).order_by()
    )
    lines = [
        CategoryLine(
            id=c.pk,
            name=c.name,
            expected=c.expected,
            codes_issued=code_counts.get(c.pk, (0, 0))[0],
            codes_used=code_counts.get(c.pk, (0, 0))[1],
            paper_issued=c.paper_issued,
            paper_counted=per_category[c.pk]["paper"],
            valid=per_category[c.pk]["valid"],
            void=per_category[c.pk]["void"],
            weight=c.weight,
        )  # fmt: skip
        for c in categories
    ]
    all_ballots = online + paper
    result = Tally(
        survey_id=survey.pk,
        title=survey.title,
        categories=lines,
        rows=rows,
        overall=_rate(pooled_k, pooled_n),
        integrity=Integrity(
            codes=[(c.name, c.codes_issued, c.codes_used) for c in lines],
            # In the town's time (Beijing), as a clerk would compare it with the voting session.
            busiest_minutes=[(shown(at), n) for at, n in minutes],
            bursts=sum(1 for _at, n in minutes if n > BURST_PER_MINUTE),
            uniform_share=uniform / all_ballots if all_ballots else None,
            uniform=uniform,
            online=online,
            paper=paper,
            mismatches=sheets.get(SheetStatus.MISMATCH, 0) + sheets.get(SheetStatus.RECONCILED, 0),
            unresolved=sheets.get(SheetStatus.MISMATCH, 0),
        ),
        pending=PendingBallot.objects.filter(survey=survey).count(),
    )
    if survey.npc_members:
        result.verdicts = {
            f"{r.question_id}:{r.subject_id}": npc_verdict(r, survey.npc_members) for r in rows
        }
    return result


def points_score(points: list[float] | None, counts: list[int]) -> float | None:
    """Mean points per valid answer (a 测评得分, never a 满意率); None without points or answers."""
    n = sum(counts)
    if not points or not n:
        return None
    return sum(p * c for p, c in zip(points, counts, strict=True)) / n


def weighted_score(
    points: list[float] | None, by_category: dict[int, list[int]], weights: dict[int, float]
) -> float | None:
    """Σ weight × the category's own 测评得分 ÷ Σ weight, over the weighted categories that
    answered the row: a category of 20 cadres counts as its weight says, not by its head count.
    Categories without a weight are left out (their counts still show in the tally)."""
    # In the categories' order, not the tally query's: its GROUP BY comes back in whatever
    # order PostgreSQL's plan gives (hash or sort, as its statistics say), and a float sum
    # taken in another order differs in the last digit — the same survey, two figures.
    parts = [
        (weights[c], score)
        for c, counts in sorted(by_category.items())
        if c in weights and (score := points_score(points, counts)) is not None
    ]
    total = sum(w for w, _score in parts)
    return sum(w * score for w, score in parts) / total if total else None


def npc_verdict(row: Row, members: int) -> str:
    """人大 rule: 满意 if 满意 votes exceed half of all members; 基本满意 if 满意 + 基本满意 do."""
    first = row.counts[0] if row.counts else 0
    second = row.counts[1] if len(row.counts) > 1 else 0
    if first * 2 > members:
        return row.labels[0]
    if (first + second) * 2 > members and len(row.labels) > 1:
        return row.labels[1]
    return row.labels[-1]


def snapshot_of(result: Tally) -> dict[str, Any]:
    """The tally as stored when published, with a digest that shows it was not edited since."""
    body = json.loads(json.dumps(asdict(result), ensure_ascii=False, default=str))
    digest = hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
    return {"tally": body, "sha256": digest}


def from_snapshot(snapshot: dict[str, Any]) -> Tally:
    body = snapshot["tally"]
    rows = []
    for r in body["rows"]:
        r = {**r, "by_category": {int(k): v for k, v in r["by_category"].items()}}
        r["satisfied"], r["good"] = Rate(**r["satisfied"]), Rate(**r["good"])
        rows.append(Row(**r))
    return Tally(
        survey_id=body["survey_id"],
        title=body["title"],
        categories=[CategoryLine(**c) for c in body["categories"]],
        rows=rows,
        overall=Rate(**body["overall"]),
        integrity=Integrity(**_tuples(body["integrity"])),
        verdicts=body.get("verdicts", {}),
        pending=body.get("pending", 0),
    )


def _tuples(fields: dict[str, Any]) -> Any:
    """JSON turned the integrity lists' tuples into lists; turn them back."""
    return {k: [tuple(x) for x in v] if isinstance(v, list) else v for k, v in fields.items()}


def without_rows(result: Tally, subject_ids: set[int]) -> Tally:
    """The tally less the rows that rate these subjects; the pooled rate is then of the rest."""
    rows = [r for r in result.rows if r.subject_id not in subject_ids]
    kept = {f"{r.question_id}:{r.subject_id}" for r in rows}
    return replace(
        result,
        rows=rows,
        overall=_rate(sum(r.satisfied.k for r in rows), sum(r.satisfied.n for r in rows)),
        verdicts={key: v for key, v in result.verdicts.items() if key in kept},
    )


@dataclass
class TurnoutLine:
    name: str
    expected: int
    codes_issued: int
    codes_used: int
    sheets_counted: int


@dataclass
class Turnout:
    """How many have voted, while the tally is hidden: what the office needs to run the day."""

    lines: list[TurnoutLine]
    pending: int

    @property
    def voted(self) -> int:
        return sum(line.codes_used + line.sheets_counted for line in self.lines)


def turnout(survey: Survey) -> Turnout:
    codes = {
        c: (issued, used)
        for c, issued, used in VotingCode.objects.filter(survey=survey)
        .values_list("category_id")
        .annotate(issued=Count("id"), used=Count("id", filter=Q(used=True)))
        .order_by()
    }
    counted = dict(
        PaperSheet.objects.filter(survey=survey, status__in=(SheetStatus.MATCHED, SheetStatus.RECONCILED))
        .values_list("category_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    lines = [
        TurnoutLine(c.name, c.expected, *codes.get(c.pk, (0, 0)), counted.get(c.pk, 0))
        for c in survey.categories.all()
    ]
    return Turnout(lines, PendingBallot.objects.filter(survey=survey).count())


def results_for(survey: Survey) -> Tally:
    """Published results come from the frozen snapshot; others are counted now."""
    if survey.snapshot:
        return from_snapshot(survey.snapshot)
    return tally(survey)
