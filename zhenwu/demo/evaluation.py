"""The campaign's surveys, ballot by ballot, so every published figure is counted from ballots.

- 学习实践活动群众满意度测评 and 解决突出问题群众满意度测评: two thousand-odd 群众代表 and
  others each, on phones and on paper; their 满意率 come out at 99.1 % and 99.2 %.
- 镇领导班子民主测评: about a hundred evaluators in the five categories rate the team and each
  leader, on paper keyed twice (two sheets needed a third look).
- 村(社区)干部群众满意度测评: 97.9 %.
- One survey still open, with unused codes, to try voting on a phone.

The levels are drawn ballot by ballot; only the number of 不满意 is fixed beforehand, so that the
computed rate is the one the town reported (the test recomputes it from the ballots).
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, time, timedelta

from django.db import transaction

from zhenwu.core.actors import DEMO
from zhenwu.core.audit import audit_record
from zhenwu.demo.base import TZ
from zhenwu.demo.constants import DemoAudit
from zhenwu.evaluation import services
from zhenwu.evaluation.constants import SheetStatus
from zhenwu.evaluation.models import (
    Answer,
    Ballot,
    CastMinute,
    PaperSheet,
    RespondentCategory,
    Survey,
    VotingCode,
)
from zhenwu.evaluation.results import snapshot_of, tally
from zhenwu.lib.codes import UniqueCodes
from zhenwu.org.models import User

CAMPAIGN = [("党员代表", 300), ("人大代表", 40), ("政协委员", 20), ("党政干部", 140), ("群众代表", 1700)]
REVIEW = [("党员代表", 25), ("人大代表", 20), ("政协委员", 10), ("党政干部", 30), ("群众代表", 20)]
# The team review's 测评得分: points per level (海盐县's 1/0.8/0.6/0.4 for 好…差) and weights
# per category, as a town would set them before opening; never shown as a 满意率.
REVIEW_WEIGHTS = {"党员代表": 0.2, "人大代表": 0.2, "政协委员": 0.1, "党政干部": 0.3, "群众代表": 0.2}
REVIEW_POINTS = {"好/较好/一般/差": "100,80,60,40", "优秀/称职/基本称职/不称职": "100,80,60,0"}


def _minute(rng: random.Random, start: date, end: date) -> datetime:
    day = start + timedelta(days=rng.randint(0, max(0, (end - start).days)))
    return datetime.combine(day, time(rng.randint(8, 20), rng.randint(0, 59)), tzinfo=TZ)


def _unsatisfied_for(n: int, target: str) -> int:
    """How many 不满意 among n valid answers make the rate print as `target` (e.g. "99.1")."""
    for k in range(n + 1):
        if f"{(n - k) / n * 100:.1f}" == target:
            return k
    raise ValueError(f"no count of {n} gives {target}%")


def _categories(survey: Survey, plan: list[tuple[str, int]]) -> list[RespondentCategory]:
    survey.categories.all().delete()
    return RespondentCategory.objects.bulk_create(
        RespondentCategory(survey=survey, name=name, expected=n, order=i) for i, (name, n) in enumerate(plan)
    )


def _single_question_survey(
    office: User, rng: random.Random, codes: UniqueCodes, *, title: str, purpose: str, start: date, target: str,
    plan: list[tuple[str, int]], clerk_b: User,
) -> Survey:  # fmt: skip
    survey = services.survey_create(
        actor=office, title=title, purpose=purpose, period_start=start, period_end=start + timedelta(days=14)
    )
    categories = _categories(survey, plan)
    question = survey.questions.get()
    width = len(question.scale.levels)
    unsatisfied = width - 1
    people: list[tuple[RespondentCategory, str]] = []
    for category in categories:
        present = round(category.expected * rng.uniform(0.95, 0.99))
        paper = round(present * 0.2)
        category.paper_issued = paper + rng.randint(0, 3)
        people += [(category, "paper")] * paper + [(category, "online")] * (present - paper)
    rng.shuffle(people)
    void_ballots = set(rng.sample(range(len(people)), 6))
    blank_rows = set(rng.sample(sorted(set(range(len(people))) - void_ballots), 4))
    valid = len(people) - len(void_ballots) - len(blank_rows)
    unhappy = set(
        rng.sample(
            sorted(set(range(len(people))) - void_ballots - blank_rows), _unsatisfied_for(valid, target)
        )
    )
    ballots: list[Ballot] = []
    answers_for: list[int | None] = []
    code_rows: list[VotingCode] = []
    # As the pool writes them (ADR 0005): ballots carry their batch's time, here the last day's
    # evening; the minute each was cast is only counted, for the busiest-minute figure.
    counted_at = datetime.combine(survey.period_end, time(21, 0), tzinfo=TZ)
    minutes: Counter[datetime] = Counter()
    sheets: list[PaperSheet] = []
    weights = [0.62, 0.25, 0.13, 0][:width] if width == 4 else [0.8, 0.2, 0][:width]
    for i, (category, channel) in enumerate(people):
        void = i in void_ballots
        level = (
            None
            if i in blank_rows
            else unsatisfied
            if i in unhappy
            else rng.choices(range(width), weights)[0]
        )
        if channel == "online":
            code_rows.append(
                VotingCode(survey=survey, category=category, code=codes.draw(), batch=1, used=True)
            )
        cast_at = _minute(rng, survey.period_start, survey.period_end)
        if channel == "online":
            minutes[cast_at] += 1
        ballots.append(
            Ballot(
                survey=survey,
                category=category,
                channel=channel,
                at=counted_at,
                void=void,
                void_reason="填写了姓名" if void else "",
            )  # fmt: skip
        )
        answers_for.append(level)
        if channel == "paper":
            entry = {
                "void": void,
                "void_reason": "填写了姓名" if void else "",
                "rows": {f"q{question.pk}": level},
            }
            sheets.append(
                PaperSheet(
                    survey=survey,
                    category=category,
                    sheet_no=len(sheets) + 1,
                    entry_a=entry,
                    entry_a_by=office,
                    entry_b={**entry, "category": category.pk},
                    entry_b_by=clerk_b,
                    status=SheetStatus.MATCHED,
                )  # fmt: skip
            )
    for category in categories:  # codes handed out but never used: those who did not come
        online = sum(1 for c, channel in people if c is category and channel == "online")
        absent = max(0, category.expected - online - category.paper_issued)
        code_rows += [
            VotingCode(survey=survey, category=category, code=codes.draw(), batch=1) for _n in range(absent)
        ]
        category.save()
    VotingCode.objects.bulk_create(code_rows)
    CastMinute.objects.bulk_create(CastMinute(survey=survey, minute=m, ballots=n) for m, n in minutes.items())
    PaperSheet.objects.bulk_create(sheets)
    made = Ballot.objects.bulk_create(ballots)
    Answer.objects.bulk_create(
        Answer(ballot=b, survey=survey, category_id=b.category_id, question=question, level=level)
        for b, level in zip(made, answers_for, strict=True)
        if not b.void
    )
    return survey


def _team_review(office: User, rng: random.Random, clerk_b: User, start: date) -> Survey:
    survey = services.survey_create(
        actor=office, title="镇领导班子和班子成员民主测评", purpose="team_review",
        period_start=start, period_end=start, npc_members=None,
    )  # fmt: skip
    categories = _categories(survey, REVIEW)
    for category in categories:
        category.weight = REVIEW_WEIGHTS[category.name]
    RespondentCategory.objects.bulk_update(categories, ["weight"])
    for question in survey.questions.select_related("scale"):
        services.question_scores(actor=office, question=question, scores=REVIEW_POINTS[question.scale.name])
    rows = services.ballot_rows(survey)
    sheets: list[PaperSheet] = []
    ballots: list[Ballot] = []
    marks_for: list[dict[str, int | None]] = []
    for category in categories:
        category.paper_issued = category.expected
        category.save()
        present = category.expected - rng.randint(0, 1)
        for _n in range(present):
            marks = {}
            for row in rows:
                width = len(row.question.scale.levels)
                marks[row.key] = (
                    None
                    if rng.random() < 0.004
                    else rng.choices(range(width), [0.78, 0.19, 0.03, 0][:width])[0]
                )
            marks_for.append(marks)
            entry = {"void": False, "void_reason": "", "rows": marks}
            mismatch = len(sheets) in (17, 64)  # two sheets keyed differently, settled by a third look
            sheets.append(
                PaperSheet(
                    survey=survey,
                    category=category,
                    sheet_no=len(sheets) + 1,
                    entry_a=entry,
                    entry_a_by=office,
                    entry_b={**entry, "category": category.pk, "rows": {**marks, rows[0].key: 2}}
                    if mismatch
                    else {**entry, "category": category.pk},
                    entry_b_by=clerk_b,
                    resolved_by=None,
                    status=SheetStatus.RECONCILED if mismatch else SheetStatus.MATCHED,
                )  # fmt: skip
            )
            levels = [v for v in marks.values() if v is not None]
            ballots.append(
                Ballot(
                    survey=survey,
                    category=category,
                    channel="paper",
                    at=datetime.combine(start, time(15, 0), tzinfo=TZ),
                    uniform=len(levels) >= 3 and len(set(levels)) == 1,
                )  # fmt: skip
            )
    PaperSheet.objects.bulk_create(sheets)
    made = Ballot.objects.bulk_create(ballots)
    by_key = {row.key: row for row in rows}
    Answer.objects.bulk_create(
        Answer(
            ballot=b,
            survey=survey,
            category_id=b.category_id,
            question=by_key[k].question,
            subject=by_key[k].subject,
            level=level,
        )  # fmt: skip
        for b, marks in zip(made, marks_for, strict=True)
        for k, level in marks.items()
    )
    return survey


def _publish(survey: Survey, at: datetime) -> None:
    survey.status = "published"
    survey.snapshot = snapshot_of(tally(survey))
    survey.published_at = at
    survey.save()


def seed_evaluation(*, today: date, rng: random.Random) -> dict[str, int]:
    office = User.objects.get(username="dangzhengban")
    clerk_b = User.objects.get(username="admin")
    codes = UniqueCodes()
    start = today - timedelta(days=100)
    with transaction.atomic():
        first = _single_question_survey(
            office, rng, codes, title="学习实践活动群众满意度测评", purpose="satisfaction", start=start,
            target="99.1", plan=CAMPAIGN, clerk_b=clerk_b,
        )  # fmt: skip
        second = _single_question_survey(
            office, rng, codes, title="解决突出问题群众满意度测评", purpose="satisfaction",
            start=start + timedelta(days=40), target="99.2", plan=CAMPAIGN, clerk_b=clerk_b,
        )  # fmt: skip
        review = _team_review(office, rng, clerk_b, start + timedelta(days=20))
        cadres = _single_question_survey(
            office, rng, codes, title="村(社区)干部群众满意度测评", purpose="cadre", start=start + timedelta(days=60),
            target="97.9", plan=[("党员代表", 200), ("群众代表", 1300)], clerk_b=clerk_b,
        )  # fmt: skip
        for survey in (first, review, second, cadres):
            _publish(survey, datetime.combine(survey.period_end + timedelta(days=2), time(10), tzinfo=TZ))
        trial = services.survey_create(
            actor=office, title="政务快捷服务中心服务满意度测评", purpose="satisfaction",
            period_start=today - timedelta(days=3), period_end=today + timedelta(days=27),
        )  # fmt: skip
        services.survey_step(actor=office, survey=trial, action="open")
        for category in trial.categories.all()[:5]:
            services.codes_generate(actor=office, survey=trial, category=category, count=20)
        counts = {"surveys": 5, "ballots": Ballot.objects.count(), "codes": VotingCode.objects.count()}
        audit_record(
            actor=DEMO, action=DemoAudit.DEMO_SEEDED, object_type="evaluation.survey",
            object_label="演示测评：逐张生成的选票", after=counts,
        )  # fmt: skip
    return counts
