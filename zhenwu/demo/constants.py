"""Choices of the demo town: the audited action of seeding it, and its published password."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DemoAudit(models.TextChoices):
    """Audited actions of the demo (registered with core.audit_actions)."""

    DEMO_SEEDED = "demo.seeded", _("生成演示数据")


# Printed by `make run` and in the README, so never acceptable as anyone's own password
# (DemoConfig.ready registers it with core.passwords.PublishedPasswordValidator).
DEMO_PASSWORD = "Zhenwu@2009"
