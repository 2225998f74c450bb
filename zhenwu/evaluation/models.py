"""测评: surveys, their questions and scales, voting codes, secret ballots, paper double entry.

Secrecy (ADR 0005): a Ballot knows its survey, its respondent category and its channel —
nothing else. No foreign key leads from a ballot to a code, an account or a person, and a
VotingCode only says whether it is used (not when, not by which ballot). Nor does the storage
itself join them: a cast claims the code and leaves its ballot sealed in the PendingBallot
pool; ballots are written later, in shuffled batches of at least k, with ids that carry no
order (`zhenwu.evaluation.pool`).
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhenwu.core.timefmt import shown
from zhenwu.evaluation.constants import Channel, Purpose, SheetStatus, SurveyStatus
from zhenwu.org.models import Person, Town


class Scale(models.Model):
    """A rating scale: its levels in order, each with whether it usually counts as satisfied
    and as 好评 (a question may mark them differently)."""

    name = models.CharField(_("量表名称"), max_length=60, unique=True)
    levels = models.JSONField(_("等级"))  # [{"label": "满意", "satisfied": true, "good": true}, …]
    builtin = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("量表")
        verbose_name_plural = _("量表")
        ordering = ["-builtin", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def labels(self) -> list[str]:
        return [level["label"] for level in self.levels]


class Survey(models.Model):
    # Set by survey_create from the actor, never by a view (ADR 0008). Everything else of a
    # survey reaches its town through it (evaluation/apps.py): ballots carry no column of their
    # own, so ADR 0005's field lists stay as pinned.
    town = models.ForeignKey(
        Town, verbose_name=_("所属镇"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    title = models.CharField(_("测评名称"), max_length=100)
    purpose = models.CharField(_("测评类型"), max_length=20, choices=Purpose.choices)
    period_start = models.DateField(_("测评开始"))
    period_end = models.DateField(_("测评结束"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("状态"), max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    # 人大-style verdict: satisfied only if 满意 votes exceed half of all members (not of votes cast).
    npc_members = models.PositiveIntegerField(_("全体组成人员数（人大式评议）"), null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    snapshot = models.JSONField(null=True, blank=True, editable=False)  # the results, frozen on publishing
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("测评")
        verbose_name_plural = _("测评")
        ordering = ["-period_start", "-id"]

    def __str__(self) -> str:
        return self.title

    def clean_fields(self, exclude: Any = None) -> None:
        # The town is set by the service from the actor, never typed in (as ledger.Problem's).
        super().clean_fields(exclude={*(exclude or ()), "town"})


class RespondentCategory(models.Model):
    """党员代表, 人大代表 …: who was asked, how many were expected (应到), and an optional weight."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(_("类别"), max_length=30)
    expected = models.PositiveIntegerField(_("应到人数"), default=0)
    paper_issued = models.PositiveIntegerField(_("发出纸质票"), default=0)
    weight = models.FloatField(_("权重"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["survey", "name"], name="category_name_per_survey")]

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("题目"), max_length=200)
    scale = models.ForeignKey(Scale, verbose_name=_("量表"), on_delete=models.PROTECT)
    satisfied_levels = models.JSONField(default=list)  # level indexes counted in 满意率
    good_levels = models.JSONField(default=list)  # level indexes counted in 好评率
    scores = models.JSONField(null=True, blank=True)  # optional points per level: a 测评得分, never a 满意率
    allow_comment = models.BooleanField(_("允许填写意见"), default=False)
    required = models.BooleanField(_("必答"), default=True)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text


class Subject(models.Model):
    """One row of a question that rates several subjects: the team, then each leader by name."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="subjects")
    label = models.CharField(_("测评对象"), max_length=60)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.label


class VotingCode(models.Model):
    """A one-time code. It says only whether it has been used: not when, not for which ballot."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="codes")
    category = models.ForeignKey(RespondentCategory, on_delete=models.PROTECT, related_name="codes")
    code = models.CharField(max_length=8, unique=True)
    batch = models.PositiveSmallIntegerField(default=1)
    used = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["survey", "category", "used"], name="code_survey_category_used")]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.batch}"


def random_id() -> int:
    """A positive 63-bit id drawn at random: a sequence would number ballots in the order they
    were written, and that order is what links a ballot to its code."""
    return secrets.randbelow(2**63 - 1) + 1


class Ballot(models.Model):
    """A counted ballot: survey, category, channel — and no way back to a voter."""

    id = models.BigIntegerField(primary_key=True, default=random_id, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="ballots")
    category = models.ForeignKey(RespondentCategory, on_delete=models.PROTECT, related_name="ballots")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # When its batch was written, to the minute — the same for the whole batch. Not when it was
    # cast: any per-ballot time, however coarse, lines up with the order codes were claimed in.
    at = models.DateTimeField()
    void = models.BooleanField(_("废票"), default=False)
    void_reason = models.CharField(_("废票原因"), max_length=100, blank=True)
    uniform = models.BooleanField(default=False)  # 3+ rows all given the same level (straight-lining)

    class Meta:
        indexes = [
            models.Index(fields=["survey", "category", "channel", "void"], name="ballot_survey_counts"),
            models.Index(fields=["survey", "at"], name="ballot_survey_minute"),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}#{self.pk}"


class PendingBallot(models.Model):
    """A cast ballot waiting for its batch (ADR 0005). It is written in the same transaction as
    the claim of its code, so it shares the code's transaction id: everything in it but the
    survey, category and channel (which the code says anyway) is sealed — encrypted with a key
    kept outside the database and padded to one length per survey — and the row is deleted
    when its batch is written. No time, no sequence, nothing readable."""

    id = models.BigIntegerField(primary_key=True, default=random_id, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(RespondentCategory, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    sealed = models.BinaryField()

    class Meta:
        indexes = [models.Index(fields=["survey", "category", "channel"], name="pending_batch")]

    def __str__(self) -> str:
        return f"{self.survey_id} pending"


class CastMinute(models.Model):
    """How many phone ballots were cast in one minute, for the 投票最集中的分钟 figure. Counted
    when their batch is written, from the sealed minutes: a count per minute, no ballot."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    minute = models.DateTimeField()
    ballots = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "minute"], name="cast_minute_per_survey")]

    def __str__(self) -> str:
        return f"{self.survey_id} {shown(self.minute)} {self.ballots}"


class Answer(models.Model):
    """One marked row. `level` is None when the row was left blank or marked twice (void for that
    row only). Survey and category are copied from the ballot so the tally is one GROUP BY."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="answers")
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(RespondentCategory, on_delete=models.PROTECT, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    subject = models.ForeignKey(
        Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="answers"
    )
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["survey", "question", "subject", "category", "level"], name="answer_tally"),
        ]

    def __str__(self) -> str:
        return f"{self.ballot_id} {self.question_id} {self.level}"

    @property
    def level_label(self) -> str:
        """The level in the question's own words (the stored level is its 0-based position)."""
        labels = self.question.scale.labels
        return labels[self.level] if self.level is not None and self.level < len(labels) else ""


class PaperSheet(models.Model):
    """A paper ballot keyed twice by two clerks. Only when both agree (or a third person has
    looked at the paper and settled a mismatch) does it become a Ballot, with no link back."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="sheets")
    category = models.ForeignKey(RespondentCategory, on_delete=models.PROTECT, related_name="+")
    sheet_no = models.PositiveIntegerField(_("票号"))
    entry_a = models.JSONField()
    entry_a_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entry_b = models.JSONField(null=True, blank=True)
    entry_b_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=SheetStatus.choices, default=SheetStatus.ONE_ENTRY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sheet_no"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "sheet_no"], name="sheet_number_per_survey"),
            models.CheckConstraint(
                condition=Q(entry_b_by__isnull=True) | ~Q(entry_b_by=models.F("entry_a_by")),
                name="sheet_two_different_clerks",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} #{self.sheet_no}"
