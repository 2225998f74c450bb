"""Forms of the registry. They check the shape of input; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhenwu.core.forms import StyledForm
from zhenwu.org.constants import SCOPE_KINDS, UNIT_SCOPED_ROLES, AccountRole, Gender, RoleKind, UnitKind
from zhenwu.org.models import Unit
from zhenwu.org.scope import in_town_q, scope_of


def narrow_to_town(form: forms.Form, user: Any) -> None:
    """Every unit and person a form offers is of the account's town (ADR 0008 §3): a posted id
    of another town's unit is then refused by the form itself, before the service's own check
    (`org.scope.refuse_other_town`) that names the field and notes the attempt."""
    reach = in_town_q(scope_of(user))
    for field in form.fields.values():
        queryset = getattr(field, "queryset", None)
        if queryset is not None and queryset.model is Unit:
            field.queryset = queryset.filter(reach)  # type: ignore[attr-defined]


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:  # type: ignore[override]
        # Indented below the town's node, which a town's accounts see as the top (depth 1).
        return "　" * max(obj.depth - 1, 0) + obj.name


class PersonFilterForm(StyledForm):
    compact = True

    q = forms.CharField(label=_("姓名或拼音"), required=False)
    unit = UnitChoiceField(
        label=_("单位"), queryset=Unit.objects.none(), required=False, empty_label=_("全部单位")
    )
    role = forms.ChoiceField(
        label=_("身份"), required=False, choices=[("", _("全部身份"))] + list(RoleKind.choices)
    )
    gender = forms.ChoiceField(
        label=_("性别"), required=False, choices=[("", _("不限"))] + list(Gender.choices)
    )

    def __init__(self, *args: object, units: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if units is not None:
            self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class PersonForm(StyledForm):
    name = forms.CharField(label=_("姓名"), max_length=50, error_messages={"required": _("姓名：不能为空")})
    gender = forms.ChoiceField(
        label=_("性别"), required=False, choices=[("", _("按身份证号码判断"))] + list(Gender.choices)
    )
    phone = forms.CharField(label=_("手机号码"), max_length=30, required=False)
    id_number = forms.CharField(label=_("身份证号码"), max_length=30, required=False)
    unit = UnitChoiceField(
        label=_("所在单位"), queryset=Unit.objects.none(), required=False, empty_label=_("（无）")
    )
    title = forms.CharField(label=_("职务"), max_length=60, required=False)
    is_second_line = forms.BooleanField(label=_("二线领导"), required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args: object, units: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if units is not None:
            self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class RoleHereForm(StyledForm):
    """ "在本镇登记身份": the person an ID number registered in another town belongs to takes a
    role in a unit of this town (org.services.person_role_grant_here)."""

    id_number = forms.CharField(widget=forms.HiddenInput, max_length=30)
    kind = forms.ChoiceField(
        label=_("身份"), choices=RoleKind.choices, error_messages={"required": _("身份：必须选择")}
    )
    unit = UnitChoiceField(
        label=_("所在组织"),
        queryset=Unit.objects.none(),
        error_messages={"required": _("所在组织：必须选择")},
    )

    def __init__(self, *args: object, units: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if units is not None:
            self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class UnitForm(StyledForm):
    name = forms.CharField(label=_("名称"), max_length=100, error_messages={"required": _("名称：不能为空")})
    short_name = forms.CharField(label=_("简称"), max_length=40, required=False)
    kind = forms.ChoiceField(
        label=_("类型"),
        choices=[(k, label) for k, label in UnitKind.choices if k not in SCOPE_KINDS],
        error_messages={"required": _("类型：必须选择")},
    )
    parent = UnitChoiceField(
        label=_("上级单位"), queryset=Unit.objects.none(), required=False, empty_label=_("（本镇顶级）")
    )
    sort_order = forms.IntegerField(label=_("排序"), min_value=0, initial=0, required=False)

    def __init__(self, *args: object, units: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if units is not None:
            self.fields["parent"].queryset = units  # type: ignore[attr-defined]


class TokenCreateForm(StyledForm):
    """A new API token: what it is for, and the password again (a borrowed session must not be
    able to mint a credential that outlives it)."""

    name = forms.CharField(label=_("用途"), max_length=60, error_messages={"required": _("用途：不能为空")})
    password = forms.CharField(
        label=_("当前密码"),
        strip=False,
        widget=forms.PasswordInput,
        error_messages={"required": _("当前密码：不能为空")},
    )
    password.widget.attrs.update({"autocomplete": "current-password"})


# The accounts page (issue 14). The services decide who may give which role and which unit a
# role needs; these forms offer only the roles the manager may give.

ACCOUNT_STATES = [
    ("", _("全部状态")),
    ("active", _("正常")),
    ("must_change", _("待修改密码")),
    ("held_back", _("登录受限")),
    ("failed", _("近24小时登录失败")),
    ("inactive", _("已停用")),
]


class AccountFilterForm(StyledForm):
    compact = True

    q = forms.CharField(label=_("用户名或姓名"), required=False)
    role = forms.ChoiceField(
        label=_("系统角色"), required=False, choices=[("", _("全部角色"))] + list(AccountRole.choices)
    )
    state = forms.ChoiceField(label=_("状态"), required=False, choices=ACCOUNT_STATES)


class _RoleAndUnitForm(StyledForm):
    role = forms.ChoiceField(label=_("系统角色"), error_messages={"required": _("系统角色：必须选择")})
    unit = UnitChoiceField(
        label=_("所属单位"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("（不限单位）"),
        help_text=_("部门工作人员、支部书记和两个中心的账号必须指定，只能看到本单位及下级单位的数据。"),
    )

    def __init__(self, *args: Any, roles: list[tuple[str, Any]], units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles  # type: ignore[attr-defined]
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        # Read by static/js/accounts.js, which hides the unit where the role has no use for it.
        self.fields["role"].widget.attrs["data-scoped-roles"] = " ".join(UNIT_SCOPED_ROLES)


class AccountCreateForm(_RoleAndUnitForm):
    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        error_messages={"required": _("用户名：不能为空")},
        help_text=_("登录时使用；按姓名拼音建议，可以修改。"),
    )
    field_order = ["username", "role", "unit"]


class AccountRoleForm(_RoleAndUnitForm):
    pass
