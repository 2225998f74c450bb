"""Choices of the problem ledger (整改台账), following the standard ledger columns."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    SUGGESTION = "suggestion", _("群众献言献策")
    LEADERSHIP_REVIEW = "leadership_review", _("班子评议")
    SATISFACTION_SURVEY = "satisfaction_survey", _("满意度测评")
    INSPECTION = "inspection", _("督导检查")
    SUPERIOR = "superior", _("上级交办")
    SELF_CHECK = "self_check", _("自查")
    OTHER = "other", _("其他")


class Category(models.TextChoices):
    INFRASTRUCTURE = "infrastructure", _("基础设施")
    ECONOMY = "economy", _("经济发展")
    LIVELIHOOD = "livelihood", _("民生保障")
    SOCIAL = "social", _("社会事业")
    ENVIRONMENT = "environment", _("环境卫生")
    LAND = "land", _("土地征收与安置")
    CONDUCT = "conduct", _("干部作风")
    SERVICE = "service", _("政务服务")
    OTHER = "other", _("其他")


class DeadlineBasis(models.TextChoices):
    DATE = "date", _("指定日期")
    WORKDAYS = "workdays", _("工作日")
    CALENDAR_DAYS = "calendar_days", _("自然日")
    LONG_TERM = "long_term", _("长期坚持")


class ExtensionStatus(models.TextChoices):
    REQUESTED = "requested", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("未批准")


class EvidenceKind(models.TextChoices):
    REPORT = "report", _("进度报告附件")
    CLOSURE = "closure", _("销号佐证材料")
    OTHER = "other", _("其他材料")


# Evidence files: images, PDF and Office documents only, each at most this size.
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
EVIDENCE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
