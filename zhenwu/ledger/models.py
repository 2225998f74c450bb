"""The problem ledger: problems with owners and deadlines, half-monthly reports, evidence, history."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhenwu.ledger.constants import (
    EVIDENCE_PREVIEW_TYPES,
    Category,
    DeadlineBasis,
    EvidenceKind,
    ExtensionStatus,
    ReopenStatus,
    Status,
    Verdict,
)
from zhenwu.ledger.policies import source_label, validate_source
from zhenwu.lib.cadence import Cadence, key_label
from zhenwu.org.models import Person, Town, Unit


class Problem(models.Model):
    """One line of the 整改台账: something to put right, by named owners, by a deadline.

    `last_report_period`, `last_progress` and `progress_slip_on` are kept by the services
    from the reports and the deadline (never from today's date), so "report missing" and
    "behind schedule" are plain indexed comparisons at read time; the warning colour itself
    is derived at read time and never stored.
    """

    # Set by problem_create from the actor or the calling service, never by a view (ADR 0008).
    town = models.ForeignKey(
        Town, verbose_name=_("所属镇"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    number = models.CharField(_("编号"), max_length=20)  # one series per town (core.counters)
    # Any source a module registered (ledger/policies.py), not a fixed list of choices.
    source = models.CharField(_("问题来源"), max_length=30, validators=[validate_source], db_index=True)
    category = models.CharField(_("问题类别"), max_length=30, choices=Category.choices, db_index=True)
    description = models.TextField(_("问题描述"))
    goal = models.TextField(_("整改目标"), blank=True)
    measures = models.TextField(_("整改措施"), blank=True)
    milestones = models.TextField(_("进度节点"), blank=True)
    completion = models.TextField(_("完成情况"), blank=True)
    remarks = models.TextField(_("备注"), blank=True)
    village = models.ForeignKey(
        Unit, verbose_name=_("村(社区)"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    leader = models.ForeignKey(
        Person,
        verbose_name=_("责任领导"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_problems",
    )
    department = models.ForeignKey(
        Unit,
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
    )
    assignees = models.ManyToManyField(Person, verbose_name=_("责任人"), blank=True, related_name="problems")
    cooperating_units = models.ManyToManyField(Unit, verbose_name=_("配合单位"), blank=True, related_name="+")
    acceptor = models.ForeignKey(
        Person, verbose_name=_("验收人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PENDING)
    cadence = models.CharField(
        _("报告周期"),
        max_length=15,
        choices=[(c.value, c.value) for c in Cadence],
        default=Cadence.HALF_MONTHLY,
    )
    deadline_basis = models.CharField(
        _("时限方式"), max_length=15, choices=DeadlineBasis.choices, default=DeadlineBasis.DATE
    )
    deadline_days = models.PositiveSmallIntegerField(_("时限天数"), null=True, blank=True)
    assigned_on = models.DateField(_("分派日期"), null=True, blank=True)
    deadline = models.DateField(_("整改时限"), null=True, blank=True)
    # Counted in working days across a year whose holiday arrangement is not confirmed yet:
    # shown as 暂定, and recomputed when the office confirms that year (core.calendar).
    deadline_provisional = models.BooleanField(_("时限暂定"), default=False)
    original_deadline = models.DateField(_("原定时限"), null=True, blank=True)
    suspended_since = models.DateField(_("暂停起始"), null=True, blank=True)
    last_report_period = models.CharField(max_length=10, blank=True, editable=False)
    last_progress = models.PositiveSmallIntegerField(default=0, editable=False)
    progress_slip_on = models.DateField(null=True, blank=True, editable=False)
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("问题")
        verbose_name_plural = _("问题")
        ordering = ["number"]
        # A town's list filters by its town first, so every filter's index leads with it: the
        # planner then matches the filter's columns after the town (SQLite, without statistics,
        # otherwise takes (town, status) over (department, status) and reads the whole town).
        # The list's default order is the (town, number) unique index.
        indexes = [
            models.Index(fields=["town", "status", "deadline"], name="problem_town_status_deadline"),
            models.Index(fields=["town", "department", "status", "number"], name="problem_town_department"),
            models.Index(fields=["town", "status", "number"], name="problem_town_status_number"),
            models.Index(fields=["town", "leader", "status"], name="problem_town_leader"),
            models.Index(fields=["town", "village", "status"], name="problem_town_village"),
            models.Index(fields=["town", "status", "last_report_period"], name="problem_town_status_report"),
            models.Index(fields=["town", "status", "progress_slip_on"], name="problem_town_status_slip"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["town", "number"], name="problem_number_per_town"),
            models.CheckConstraint(condition=Q(last_progress__lte=100), name="problem_progress_at_most_100"),
            models.CheckConstraint(
                condition=Q(status=Status.PENDING)
                | (Q(leader__isnull=False) & Q(department__isnull=False) & Q(assigned_on__isnull=False)),
                name="problem_owned_unless_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.description[:30]}"

    def clean_fields(self, exclude: Any = None) -> None:
        # The town is set by the services from the actor or a loaded object, never typed in:
        # asking the database whether it exists on every save would cost a query each time.
        super().clean_fields(exclude={*(exclude or ()), "town"})

    def get_source_display(self) -> str:
        return source_label(self.source)


class ProblemTransition(models.Model):
    """One step of a problem through the state machine; appended, never edited."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(_("动作"), max_length=20)
    from_status = models.CharField(max_length=20, choices=Status.choices)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    reason = models.TextField(_("理由"), blank=True)
    # What a same-status step changed ({"leader": {"from": 3, "to": 7}, ...}): a corrected assignment.
    changes = models.JSONField(_("变更内容"), null=True, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"))

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["to_status", "at"], name="transition_status_at"),
            # "a problem's last step up to a moment" (bulletins rebuild month ends from it);
            # without it SQLite walks the (status, at) index instead: 22 ms a problem.
            models.Index(fields=["problem", "at"], name="transition_problem_at"),
        ]

    def __str__(self) -> str:
        return f"{self.problem_id} {self.from_status}→{self.to_status}"


class ProgressReport(models.Model):
    """A 半月报告: one per problem and period; a draft until submitted, then fixed."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="reports")
    period_key = models.CharField(_("报告期"), max_length=10)
    progress = models.PositiveSmallIntegerField(_("完成进度(%)"))
    done = models.TextField(_("本期完成情况"))
    difficulties = models.TextField(_("存在困难"), blank=True)
    next_steps = models.TextField(_("下步打算"), blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    is_late = models.BooleanField(_("逾期提交"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["period_key"]
        constraints = [
            models.UniqueConstraint(fields=["problem", "period_key"], name="report_one_per_period"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_progress_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"{self.problem_id} {self.period_key}"

    @property
    def period_label(self) -> str:
        return key_label(self.period_key)


class Evidence(models.Model):
    """A file behind a report or a closure (佐证材料)."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="evidence")
    report = models.ForeignKey(
        ProgressReport, null=True, blank=True, on_delete=models.CASCADE, related_name="files"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=EvidenceKind.choices)
    file = models.FileField(_("文件"), upload_to="evidence/%Y/%m/")
    original_name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)
    # None: recorded by the system with a step that happened elsewhere (the demo's history).
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def extension(self) -> str:
        """ "PDF", "JPG": the file-type tile's label."""
        return self.original_name.rpartition(".")[2].upper() if "." in self.original_name else "?"

    @property
    def previewable(self) -> bool:
        return self.content_type in EVIDENCE_PREVIEW_TYPES


class Extension(models.Model):
    """A request to move the deadline (延期): needs a reason and the office's approval."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="extensions")
    old_deadline = models.DateField(_("原时限"))
    new_deadline = models.DateField(_("申请延至"))
    reason = models.TextField(_("延期理由"))
    status = models.CharField(
        max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.REQUESTED
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["problem"], condition=Q(status="requested"), name="extension_one_pending_per_problem"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.problem_id} → {self.new_deadline}"


class Suspension(models.Model):
    """The clock stopped (暂停) from `start` to `end`; the deadline moves by those working days."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="suspensions")
    start = models.DateField(_("暂停日期"))
    end = models.DateField(_("恢复日期"), null=True, blank=True)
    reason = models.TextField(_("暂停理由"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # When the clock restarted and the deadline it had until then: a month-end bulletin rebuilt
    # later must use the deadline in force at that month's end, not the one moved since.
    resumed_at = models.DateTimeField(null=True, blank=True)
    deadline_before = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["start", "id"]

    def __str__(self) -> str:
        return f"{self.problem_id} {self.start}–{self.end or ''}"


class FollowUp(models.Model):
    """回访: one respondent's answer about one closure of a problem.

    `closure` counts the problem's closures (1 for the first 验收销号), so a problem reopened
    and closed again — even on the same day — is asked about again; `closed_on` is that
    closure's date, which the 满意率 groups by. Who answered is a key within a `channel`
    (e.g. channel "suggestion", key the suggestion's id): the ledger knows no module's table,
    the module links its own record to the answer with its own one-to-one.
    """

    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="follow_ups")
    closure = models.PositiveSmallIntegerField(_("第几次销号"))
    closed_on = models.DateField(_("销号日期"))
    channel = models.CharField(_("回访渠道"), max_length=30)
    respondent_key = models.CharField(_("评价人"), max_length=64)
    satisfaction = models.CharField(_("评价"), max_length=12, choices=Verdict.choices)
    comment = models.TextField(_("意见"), blank=True)
    at = models.DateTimeField(_("评价时间"))

    class Meta:
        verbose_name = _("回访评价")
        verbose_name_plural = _("回访评价")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["closed_on", "satisfaction"], name="followup_closed_satisfaction")]
        constraints = [
            models.UniqueConstraint(
                fields=["problem", "closure", "channel", "respondent_key"], name="followup_once_per_closure"
            ),
            models.CheckConstraint(condition=Q(closure__gte=1), name="followup_closure_from_one"),
        ]

    def __str__(self) -> str:
        return f"{self.problem_id}#{self.closure} {self.channel}:{self.respondent_key} {self.satisfaction}"


class ReopenRequest(models.Model):
    """A 不满意 answer, waiting for the office: reopen the problem, or keep it closed and say why."""

    follow_up = models.OneToOneField(FollowUp, on_delete=models.PROTECT, related_name="reopen_request")
    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="reopen_requests")
    status = models.CharField(
        _("处理结果"), max_length=10, choices=ReopenStatus.choices, default=ReopenStatus.PENDING
    )
    note = models.TextField(_("处理说明"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("重新整改申请")
        verbose_name_plural = _("重新整改申请")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="followup_reopen_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=ReopenStatus.PENDING) | Q(decided_at__isnull=False),
                name="reopen_decided_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.problem_id} {self.status}"


class DepartmentAlias(models.Model):
    """A name the town's sheets use for one of its departments ("建设办" → 村镇建设办).

    The importer matches departments by name and short name first; these are the town's own
    other names, kept by the office on the 部门别名 page or remembered from an import preview.
    `key` is the alias as compared (NFKC, no spaces): one key names one department only.
    """

    town = models.ForeignKey(
        Town, verbose_name=_("所属镇"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    key = models.CharField(_("别名"), max_length=100)
    alias = models.CharField(_("别名（原文）"), max_length=100)
    unit = models.ForeignKey(Unit, verbose_name=_("部门"), on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("部门别名")
        verbose_name_plural = _("部门别名")
        ordering = ["key"]
        constraints = [models.UniqueConstraint(fields=["town", "key"], name="alias_key_per_town")]

    def __str__(self) -> str:
        return f"{self.alias} → {self.unit_id}"


class ImportedRow(models.Model):
    """A sheet row turned into a problem: how the same row is recognised when the sheet comes again.

    `key` is zhenwu.lib.ledger_text.row_identity (序号 + description + department); a sheet
    that carries the problem's own 编号 is recognised by that instead."""

    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="+", editable=False)
    key = models.CharField(max_length=64)
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="imported_rows")
    serial = models.CharField(_("原台账序号"), max_length=40, blank=True)
    file_name = models.CharField(_("文件名"), max_length=200, blank=True)
    imported_at = models.DateTimeField(_("导入时间"))

    class Meta:
        verbose_name = _("已导入的台账行")
        verbose_name_plural = _("已导入的台账行")
        constraints = [models.UniqueConstraint(fields=["town", "key"], name="imported_row_key_per_town")]

    def __str__(self) -> str:
        return f"{self.problem_id} #{self.serial}"
