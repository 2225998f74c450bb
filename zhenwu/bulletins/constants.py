"""Choices of 通报: the audited actions of generating, editing and issuing one."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BulletinAudit(models.TextChoices):
    """Audited actions of 通报 (registered with core.audit_actions)."""

    BULLETIN_GENERATED = "bulletin.generated", _("生成通报")
    BULLETIN_EDITED = "bulletin.edited", _("修改通报")
    BULLETIN_PUBLISHED = "bulletin.published", _("印发通报")
