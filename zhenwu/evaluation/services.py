"""Writes of 测评: setting up a survey, its lifecycle, codes, casting ballots, paper entry.

Casting a ballot is deliberately not audited one by one: an audit event carries the time,
the address and a sequence number, which together would point back at the voter (ADR 0005).
Everything around the ballots is audited: the survey's steps, code batches, paper entry.
A cast (or a counted paper sheet) does not write its ballot either: it puts it, sealed, into
the pool that `tick` and the close write out in shuffled batches (`zhenwu.evaluation.pool`).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhenwu.core.actors import Actor
from zhenwu.core.audit import audit_record
from zhenwu.core.refusals import refuse_fields, require
from zhenwu.core.throttle import guarded_lookup
from zhenwu.evaluation import pool
from zhenwu.evaluation.constants import (
    BUILTIN_SCALES,
    CODE_BATCH_MAX,
    DEFAULT_CATEGORIES,
    STEP_LABELS,
    SURVEY_STEPS,
    Channel,
    EvaluationAudit,
    Purpose,
    SheetStatus,
    SurveyAction,
    SurveyStatus,
)
from zhenwu.evaluation.models import (
    PaperSheet,
    Question,
    RespondentCategory,
    Scale,
    Subject,
    Survey,
    VotingCode,
    random_id,
)
from zhenwu.lib.codes import new_code
from zhenwu.org.models import Person, User
from zhenwu.org.roles import is_office
from zhenwu.org.scope import refuse_people_outside_town
from zhenwu.org.selectors import town_leader_ids
from zhenwu.org.services import town_for_new

CODE_MISS = "voting-code-miss"


def _office_only(actor: Actor) -> None:
    require(is_office(actor), _("只有党政办可以管理测评"))


# ---------------------------------------------------------------------------------------
# Setting up


def builtin_scales() -> dict[str, Scale]:
    """The built-in scales by name; any missing (a flushed test database) are put back."""
    scales = {s.name: s for s in Scale.objects.filter(builtin=True)}
    for name, levels in BUILTIN_SCALES:
        if name not in scales:
            scales[name] = Scale.objects.create(
                name=name, builtin=True,
                levels=[{"label": label, "satisfied": sat, "good": good} for label, sat, good in levels],
            )  # fmt: skip
    return scales


@transaction.atomic
def scale_create(*, actor: User, name: str, levels: str, satisfied: int, good: int) -> Scale:
    """The office's own scale: levels best first, one a line; the first `satisfied` count in
    满意率 and the first `good` in 好评率 (a question may still mark them differently)."""
    _office_only(actor)
    name = (name or "").strip()
    labels = [line.strip() for line in (levels or "").splitlines() if line.strip()]
    refuse_fields(
        {
            "name": _("量表名称：不能为空") if not name else None,
            "levels": _("等级：每行一个，2至7个") if not 2 <= len(labels) <= 7 else None,
        }
    )
    refuse_fields(
        {
            "levels": _("等级：不能重复") if len(set(labels)) != len(labels) else None,
            "satisfied": _("计入满意的等级数：应在0至%(n)s之间") % {"n": len(labels)}
            if not 0 <= satisfied <= len(labels)
            else None,
            "good": _("计入好评的等级数：应在0至%(n)s之间") % {"n": len(labels)}
            if not 0 <= good <= len(labels)
            else None,
        }
    )
    if Scale.objects.filter(name=name).exists():
        raise ValidationError({"name": _("量表名称：“%(n)s”已存在") % {"n": name}})
    scale = Scale.objects.create(
        name=name,
        levels=[
            {"label": label, "satisfied": i < satisfied, "good": i < good} for i, label in enumerate(labels)
        ],
    )
    audit_record(actor=actor, action=EvaluationAudit.SURVEY_SAVED, obj=scale, after={"levels": labels})
    return scale


def _preset(survey: Survey) -> None:
    """The questions each kind of survey usually has (the office edits them before opening)."""
    scales = builtin_scales()
    if survey.purpose == Purpose.SATISFACTION:
        _question(
            survey,
            _("您对本次活动的总体评价"),
            scales["满意/比较满意/基本满意/不满意"],
            [],
            allow_comment=True,
        )
    elif survey.purpose == Purpose.TEAM_REVIEW:
        _question(survey, _("对镇领导班子的总体评价"), scales["好/较好/一般/差"], [(_("镇领导班子"), None)])
        # The survey's town's leaders, by the 镇领导 role held in that town.
        leaders = Person.objects.filter(pk__in=town_leader_ids(survey.town_id), is_second_line=False)
        rows = [(p.name, p) for p in leaders.order_by("id")]
        _question(
            survey, _("对班子成员的评价"), scales["优秀/称职/基本称职/不称职"], rows, allow_comment=True
        )
    else:
        _question(
            survey, _("您对村(社区)干部的总体评价"), scales["满意/基本满意/不满意"], [], allow_comment=True
        )


def _question(
    survey: Survey,
    text: str,
    scale: Scale,
    rows: Sequence[tuple[str, Person | None]],
    allow_comment: bool = False,
    scores: list[float] | None = None,
) -> Question:
    # The one writer of subjects: a person rated is of the survey's town (registered there, or
    # holding a role there), never another town's.
    refuse_people_outside_town(survey.town_id, "subjects", _("测评对象"), [p for _l, p in rows if p])
    order = (survey.questions.aggregate(m=Max("order"))["m"] or 0) + 1
    question = Question.objects.create(
        survey=survey, order=order, text=text, scale=scale, allow_comment=allow_comment, scores=scores,
        satisfied_levels=[i for i, level in enumerate(scale.levels) if level["satisfied"]],
        good_levels=[i for i, level in enumerate(scale.levels) if level["good"]],
    )  # fmt: skip
    Subject.objects.bulk_create(
        Subject(question=question, label=label[:60], person=person, order=i)
        for i, (label, person) in enumerate(rows)
    )
    return question


@transaction.atomic
def survey_create(
    *,
    actor: User,
    title: str,
    purpose: str,
    period_start: date,
    period_end: date,
    npc_members: int | None = None,
) -> Survey:
    _office_only(actor)
    title = (title or "").strip()
    refuse_fields(
        {
            "title": _("测评名称：不能为空") if not title else None,
            "purpose": _("测评类型：不是可选的类型") if purpose not in Purpose.values else None,
            "period_end": _("测评结束：不能早于测评开始") if period_end < period_start else None,
        }
    )
    survey = Survey.objects.create(
        town_id=town_for_new(actor=actor), title=title, purpose=purpose, period_start=period_start,
        period_end=period_end, owner=actor, npc_members=npc_members,
    )  # fmt: skip
    RespondentCategory.objects.bulk_create(
        RespondentCategory(survey=survey, name=name, expected=n, order=i)
        for i, (name, n) in enumerate(DEFAULT_CATEGORIES)
    )
    _preset(survey)
    audit_record(
        actor=actor,
        action=EvaluationAudit.SURVEY_SAVED,
        obj=survey,
        after={"title": title, "purpose": purpose},
    )
    return survey


def _editable(actor: User, survey_id: int, what: str) -> Survey:
    """The survey, locked, for a change to its questions: the office's, and only while a draft."""
    _office_only(actor)
    survey = Survey.objects.select_for_update().get(pk=survey_id)
    if survey.status != SurveyStatus.DRAFT:
        raise ValidationError({"survey": _("%(what)s：测评已开始，题目和量表不能再修改") % {"what": what}})
    return survey


@transaction.atomic
def question_add(
    *,
    actor: User,
    survey: Survey,
    text: str,
    scale: Scale | None,
    subjects: str = "",
    allow_comment: bool = False,
    scores: str = "",
) -> Question:
    survey = _editable(actor, survey.pk, _("题目"))
    text = (text or "").strip()
    rows = [line.strip() for line in (subjects or "").splitlines() if line.strip()]
    refuse_fields(
        {
            "text": _("题目：不能为空") if not text else None,
            "scale": _("量表：请选择量表") if scale is None else None,
            "subjects": _("测评对象：每行一个，最多100个") if len(rows) > 100 else None,
        }
    )
    assert scale is not None
    points = points_per_level(scores, scale)
    # A line names the town's person of that name (registered there or holding a role there);
    # a namesake in another town is not linked: the row is then a label only.
    town_id = survey.town_id
    in_town = Person.objects.filter(Q(town_id=town_id) | Q(roles__town_id=town_id), name__in=rows)
    people = {p.name: p for p in in_town.distinct().order_by("id")}
    question = _question(survey, text, scale, [(r, people.get(r)) for r in rows], allow_comment, points)
    audit_record(actor=actor, action=EvaluationAudit.SURVEY_SAVED, obj=survey, after={"question": text})
    return question


@transaction.atomic
def question_delete(*, actor: User, question: Question) -> None:
    survey = _editable(actor, question.survey_id, _("题目"))
    question.subjects.all().delete()
    question.delete()
    audit_record(
        actor=actor,
        action=EvaluationAudit.SURVEY_SAVED,
        obj=survey,
        after={"deleted_question": question.text},
    )


def points_per_level(text: str, scale: Scale) -> list[float] | None:
    """ "100,80,60,40" → the points of each level, best first, for a 测评得分; blank → none."""
    parts = [p for p in re.split(r"[\s,，、/;；]+", (text or "").strip()) if p]
    if not parts:
        return None
    width = len(scale.levels)
    if len(parts) != width:
        raise ValidationError(
            {
                "scores": _("各等级分值：量表“%(s)s”有%(n)s个等级，请填写%(n)s个分值")
                % {"s": scale.name, "n": width}
            }
        )
    try:
        points = [float(p) for p in parts]
    except ValueError:
        raise ValidationError({"scores": _("各等级分值：应为数字，用逗号分开")}) from None
    if not all(0 <= p <= 100 for p in points):  # NaN and infinity fail this too
        raise ValidationError({"scores": _("各等级分值：每个分值应在0到100之间")})
    return [int(p) if p.is_integer() else p for p in points]


@transaction.atomic
def question_scores(*, actor: User, question: Question, scores: str) -> Question:
    """Set (or clear) the points per level that make a 测评得分; frozen once the survey opens."""
    survey = _editable(actor, question.survey_id, _("各等级分值"))
    question = Question.objects.select_related("scale").get(pk=question.pk)
    before = question.scores
    question.scores = points_per_level(scores, question.scale)
    question.save(update_fields=["scores"])
    audit_record(
        actor=actor, action=EvaluationAudit.SURVEY_SAVED, obj=survey,
        before={"question": question.text, "scores": before}, after={"question": question.text, "scores": question.scores},
    )  # fmt: skip
    return question


@transaction.atomic
def question_move(*, actor: User, question: Question, up: bool) -> None:
    """Move a question one place up or down; the ballot shows questions in this order."""
    survey = _editable(actor, question.survey_id, _("题目顺序"))
    questions = list(survey.questions.order_by("order", "id"))
    at = next(i for i, q in enumerate(questions) if q.pk == question.pk)
    to = at - 1 if up else at + 1
    if not 0 <= to < len(questions):
        raise ValidationError({"order": _("题目顺序：已经是第一题") if up else _("题目顺序：已经是最后一题")})
    questions[at], questions[to] = questions[to], questions[at]
    for number, q in enumerate(questions, start=1):
        q.order = number
    Question.objects.bulk_update(questions, ["order"])
    audit_record(
        actor=actor, action=EvaluationAudit.SURVEY_SAVED, obj=survey,
        after={"question": question.text, "order": to + 1},
    )  # fmt: skip


@transaction.atomic
def category_save(
    *,
    actor: User,
    survey: Survey,
    name: str,
    expected: int,
    paper_issued: int = 0,
    weight: float | None = None,
) -> RespondentCategory:
    """Add a respondent category or update its counts (应到, 发出纸质票, 权重) until results are published."""
    _office_only(actor)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    name = (name or "").strip()
    refuse_fields(
        {
            "name": _("类别：不能为空") if not name else None,
            "survey": _("类别：结果已公布，不能再修改") if survey.status == SurveyStatus.PUBLISHED else None,
            "weight": _("权重：应大于0") if weight is not None and weight <= 0 else None,
        }
    )
    found = survey.categories.filter(name=name).first()
    if found is None and survey.status != SurveyStatus.DRAFT:
        raise ValidationError({"name": _("类别：测评已开始，不能再增加类别")})
    category = found or RespondentCategory(survey=survey, name=name, order=survey.categories.count())
    category.expected, category.paper_issued, category.weight = expected, paper_issued, weight
    category.save()
    audit_record(
        actor=actor, action=EvaluationAudit.SURVEY_SAVED, obj=survey,
        after={"category": name, "expected": expected, "paper_issued": paper_issued, "weight": weight},
    )  # fmt: skip
    return category


@transaction.atomic
def survey_step(*, actor: User, survey: Survey, action: str) -> Survey:
    """开始 → 结束 → 公布. Publishing freezes the results as they stand (a stored snapshot)."""
    _office_only(actor)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    target = SURVEY_STEPS.get((survey.status, action))
    if target is None:
        raise ValidationError(
            {
                "status": _("状态：测评当前为“%(status)s”，不能%(action)s")
                % {"status": survey.get_status_display(), "action": STEP_LABELS.get(action, action)}
            }
        )
    if action == SurveyAction.OPEN and not survey.questions.exists():
        raise ValidationError({"status": _("状态：测评没有题目，不能开始")})
    before = survey.status
    if action in (SurveyAction.CLOSE, SurveyAction.PUBLISH):
        # Every waiting ballot is written now, whatever the count: at the close, and again before
        # publishing (a cast whose claim saw the survey open may commit just after the close).
        # The close's batch holds at least k wherever tick left k behind.
        pool.flush(survey, everything=True)
    survey.status = target
    if action == SurveyAction.PUBLISH:
        from zhenwu.evaluation.results import snapshot_of, tally

        survey.snapshot = snapshot_of(tally(survey))
        survey.published_at = timezone.now()
    survey.save()
    _structures.pop(survey.pk, None)
    audit_record(
        actor=actor,
        action=EvaluationAudit.SURVEY_STEP,
        obj=survey,
        before={"status": before},
        after={"status": target},
    )
    return survey


@transaction.atomic
def codes_generate(*, actor: User, survey: Survey, category: RespondentCategory, count: int) -> int:
    """A batch of one-time codes for one category; returns the batch number."""
    _office_only(actor)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    refuse_fields(
        {
            "count": _("数量：每批1至%(n)s个") % {"n": CODE_BATCH_MAX}
            if not 1 <= count <= CODE_BATCH_MAX
            else None,
            "survey": _("测评码：测评已结束，不能再生成")
            if survey.status in (SurveyStatus.CLOSED, SurveyStatus.PUBLISHED)
            else None,
            "category": _("类别：不属于本测评") if category.survey_id != survey.pk else None,
        }
    )
    batch = (survey.codes.aggregate(m=Max("batch"))["m"] or 0) + 1
    made = 0
    while made < count:
        rows = [
            VotingCode(survey=survey, category=category, code=new_code(), batch=batch)
            for _n in range(count - made)
        ]
        made += len(VotingCode.objects.bulk_create(rows, ignore_conflicts=True))
        made = survey.codes.filter(batch=batch).count()  # a code drawn twice was skipped: draw again
    audit_record(
        actor=actor, action=EvaluationAudit.CODES_GENERATED, obj=survey,
        after={"category": category.name, "batch": batch, "count": count},
    )  # fmt: skip
    return batch


# ---------------------------------------------------------------------------------------
# Casting a ballot


@dataclass(frozen=True)
class Row:
    key: str  # "q12" or "q12s34": the form field of one mark
    question: Question
    subject: Subject | None
    number: int  # the question's number on the ballot, for messages


_structures: dict[int, list[Row]] = {}
_lock = threading.Lock()


def ballot_rows(survey: Survey) -> list[Row]:
    """The rows a ballot of this survey has. Frozen once the survey is open, so cached then."""
    if survey.status == SurveyStatus.OPEN and survey.pk in _structures:
        return _structures[survey.pk]
    rows: list[Row] = []
    questions = survey.questions.select_related("scale").prefetch_related("subjects")
    for number, question in enumerate(questions, start=1):
        subjects = list(question.subjects.all())
        if not subjects:
            rows.append(Row(f"q{question.pk}", question, None, number))
        rows += [Row(f"q{question.pk}s{s.pk}", question, s, number) for s in subjects]
    if survey.status == SurveyStatus.OPEN:
        with _lock:
            _structures[survey.pk] = rows
    return rows


def _row_name(row: Row) -> str:
    base = _("第%(n)s题") % {"n": row.number}
    return f"{base}（{row.subject.label}）" if row.subject else base


def check_marks(
    rows: list[Row], marks: Mapping[str, Any], *, blank_is_void: bool
) -> list[tuple[Row, int | None]]:
    """Each row's level, or None for a row void on paper. Online, a required row must be marked."""
    known = {row.key for row in rows}
    extra = [k for k in marks if k not in known]
    if extra:
        raise ValidationError({"ballot": _("答卷：含有不属于本测评的题目")})
    out: list[tuple[Row, int | None]] = []
    errors: dict[str, str] = {}
    for row in rows:
        raw = marks.get(row.key)
        if raw in (None, ""):
            if not blank_is_void and row.question.required:
                errors[row.key] = _("%(row)s：请选择一项") % {"row": _row_name(row)}
            out.append((row, None))
            continue
        try:
            level = int(str(raw))
        except ValueError:
            level = -1
        if not 0 <= level < len(row.question.scale.levels):
            errors[row.key] = _("%(row)s：选项不在量表范围内") % {"row": _row_name(row)}
            continue
        out.append((row, level))
    if errors:
        raise ValidationError(errors)
    return out


def _answer_rows(
    marked: list[tuple[Row, int | None]], comments: Mapping[str, str]
) -> list[tuple[int, int | None, int | None, str]]:
    """(question, subject, level, comment) per marked row; a question's comment goes on its first
    row, and only if the question asks for one (the sealed length of a ballot counts on that)."""
    return [
        (
            row.question.pk,
            row.subject.pk if row.subject else None,
            level,
            str(comments.get(f"c{row.question.pk}", ""))[: pool.COMMENT_MAX]
            if pool.carries_comment(row)
            else "",
        )
        for row, level in marked
    ]


def _minute() -> str:
    """The minute of a phone cast, sealed with its ballot for the busiest-minute figure."""
    return timezone.now().replace(second=0, microsecond=0).isoformat()


def _uniform(marked: list[tuple[Row, int | None]]) -> bool:
    levels = [level for _row, level in marked if level is not None]
    return len(levels) >= 3 and len(set(levels)) == 1


def _code_used() -> ValidationError:
    return ValidationError({"code": _("测评码：该测评码已经使用过，每个测评码只能投票一次")})


def code_lookup(code: str, *, ip: str | None) -> VotingCode:
    """The code's row, refusing unknown codes (counted against the caller), used codes and closed surveys."""
    # Not the category: casting needs only its id, and the ballot page reads its name once.
    codes = VotingCode.objects.select_related("survey")
    found = guarded_lookup(CODE_MISS, code, ip=ip, what=_("输入测评码"), rows=codes, field="code")
    if found is None:
        raise ValidationError({"code": _("测评码：没有这个测评码，请核对后重新输入")})
    if found.used:
        raise _code_used()
    if found.survey.status != SurveyStatus.OPEN:
        raise ValidationError(
            {"code": _("测评码：本次测评不在进行中（%(s)s）") % {"s": found.survey.get_status_display()}}
        )
    return found


def ballot_cast(
    *, code: str, marks: Mapping[str, Any], comments: Mapping[str, str] | None = None, ip: str | None = None
) -> None:
    """One online ballot for one typed code."""
    ballot_cast_for(code_lookup(code, ip=ip), marks=marks, comments=comments)


def ballot_cast_for(
    found: VotingCode, *, marks: Mapping[str, Any], comments: Mapping[str, str] | None = None
) -> None:
    """One online ballot for a code already looked up (outside the transaction, so a miss is
    counted even when refused). The code is claimed by a conditional UPDATE, so two
    submissions of the same code at the same moment make exactly one ballot; the ballot goes,
    sealed, into the pool in the same transaction (the claim is its lock)."""
    marked = check_marks(ballot_rows(found.survey), marks, blank_is_void=False)
    if connection.vendor == "postgresql":
        cast = _cast_in_one_statement(found, marked, comments or {})
    else:
        cast = _cast_in_steps(found, marked, comments or {})
    if not cast:  # rare: say which of the two it was
        if VotingCode.objects.filter(pk=found.pk, used=True).exists():
            raise _code_used()
        raise ValidationError({"code": _("测评码：本次测评已结束")})


# The claim's condition sits on the code row itself (`NOT used`, and its survey still open):
# PostgreSQL re-checks a row's own conditions after waiting for another writer, so of two
# simultaneous casts of one code only one claims it. (A condition through a join is not
# re-checked; the first version used one and let both through.)


def _cast_in_steps(
    found: VotingCode, marked: list[tuple[Row, int | None]], comments: Mapping[str, str]
) -> bool:
    with transaction.atomic():
        open_surveys = Survey.objects.filter(status=SurveyStatus.OPEN).values("pk")
        claimed = VotingCode.objects.filter(pk=found.pk, used=False, survey_id__in=open_surveys)
        if not claimed.update(used=True):
            return False
        pool.put(
            survey_id=found.survey_id, category_id=found.category_id, channel=Channel.ONLINE,
            rows=ballot_rows(found.survey), answers=_answer_rows(marked, comments), minute=_minute(),
            uniform=_uniform(marked),
        )  # fmt: skip
    return True


# On PostgreSQL the claim and the sealed ballot are one statement: one round trip, its own
# transaction, and no ORM to compile. Ballot casting is the busiest write a town has (two
# thousand voters in an evening; bench/README.md). Either both writes happen or neither.
_CAST_SQL = """
WITH claimed AS (
    UPDATE evaluation_votingcode SET used = TRUE
    WHERE id = %s AND NOT used AND survey_id IN (SELECT id FROM evaluation_survey WHERE status = %s)
    RETURNING survey_id, category_id
), pending AS (
    INSERT INTO evaluation_pendingballot (id, survey_id, category_id, channel, sealed)
    SELECT %s, survey_id, category_id, %s, %s FROM claimed
    RETURNING id
)
SELECT count(*) FROM pending
"""


def _cast_in_one_statement(
    found: VotingCode, marked: list[tuple[Row, int | None]], comments: Mapping[str, str]
) -> bool:
    rows = ballot_rows(found.survey)
    body = pool.payload(
        rows=_answer_rows(marked, comments),
        minute=_minute(),
        uniform=_uniform(marked),
        void=False,
        void_reason="",
    )
    sealed = pool.seal(
        body, length=pool.sealed_length(rows), survey_id=found.survey_id, category_id=found.category_id,
        channel=Channel.ONLINE,
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            _CAST_SQL, [found.pk, SurveyStatus.OPEN.value, random_id(), Channel.ONLINE.value, sealed]
        )
        return bool(cursor.fetchone()[0])


# ---------------------------------------------------------------------------------------
# Paper ballots: keyed twice by two clerks, a third person settles a mismatch


def _entry(rows: list[Row], marks: Mapping[str, Any], void: bool, void_reason: str) -> dict[str, Any]:
    if void and not (void_reason or "").strip():
        raise ValidationError({"void_reason": _("废票原因：标为废票须写明原因")})
    if void:
        return {"void": True, "void_reason": void_reason.strip(), "rows": {}}
    marked = check_marks(rows, marks, blank_is_void=True)
    return {"void": False, "void_reason": "", "rows": {row.key: level for row, level in marked}}


def _count(sheet: PaperSheet, entry: dict[str, Any], rows: list[Row]) -> None:
    """The agreed sheet's ballot into the pool, in the transaction that marks the sheet counted."""
    by_key = {row.key: row for row in rows}
    marked = [(by_key[k], level) for k, level in entry["rows"].items()]
    pool.put(
        survey_id=sheet.survey_id, category_id=sheet.category_id, channel=Channel.PAPER, rows=rows,
        answers=[] if entry["void"] else _answer_rows(marked, {}), minute=None, uniform=_uniform(marked),
        void=entry["void"], void_reason=entry["void_reason"][: pool.REASON_MAX],
    )  # fmt: skip


def _open_for_paper(survey: Survey) -> Survey:
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status != SurveyStatus.OPEN:
        raise ValidationError(
            {
                "survey": _("纸质票录入：测评当前为“%(s)s”，只有测评中可以录入")
                % {"s": survey.get_status_display()}
            }
        )
    return survey


@transaction.atomic
def paper_enter(
    *, actor: User, survey: Survey, category: RespondentCategory | None, sheet_no: int | None,
    marks: Mapping[str, Any], void: bool = False, void_reason: str = "",
) -> PaperSheet:  # fmt: skip
    """First keying stores the sheet; the second (by another clerk) counts it if both agree."""
    _office_only(actor)
    survey = _open_for_paper(survey)
    refuse_fields(
        {
            "sheet_no": _("票号：请填写纸质票上的编号（1至999999）")
            if not sheet_no or sheet_no > 999_999
            else None,
            "category": _("类别：请选择") if category is None or category.survey_id != survey.pk else None,
        }
    )
    assert category is not None and sheet_no is not None
    entry = _entry(ballot_rows(survey), marks, void, void_reason)
    sheet = PaperSheet.objects.select_for_update().filter(survey=survey, sheet_no=sheet_no).first()
    if sheet is None:
        try:
            with transaction.atomic():
                sheet = PaperSheet.objects.create(
                    survey=survey, category=category, sheet_no=sheet_no, entry_a=entry, entry_a_by=actor
                )
        except IntegrityError as exc:  # the other clerk saved the same sheet a moment ago
            raise ValidationError(
                {"sheet_no": _("票号：%(n)s 正在由另一录入员录入，请刷新后重试") % {"n": sheet_no}}
            ) from exc
        audit_record(actor=actor, action=EvaluationAudit.PAPER_ENTERED, obj=sheet, after={"entry": "a"})
        return sheet
    if sheet.status != SheetStatus.ONE_ENTRY:
        raise ValidationError(
            {
                "sheet_no": _("票号：%(n)s 已录入两遍（%(s)s）")
                % {"n": sheet_no, "s": sheet.get_status_display()}
            }
        )
    if sheet.entry_a_by_id == actor.pk:
        raise ValidationError({"sheet_no": _("票号：%(n)s 的第二遍须由另一名录入员录入") % {"n": sheet_no}})
    entry_b = {**entry, "category": category.pk}
    entry_a = {**sheet.entry_a, "category": sheet.category_id}
    sheet.entry_b, sheet.entry_b_by = entry_b, actor
    if entry_a == entry_b:
        sheet.status = SheetStatus.MATCHED
        _count(sheet, entry, ballot_rows(survey))
    else:
        sheet.status = SheetStatus.MISMATCH
    sheet.save()
    audit_record(
        actor=actor,
        action=EvaluationAudit.PAPER_ENTERED,
        obj=sheet,
        after={"entry": "b", "status": sheet.status},
    )
    return sheet


@transaction.atomic
def paper_resolve(
    *, actor: User, sheet: PaperSheet, category: RespondentCategory | None, marks: Mapping[str, Any],
    void: bool = False, void_reason: str = "",
) -> PaperSheet:  # fmt: skip
    """A third person looks at the paper and keys what it says; that is what is counted."""
    _office_only(actor)
    sheet = PaperSheet.objects.select_for_update(of=("self",)).select_related("survey").get(pk=sheet.pk)
    survey = _open_for_paper(sheet.survey)
    if sheet.status != SheetStatus.MISMATCH:
        raise ValidationError({"sheet_no": _("票号：%(n)s 不是待核对的票") % {"n": sheet.sheet_no}})
    if actor.pk in (sheet.entry_a_by_id, sheet.entry_b_by_id):
        raise ValidationError({"sheet_no": _("票号：核对须由两名录入员以外的人完成")})
    if category is None or category.survey_id != survey.pk:
        raise ValidationError({"category": _("类别：请选择")})
    entry = _entry(ballot_rows(survey), marks, void, void_reason)
    sheet.category = category
    sheet.status, sheet.resolved_by = SheetStatus.RECONCILED, actor
    _count(sheet, entry, ballot_rows(survey))
    sheet.save()
    audit_record(
        actor=actor, action=EvaluationAudit.PAPER_RECONCILED, obj=sheet, after={"status": sheet.status}
    )
    return sheet
