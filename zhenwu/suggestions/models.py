"""献言献策: residents' suggestions, their photos, the office's triage, and the link to their answers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhenwu.core.timefmt import shown
from zhenwu.ledger.constants import Category
from zhenwu.ledger.models import FollowUp, Problem
from zhenwu.org.models import Unit
from zhenwu.suggestions.constants import AWAITING_TRIAGE, SuggestionStatus


class Campaign(models.Model):
    """A 征集活动 such as "我为××镇发展献言献策": posters and figures are per campaign."""

    title = models.CharField(_("活动名称"), max_length=100)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("征集活动")
        verbose_name_plural = _("征集活动")
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.title


class Suggestion(models.Model):
    """What a resident wrote. Contact details are kept for the office and never shown in public.

    `ip_key` is an HMAC of the sender's address, kept only so submissions can be counted
    per address for the rate limit.
    """

    receipt = models.CharField(_("回执码"), max_length=8, unique=True)
    # The sender's one-off key for this submission (the form's hidden field, or an API client's
    # Idempotency-Key): a retry after a dropped connection gets the first receipt, not a twin.
    submit_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("征集活动"), null=True, blank=True, on_delete=models.PROTECT
    )
    text = models.TextField(_("意见建议"))
    category = models.CharField(_("问题类别"), max_length=30, choices=Category.choices, blank=True)
    village = models.ForeignKey(
        Unit, verbose_name=_("村(社区)"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("姓名"), max_length=20, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.RECEIVED
    )
    reply = models.TextField(_("答复"), blank=True)
    problem = models.ForeignKey(
        Problem,
        verbose_name=_("对应问题"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="suggestions",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提交时间"), db_index=True)
    ip_key = models.CharField(max_length=32, blank=True)

    class Meta:
        verbose_name = _("意见建议")
        verbose_name_plural = _("意见建议")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="suggestion_status_created"),
            models.Index(fields=["ip_key", "created_at"], name="suggestion_ip_created"),
            models.Index(fields=["phone", "created_at"], name="suggestion_phone_created"),
            models.Index(fields=["village", "status"], name="suggestion_village_status"),
            models.Index(fields=["campaign", "status"], name="suggestion_campaign_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["accepted", "merged"]) | Q(problem__isnull=False),
                name="suggestion_linked_has_problem",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receipt} {self.text[:30]}"

    @property
    def awaiting_triage(self) -> bool:
        return self.status in AWAITING_TRIAGE


class SuggestionPhoto(models.Model):
    """A photo as stored: re-encoded without EXIF, with a thumbnail."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="suggestions/%Y/%m/")
    thumbnail = models.ImageField(upload_to="suggestions/%Y/%m/thumbs/")
    content_type = models.CharField(max_length=20)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.image.name


class SuggestionFollowUp(models.Model):
    """A resident's 回访 answer (kept by the ledger) and the suggestion it was given through.

    The ledger's `FollowUp` names the resident only as channel "suggestion" and the
    suggestion's id; this row is the module's own link to it, so the follow-up page lists a
    receipt code's answers by a join and an answer can never point at a missing suggestion.
    """

    suggestion = models.ForeignKey(Suggestion, on_delete=models.PROTECT, related_name="follow_ups")
    follow_up = models.OneToOneField(FollowUp, on_delete=models.PROTECT, related_name="suggestion_link")

    class Meta:
        verbose_name = _("群众评价")
        verbose_name_plural = _("群众评价")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.suggestion_id} → {self.follow_up_id}"


class RoutingModel(models.Model):
    """A trained routing model: where its file is, what it learned from, how well it did.

    The newest row is the one in use. Its figures are from the held-back part of history.
    """

    trained_at = models.DateTimeField()
    decisions = models.PositiveIntegerField(help_text="triage decisions known when trained")
    examples = models.PositiveIntegerField()
    held_out = models.PositiveIntegerField()
    top1 = models.FloatField(null=True)
    top3 = models.FloatField(null=True)
    path = models.CharField(max_length=200)

    class Meta:
        ordering = ["-trained_at", "-id"]

    def __str__(self) -> str:
        return f"{shown(self.trained_at)} n={self.examples}"


class RoutingCatalogue(models.Model):
    """The town's 派单目录 as a whole: whether it was seeded, and a version every edit bumps.

    One row. Routing keeps a snapshot of the topics per process and reads only `version`
    per suggestion to know whether its snapshot is still the catalogue.
    """

    seeded_at = models.DateTimeField(null=True, blank=True)
    shipped_version = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=0)
    # Shipped topics the office deleted: seeding again does not bring them back.
    removed_keys = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("派单目录")
        verbose_name_plural = _("派单目录")

    def __str__(self) -> str:
        return f"v{self.version}"


class RoutingTopic(models.Model):
    """A matter of the 派单目录: the office that takes it and the words residents use for it.

    `office_name` is the office as the catalogue names it; `department` is the town's own
    unit, null when the town has no such department (shown to the office to fix, never
    used for routing). `outranks` are the tie-breaks: topics this one beats when a message
    mentions both. A `names_office` topic holds the names residents call the office by.
    """

    key = models.CharField(max_length=40, blank=True, help_text="the shipped catalogue's key")
    name = models.CharField(_("事项"), max_length=40)
    office_name = models.CharField(_("承办部门"), max_length=100)
    department = models.ForeignKey(
        Unit, verbose_name=_("承办部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(_("问题类别"), max_length=30, choices=Category.choices, blank=True)
    words = models.TextField(_("关键词"))
    weak_words = models.TextField(_("辅助词"), blank=True)
    outranks = models.ManyToManyField(
        "self", verbose_name=_("优先于"), symmetrical=False, blank=True, related_name="outranked_by"
    )
    names_office = models.BooleanField(_("部门名称"), default=False)
    sort_order = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("派单事项")
        verbose_name_plural = _("派单事项")
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["key"], condition=~Q(key=""), name="routing_topic_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.office_name}：{self.name}"


class SimilarityFacets(models.Model):
    """The facets duplicates are matched on (`facets.py`), made once per suggestion or problem.

    The inbox's groups are made from these rows, so no request cuts the whole inbox's text
    again. `key` says what a row was made from (the text, the picked village, the catalogue,
    the registry's places, `facets.VERSION`); a row whose key no longer matches — the
    problem's description was edited, the catalogue changed — is made again when next read.
    """

    suggestion = models.OneToOneField(
        Suggestion, null=True, blank=True, on_delete=models.CASCADE, related_name="facets"
    )
    problem = models.OneToOneField(
        Problem, null=True, blank=True, on_delete=models.CASCADE, related_name="similarity_facets"
    )
    key = models.CharField(max_length=40)
    data = models.JSONField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(suggestion__isnull=False, problem__isnull=True)
                | Q(suggestion__isnull=True, problem__isnull=False),
                name="similarity_facets_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.suggestion_id or self.problem_id}:{self.key[:8]}"
