"""Kinds of units, roles people hold, and the system roles of accounts."""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    # The county is the tree's one root; each town is a node below it with its 党委 and 人民政府
    # (ADR 0008 §1). The system makes both (org.services.town_for_new_root): never a form.
    COUNTY = "county", _("县")
    TOWN = "town", _("乡镇")
    TOWN_COMMITTEE = "town_committee", _("镇党委")
    TOWN_GOVERNMENT = "town_government", _("镇人民政府")
    DEPARTMENT = "department", _("镇政府部门")
    COMMUNITY_COMMITTEE = "community_committee", _("社区党委")
    GENERAL_BRANCH = "general_branch", _("党总支")
    BRANCH = "branch", _("党支部")
    VILLAGE_COMMITTEE = "village_committee", _("村委会")
    RESIDENTS_COMMITTEE = "residents_committee", _("社区居委会")
    ENTERPRISE = "enterprise", _("企业")
    INSTITUTION = "institution", _("事业单位")
    OTHER = "other", _("其他")


# Kinds a person may choose on the unit form: every kind but the scope's own nodes.
SCOPE_KINDS = (UnitKind.COUNTY, UnitKind.TOWN)
# Party organisations below the town committee: the "46个支部(总支、党委)" of the seed.
PARTY_ORGANISATION_KINDS = (UnitKind.COMMUNITY_COMMITTEE, UnitKind.GENERAL_BRANCH, UnitKind.BRANCH)
PARTY_KINDS = (UnitKind.TOWN_COMMITTEE, *PARTY_ORGANISATION_KINDS)
# Where residents live: the villages and communities a suggestion or problem belongs to.
PLACE_KINDS = (UnitKind.VILLAGE_COMMITTEE, UnitKind.RESIDENTS_COMMITTEE)


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class RoleKind(models.TextChoices):
    """What a person is, in the registry's terms (not what they may do in the system)."""

    PARTY_MEMBER = "party_member", _("党员")
    BRANCH_SECRETARY = "branch_secretary", _("支部书记")
    LEADER = "leader", _("镇领导")
    TOWN_CADRE = "town_cadre", _("镇干部")
    VILLAGE_CADRE = "village_cadre", _("村(社区)干部")
    NPC_DEPUTY = "npc_deputy", _("人大代表")
    CPPCC_MEMBER = "cppcc_member", _("政协委员")
    PUBLIC_REPRESENTATIVE = "public_rep", _("群众代表")


class AccountRole(models.TextChoices):
    """What an account may do: decides scope (which records) and actions."""

    OFFICE = "office", _("党政办")
    LEADER = "leader", _("镇领导")
    DEPARTMENT = "department", _("部门工作人员")
    BRANCH = "branch", _("支部书记")
    INSPECTOR = "inspector", _("督导组")
    SERVICE_CENTER = "service_center", _("政务快捷服务中心窗口人员")
    RESETTLEMENT = "resettlement", _("失地农民服务中心工作人员")
    ADMIN = "admin", _("系统管理员")


# Roles that see the whole registry; the others see their own unit's subtree.
TOWN_WIDE_ROLES = (AccountRole.OFFICE, AccountRole.LEADER, AccountRole.ADMIN)
UNIT_SCOPED_ROLES = (
    AccountRole.DEPARTMENT,
    AccountRole.BRANCH,
    AccountRole.SERVICE_CENTER,
    AccountRole.RESETTLEMENT,
)
# The town office and the administrator: edit the registry, read the audit log, keep the calendar.
OFFICE_ROLES = (AccountRole.OFFICE, AccountRole.ADMIN)
# What each role's home page says it will find there, before any module has a panel for it.
ROLE_INTROS: dict[str, Any] = {
    AccountRole.OFFICE: _("党政办：分派问题、审核销号、发布通报。"),
    AccountRole.LEADER: _("作为责任领导，您牵头的问题和每半月的进度报告将显示在这里。"),
    AccountRole.DEPARTMENT: _("本部门承办的问题和待报的进度将显示在这里。"),
    AccountRole.BRANCH: _("本支部的检查清单和整改通知将显示在这里。"),
    AccountRole.INSPECTOR: _("督导检查轮次和各支部评分将显示在这里。"),
    AccountRole.SERVICE_CENTER: _("窗口受理的办件将显示在这里。"),
    AccountRole.RESETTLEMENT: _("失地农民登记、培训、就业和安置将显示在这里。"),
    AccountRole.ADMIN: _("系统管理：账号、工作日历和审计日志。"),
}
# Roles allowed to see a full ID number or phone on request (each time audited).
UNMASK_ROLES = OFFICE_ROLES


class OrgAudit(models.TextChoices):
    """Audited actions on accounts, units and people (registered with core.audit_actions)."""

    LOGIN = "account.login", _("登录")
    LOGIN_FAILED = "account.login_failed", _("登录失败")
    LOGIN_LOCKED = "account.locked", _("账号锁定")
    LOGOUT = "account.logout", _("退出")
    PASSWORD_CHANGED = "account.password_changed", _("修改密码")
    SESSION_EXPIRED = "account.session_expired", _("会话超时")
    ACCOUNT_CREATED = "account.created", _("创建账号")
    TOKEN_CREATED = "account.token_created", _("创建接口令牌")
    LOGIN_ADDRESS_LIMITED = "account.address_limited", _("地址登录失败过多")
    ACCOUNT_UNLOCKED = "account.unlocked", _("解除登录限制")
    PASSWORD_RESET = "account.password_reset", _("重置密码")
    TOKEN_REVOKED = "account.token_revoked", _("停用接口令牌")
    ACCOUNT_DEACTIVATED = "account.deactivated", _("停用账号")
    ACCOUNT_REACTIVATED = "account.reactivated", _("恢复账号")
    ACCOUNT_ROLE_CHANGED = "account.role_changed", _("更改账号角色和范围")
    GRANT_ADDED = "account.grant_added", _("跨镇授权")
    GRANT_REVOKED = "account.grant_revoked", _("撤销跨镇授权")
    TOWN_SWITCHED = "account.town_switched", _("切换工作镇")
    TOWN_CREATED = "town.created", _("建立镇节点")
    UNIT_CREATED = "unit.created", _("新建单位")
    UNIT_UPDATED = "unit.updated", _("修改单位")
    PERSON_CREATED = "person.created", _("新建人员")
    PERSON_UPDATED = "person.updated", _("修改人员")
    PERSON_UNMASKED = "person.unmasked", _("查看完整个人信息")
    ROLE_GRANTED = "person.role_granted", _("授予身份")
    ROLE_REVOKED = "person.role_revoked", _("撤销身份")
