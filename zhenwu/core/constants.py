"""Choices of the core: its own audit actions and the holiday calendar's day kinds."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("放假")
    WORKDAY = "workday", _("调休上班")


class CoreAudit(models.TextChoices):
    """The core's own audited actions; each app registers its own (core.audit_actions)."""

    HOLIDAY_SET = "calendar.holiday_set", _("设置节假日")
    CALENDAR_YEAR_IMPORTED = "calendar.year_imported", _("导入年度日历")
    REMINDER_SENT = "notice.sent", _("发送提醒")
    TICK_RUN = "system.tick", _("定时任务")
    BACKUP_MADE = "system.backup", _("备份")
    BACKUP_RESTORED = "system.restore", _("从备份恢复")
    AUDIT_KEYED = "system.audit_keyed", _("审计日志启用密钥")
    TOWNS_INTRODUCED = "system.towns_introduced", _("审计日志开始记录所属镇")
    ACCESS_REFUSED = "security.refused", _("越权操作被拒绝")
    ADMIN_ACTION = "admin.logged", _("后台操作")
    GROUP_CHANGED = "auth.group_changed", _("修改权限组")
    PERMISSIONS_CHANGED = "auth.permissions_changed", _("修改权限")
