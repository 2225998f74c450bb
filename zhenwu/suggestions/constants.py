"""Choices and limits of 献言献策: what a suggestion can become (the answers' choices are the ledger's)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SuggestionStatus(models.TextChoices):
    # The words a resident reads on the follow-up page.
    RECEIVED = "received", _("已收到")
    ACCEPTED = "accepted", _("已受理并转为问题")
    MERGED = "merged", _("已合并到同类问题")
    ANSWERED = "answered", _("已答复")
    DECLINED = "declined", _("不予受理")


class TriageAction(models.TextChoices):
    ACCEPT = "accept", _("受理为新问题")
    MERGE = "merge", _("合并到已有问题")
    ANSWER = "answer", _("直接答复")
    DECLINE = "decline", _("不予受理")


# The triage table: a new suggestion is decided once; a decided one stays decided.
# Waiting for the office: only these can be picked for a bulk step in the inbox.
AWAITING_TRIAGE = frozenset({SuggestionStatus.RECEIVED})
TRIAGE: dict[str, str] = {
    TriageAction.ACCEPT: SuggestionStatus.ACCEPTED,
    TriageAction.MERGE: SuggestionStatus.MERGED,
    TriageAction.ANSWER: SuggestionStatus.ANSWERED,
    TriageAction.DECLINE: SuggestionStatus.DECLINED,
}
# Suggestions that feed a ledger problem, whose residents are asked once it is closed.
LINKED = (SuggestionStatus.ACCEPTED, SuggestionStatus.MERGED)


TEXT_MAX_CHARS = 1000
TEXT_MIN_CHARS = 5
REPLY_MAX_CHARS = 2000
NAME_MAX_CHARS = 20
PHOTO_MAX_COUNT = 6
PHOTO_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
THUMBNAIL_SIZE = (320, 320)
# A photo's longest side is scaled down to this on intake: enough to see a broken lamp,
# and the re-encoding drops EXIF (location, phone model) with it.
PHOTO_MAX_SIDE = 2048


class SuggestionAudit(models.TextChoices):
    """Audited actions of 献言献策 (registered with core.audit_actions)."""

    SUGGESTION_RECEIVED = "suggestion.received", _("收到意见建议")
    SUGGESTION_TRIAGED = "suggestion.triaged", _("处理意见建议")
    CAMPAIGN_SAVED = "suggestion.campaign_saved", _("保存征集活动")
    ROUTING_TRAINED = "suggestion.routing_trained", _("训练分派模型")
    CATALOGUE_SEEDED = "suggestion.catalogue_seeded", _("载入派单目录")
    TOPIC_SAVED = "suggestion.topic_saved", _("保存派单事项")
    TOPIC_DELETED = "suggestion.topic_deleted", _("删除派单事项")
