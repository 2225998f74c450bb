"""Choices shared by the core: audit actions and the holiday calendar's day kinds."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("放假")
    WORKDAY = "workday", _("调休上班")


class AuditAction(models.TextChoices):
    """Every audited action has a name here, so the audit page can filter and grep finds writers."""

    LOGIN = "account.login", _("登录")
    LOGIN_FAILED = "account.login_failed", _("登录失败")
    LOGIN_LOCKED = "account.locked", _("账号锁定")
    LOGOUT = "account.logout", _("退出")
    PASSWORD_CHANGED = "account.password_changed", _("修改密码")
    SESSION_EXPIRED = "account.session_expired", _("会话超时")
    ACCOUNT_CREATED = "account.created", _("创建账号")
    TOKEN_CREATED = "account.token_created", _("创建接口令牌")
    UNIT_CREATED = "unit.created", _("新建单位")
    UNIT_UPDATED = "unit.updated", _("修改单位")
    PERSON_CREATED = "person.created", _("新建人员")
    PERSON_UPDATED = "person.updated", _("修改人员")
    PERSON_UNMASKED = "person.unmasked", _("查看完整个人信息")
    ROLE_GRANTED = "person.role_granted", _("授予身份")
    ROLE_REVOKED = "person.role_revoked", _("撤销身份")
    HOLIDAY_SET = "calendar.holiday_set", _("设置节假日")
    CALENDAR_YEAR_IMPORTED = "calendar.year_imported", _("导入年度日历")
    DEMO_SEEDED = "demo.seeded", _("生成演示数据")
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
    STEP_RECORDED = "problem.step_recorded", _("补录办理记录")
    SUGGESTION_RECEIVED = "suggestion.received", _("收到意见建议")
    SUGGESTION_TRIAGED = "suggestion.triaged", _("处理意见建议")
    FEEDBACK_RECEIVED = "suggestion.feedback", _("群众评价")
    REOPEN_DECIDED = "suggestion.reopen_decided", _("处理重新整改申请")
    CAMPAIGN_SAVED = "suggestion.campaign_saved", _("保存征集活动")
    ROUTING_TRAINED = "suggestion.routing_trained", _("训练分派模型")
    SURVEY_SAVED = "survey.saved", _("保存测评")
    SURVEY_STEP = "survey.step", _("测评状态变更")
    CODES_GENERATED = "survey.codes_generated", _("生成测评码")
    PAPER_ENTERED = "survey.paper_entered", _("录入纸质票")
    PAPER_RECONCILED = "survey.paper_reconciled", _("核对纸质票")
    BULLETIN_GENERATED = "bulletin.generated", _("生成通报")
    BULLETIN_EDITED = "bulletin.edited", _("修改通报")
    BULLETIN_PUBLISHED = "bulletin.published", _("印发通报")
    REMINDER_SENT = "notice.sent", _("发送提醒")
    TICK_RUN = "system.tick", _("定时任务")
