"""Choices of the problem ledger (整改台账), following the standard ledger columns."""

from django.db import models
from django.utils.translation import gettext_lazy
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


class RowStatus(models.TextChoices):
    """What the import preview says of each row of a sheet."""

    OK = "ok", _("新增")
    UPDATE = "update", _("更新进展")
    DUPLICATE = "duplicate", _("已导入，跳过")
    CONFIRM = "confirm", _("待确认")
    ERROR = "error", _("有错误")
    SKIPPED = "skipped", _("跳过")


class NotStarted(models.TextChoices):
    """What a row marked 未启动 becomes: the office chooses in the import preview."""

    IN_PROGRESS = "in_progress", _("整改中（按台账分派）")
    PENDING = "pending", _("待分派（暂不分派）")


class ExtensionStatus(models.TextChoices):
    REQUESTED = "requested", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("未批准")


class EvidenceKind(models.TextChoices):
    REPORT = "report", _("进度报告附件")
    CLOSURE = "closure", _("销号佐证材料")
    OTHER = "other", _("其他材料")


# Evidence files: images, PDF and Office documents only, each at most this size, and at most
# this many in one upload (so one request has a known largest size: nginx's body limit).
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
EVIDENCE_MAX_FILES = 5
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

# The types the acceptance panel previews (a photo's thumbnail, a PDF's first page, see
# ledger.previews); Office files show a file-type tile and the link.
EVIDENCE_PREVIEW_TYPES = frozenset({"image/jpeg", "image/png", "application/pdf"})


class Status(models.TextChoices):
    PENDING = "pending", gettext_lazy("待分派")
    IN_PROGRESS = "in_progress", gettext_lazy("整改中")
    LONG_TERM = "long_term", gettext_lazy("长期坚持")
    CLOSURE_REQUESTED = "closure_requested", gettext_lazy("申请销号")
    RETURNED = "returned", gettext_lazy("退回整改")
    CLOSED = "closed", gettext_lazy("已销号")
    REOPENED = "reopened", gettext_lazy("重新打开")


class Action(models.TextChoices):
    ASSIGN = "assign", gettext_lazy("分派")
    APPLY_CLOSE = "apply_close", gettext_lazy("申请销号")
    ACCEPT = "accept", gettext_lazy("验收销号")
    RETURN = "return", gettext_lazy("退回")
    REOPEN = "reopen", gettext_lazy("重新打开")
    # The office corrects owners, acceptor or deadline: a step in the history that keeps the status.
    CORRECT = "correct", gettext_lazy("更正分派")


# The one table of allowed steps: (from, action) -> to. Anything else is refused.
# "assign" leads to 长期坚持 instead of 整改中 when the deadline is long-term (decided by the service).
ALLOWED_TRANSITIONS: dict[tuple[str, str], str] = {
    (Status.PENDING, Action.ASSIGN): Status.IN_PROGRESS,
    (Status.IN_PROGRESS, Action.APPLY_CLOSE): Status.CLOSURE_REQUESTED,
    (Status.LONG_TERM, Action.APPLY_CLOSE): Status.CLOSURE_REQUESTED,
    (Status.RETURNED, Action.APPLY_CLOSE): Status.CLOSURE_REQUESTED,
    (Status.REOPENED, Action.APPLY_CLOSE): Status.CLOSURE_REQUESTED,
    (Status.CLOSURE_REQUESTED, Action.ACCEPT): Status.CLOSED,
    (Status.CLOSURE_REQUESTED, Action.RETURN): Status.RETURNED,
    (Status.CLOSED, Action.REOPEN): Status.REOPENED,
}


def allows(status: str, action: str) -> bool:
    """The table allows `action` from `status` (pages offer a step only where it does)."""
    return (status, action) in ALLOWED_TRANSITIONS


# States in which the owners are working: the clock runs and reports are due.
WORKING = frozenset({Status.IN_PROGRESS, Status.LONG_TERM, Status.RETURNED, Status.REOPENED})
OPEN = WORKING | {Status.PENDING, Status.CLOSURE_REQUESTED}
# 整改中 as the 通报 and the 驾驶舱 count it: worked on or waiting for acceptance; 长期坚持 apart.
IN_HAND = (WORKING - {Status.LONG_TERM}) | {Status.CLOSURE_REQUESTED}

# Same-status steps, listed explicitly: correcting an assignment is allowed while the problem
# is owned and open (not 待分派, which has no owners yet; not 已销号) and keeps its status.
CORRECTABLE = WORKING | {Status.CLOSURE_REQUESTED}
ALLOWED_TRANSITIONS.update({(status, Action.CORRECT): status for status in CORRECTABLE})


class Colour(models.TextChoices):
    RED = "red", gettext_lazy("红")
    YELLOW = "yellow", gettext_lazy("黄")
    BLUE = "blue", gettext_lazy("蓝")


class LedgerAudit(models.TextChoices):
    """Audited actions of the ledger (registered with core.audit_actions)."""

    PROBLEM_CREATED = "problem.created", _("登记问题")
    PROBLEM_ASSIGNED = "problem.assigned", _("分派问题")
    PROBLEM_IMPORTED = "problem.imported", _("导入台账")
    REPORT_DRAFTED = "problem.report_drafted", _("保存进度报告草稿")
    REPORT_SUBMITTED = "problem.report_submitted", _("提交进度报告")
    CLOSURE_REQUESTED = "problem.closure_requested", _("申请销号")
    PROBLEM_CLOSED = "problem.closed", _("验收销号")
    CLOSURE_RETURNED = "problem.returned", _("退回整改")
    PROBLEM_REOPENED = "problem.reopened", _("重新打开")
    EXTENSION_REQUESTED = "problem.extension_requested", _("申请延期")
    EXTENSION_DECIDED = "problem.extension_decided", _("审批延期")
    PROBLEM_SUSPENDED = "problem.suspended", _("暂停计时")
    PROBLEM_RESUMED = "problem.resumed", _("恢复计时")
    ASSIGNMENT_CORRECTED = "problem.assignment_corrected", _("更正分派")
    DEADLINE_RECOMPUTED = "problem.deadline_recomputed", _("按正式日历重算时限")
    STEP_RECORDED = "problem.step_recorded", _("补录办理记录")
    EVIDENCE_OPENED = "problem.evidence_opened", _("查看佐证材料")
    IMPORT_UPDATED = "problem.import_updated", _("按台账更新完成情况")
    ALIAS_SAVED = "department_alias.saved", _("保存部门别名")
    ALIAS_DELETED = "department_alias.deleted", _("删除部门别名")
    # The 回访 step moved here from 献言献策; the stored strings stay as old rows have them.
    FEEDBACK_RECEIVED = "suggestion.feedback", _("群众评价")
    REOPEN_DECIDED = "suggestion.reopen_decided", _("处理重新整改申请")


class Verdict(models.TextChoices):
    """A respondent's answer in the 回访 after a closure (`FollowUp.satisfaction`)."""

    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class ReopenStatus(models.TextChoices):
    PENDING = "pending", _("待党政办处理")
    REOPENED = "reopened", _("已重新打开整改")
    KEPT = "kept", _("维持销号")


FOLLOWUP_COMMENT_MAX_CHARS = 500
REOPEN_NOTE_MAX_CHARS = 2000


# Chinese names of the ledger API's request fields, for refusals (registered in LedgerConfig.ready()).
API_FIELD_LABELS = {
    "status": _("状态"),
    "colour": _("预警"),
    "source": _("问题来源"),
    "category": _("问题类别"),
    "description": _("问题描述"),
    "leader_id": _("责任领导"),
    "department_id": _("责任部门"),
    "assignee_ids": _("责任人"),
    "deadline": _("整改时限"),
    "deadline_days": _("时限天数"),
    "progress": _("完成进度"),
    "done": _("本期完成情况"),
    "action": _("动作"),
    "village_id": _("村(社区)"),
}
