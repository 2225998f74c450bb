"""Monthly 通报: a draft that can be regenerated, then published with its number and frozen."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class BulletinStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已印发")


class Bulletin(models.Model):
    month = models.DateField(_("通报月份"), unique=True)  # the first day of the month
    status = models.CharField(
        _("状态"), max_length=10, choices=BulletinStatus.choices, default=BulletinStatus.DRAFT
    )
    title = models.CharField(_("标题"), max_length=100)
    opening = models.TextField(_("开头段落"), blank=True)
    requirements = models.TextField(_("下步工作要求"), blank=True)
    figures = models.JSONField(editable=False)  # the ledger at the month's end, as generated
    generated_at = models.DateTimeField()
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    number = models.PositiveIntegerField(_("序号"), null=True, blank=True)
    doc_number = models.CharField(_("发文字号"), max_length=40, blank=True)
    published_on = models.DateField(_("成文日期"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    document = models.FileField(upload_to="bulletins/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    # The audit log's head when it was published ("seq:hash"), printed on its last line, so a
    # copy on paper or in another office anchors the log (`zhenwu audit verify --expect-head`).
    audit_head = models.CharField(_("审计日志末条"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("通报")
        verbose_name_plural = _("通报")
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "number"], condition=Q(number__isnull=False), name="bulletin_number_per_year"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | (Q(number__isnull=False) & Q(published_on__isnull=False)),
                name="bulletin_published_has_number",
            ),
        ]

    def __str__(self) -> str:
        return self.title
