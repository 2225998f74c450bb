"""The audit log (append-only, hash-chained) and the working-day calendar."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhenwu.core.audit_actions import action_label
from zhenwu.core.constants import DayKind


class AppendOnlyError(RuntimeError):
    pass


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("审计日志只能追加，不能修改")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("审计日志只能追加，不能删除")


class AuditEvent(models.Model):
    """One thing that happened: who, what, to which object, before and after, from where.

    Each row carries the hash of the previous row, so `zhenwu audit verify` can prove the
    log was not edited or thinned out. Rows are written only by core.audit.audit_record,
    inside the same transaction as the change they describe. The database refuses UPDATE
    (and DELETE on PostgreSQL) through triggers; the model refuses both as well.
    """

    seq = models.PositiveBigIntegerField(_("序号"), unique=True)
    created_at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("操作人"), max_length=100, blank=True)
    action = models.CharField(_("动作"), max_length=60, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=60, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=40, blank=True)
    object_label = models.CharField(_("对象"), max_length=200, blank=True)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("来源IP"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # The town the event belongs to (ADR 0008 §6): from the object's declared town path
    # (org/towns.py). NULL is the county's and the system's, and every row below the
    # `system.towns_introduced` marker (those are the first town's). Hashed only when set, so
    # the rows written before the column existed verify as they were written. No database-level
    # constraint and no index of its own, so SQLite can add and drop the column in place: a
    # rebuilt table would lose its append-only triggers (core 0003). Towns are never deleted.
    town = models.ForeignKey(
        "org.Town", verbose_name=_("所属镇"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", db_index=False, db_constraint=False,
    )  # fmt: skip

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "seq"], name="audit_object_idx"),
            models.Index(fields=["actor", "seq"], name="audit_actor_idx"),
            models.Index(fields=["town", "seq"], name="audit_town_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("审计日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("审计日志只能追加，不能删除")

    @property
    def actor_name(self) -> str:
        """Who, readably: a SystemActor's key ("tick") is shown by its name (定时任务)."""
        from zhenwu.core.actors import label_for_key

        return label_for_key(self.actor_label)

    @property
    def action_label(self) -> str:
        return action_label(self.action)

    @property
    def shown_ip(self) -> str:
        """The address the audit page shows: staff's only. Rows from before residents' addresses
        moved to AuditAddress still hold them, and cannot be changed; they are not shown."""
        from zhenwu.core.actors import SYSTEM_ACTORS

        return (self.ip or "") if self.actor_id or self.actor_label not in SYSTEM_ACTORS else ""


class AuditAddress(models.Model):
    """The address of a resident's (or the system's) audited action, kept apart from the log.

    The log is kept for ever and cannot be edited, so it is no place for residents' addresses:
    `zhenwu tick` deletes these rows after ZHENWU_IP_RETENTION_DAYS (网络安全法 第二十一条 asks
    for network logs to be kept at least six months). `seq` is the event's; staff's addresses
    stay in AuditEvent.ip (see core.audit and docs/adr/0001-audit-log.md).
    """

    seq = models.PositiveBigIntegerField(_("序号"), unique=True)
    ip = models.GenericIPAddressField(_("来源IP"))
    created_at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("审计来源地址")
        verbose_name_plural = _("审计来源地址")
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.ip}"


class CalendarYear(models.Model):
    """A year whose holiday arrangement has been entered; deadlines outside these years are refused."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    source = models.CharField(_("来源"), max_length=100)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("日历年度")
        verbose_name_plural = _("日历年度")
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}年"


class Holiday(models.Model):
    """A weekday off (放假) or a weekend day worked (调休上班), per the State Council notice."""

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("名称"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class TickRun(models.Model):
    """The last run of one periodic task: 系统检查 reads it, and a failed task is seen, not lost."""

    task = models.CharField(_("任务"), max_length=60, unique=True)
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    ok = models.BooleanField(_("成功"), default=True)
    count = models.IntegerField(_("处理条数"), default=0)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("定时任务记录")
        verbose_name_plural = _("定时任务记录")
        ordering = ["task"]

    def __str__(self) -> str:
        return self.task


class Counter(models.Model):
    """The last number given in one series of one town in one year (2026-0001 for problems,
    ×党办〔2026〕N号 for 通报, and any module's own): core.counters.counter_next.

    One row per series, updated in place: the UPDATE takes the row's lock (PostgreSQL) or the
    database's write lock (SQLite), so two app servers hand out consecutive numbers instead of
    racing a MAX() to the unique index (ADR 0008 §5)."""

    town = models.ForeignKey("org.Town", on_delete=models.PROTECT, related_name="+")
    series = models.CharField(max_length=40)
    year = models.PositiveSmallIntegerField()
    value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("编号计数")
        verbose_name_plural = _("编号计数")
        constraints = [models.UniqueConstraint(fields=["town", "series", "year"], name="counter_per_series")]

    def __str__(self) -> str:
        return f"{self.town_id} {self.series} {self.year}: {self.value}"


class Notice(models.Model):
    """A message in someone's inbox (the outbox of reminders), e-mailed too where configured.

    `key` names what the notice is about ("report-due:12:2026-11-2:7"): the unique index makes
    `zhenwu tick` idempotent and safe to run on several nodes at once.
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    key = models.CharField(max_length=120, unique=True)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notice_recipient_unread")]

    def __str__(self) -> str:
        return self.subject


class ThrottleHit(models.Model):
    """One counted attempt by an anonymous caller (a guessed code, a public answer).

    The key is an HMAC of the address or phone, never the value itself, so the table says
    how often someone knocked without saying who. Rows older than a day are swept by tick.
    """

    scope = models.CharField(max_length=30)
    key = models.CharField(max_length=64)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["scope", "key", "at"], name="throttle_scope_key_at")]

    def __str__(self) -> str:
        return f"{self.scope} {self.at}"
