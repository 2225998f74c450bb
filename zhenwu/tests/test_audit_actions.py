"""Every audited action the core used to list still has its stored string and its label,
now that each app registers its own: old rows keep their names and the hash chain holds."""

from __future__ import annotations

from django.utils import translation

from zhenwu.core.audit_actions import action_label
from zhenwu.core.forms import AuditFilterForm

# The core's former AuditAction, value and label, as it stood before the apps took theirs.
BEFORE = [
    ("account.login", "登录"),
    ("account.login_failed", "登录失败"),
    ("account.locked", "账号锁定"),
    ("account.logout", "退出"),
    ("account.password_changed", "修改密码"),
    ("account.session_expired", "会话超时"),
    ("account.created", "创建账号"),
    ("account.token_created", "创建接口令牌"),
    ("unit.created", "新建单位"),
    ("unit.updated", "修改单位"),
    ("person.created", "新建人员"),
    ("person.updated", "修改人员"),
    ("person.unmasked", "查看完整个人信息"),
    ("person.role_granted", "授予身份"),
    ("person.role_revoked", "撤销身份"),
    ("calendar.holiday_set", "设置节假日"),
    ("calendar.year_imported", "导入年度日历"),
    ("demo.seeded", "生成演示数据"),
    ("problem.created", "登记问题"),
    ("problem.assigned", "分派问题"),
    ("problem.imported", "导入台账"),
    ("problem.report_drafted", "保存进度报告草稿"),
    ("problem.report_submitted", "提交进度报告"),
    ("problem.closure_requested", "申请销号"),
    ("problem.closed", "验收销号"),
    ("problem.returned", "退回整改"),
    ("problem.reopened", "重新打开"),
    ("problem.extension_requested", "申请延期"),
    ("problem.extension_decided", "审批延期"),
    ("problem.suspended", "暂停计时"),
    ("problem.resumed", "恢复计时"),
    ("suggestion.received", "收到意见建议"),
    ("suggestion.triaged", "处理意见建议"),
    ("suggestion.feedback", "群众评价"),
    ("suggestion.reopen_decided", "处理重新整改申请"),
    ("suggestion.campaign_saved", "保存征集活动"),
    ("suggestion.routing_trained", "训练分派模型"),
    ("survey.saved", "保存测评"),
    ("survey.step", "测评状态变更"),
    ("survey.codes_generated", "生成测评码"),
    ("survey.paper_entered", "录入纸质票"),
    ("survey.paper_reconciled", "核对纸质票"),
    ("bulletin.generated", "生成通报"),
    ("bulletin.edited", "修改通报"),
    ("bulletin.published", "印发通报"),
    ("notice.sent", "发送提醒"),
    ("system.tick", "定时任务"),
]


def test_every_former_action_keeps_its_string_and_label():
    with translation.override("zh-hans"):
        assert [(value, action_label(value)) for value, _label in BEFORE] == BEFORE


def test_the_audit_filter_offers_every_registered_action():
    offered = [value for value, _label in AuditFilterForm().fields["action"].choices]
    assert offered[0] == ""
    assert set(offered[1:]) >= {value for value, _label in BEFORE}
