"""Choices of the demo town: the audited action of seeding it, and its published password."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# Every demo account's first password, printed by `make run` and in the README: nobody may
# choose it (core.passwords.PublishedPasswordValidator), and 系统检查 names the accounts that
# still open with it (registered from DemoConfig.ready()).
DEMO_PASSWORD = "Zhenwu@2009"


class DemoAudit(models.TextChoices):
    """Audited actions of the demo (registered with core.audit_actions)."""

    DEMO_SEEDED = "demo.seeded", _("生成演示数据")
