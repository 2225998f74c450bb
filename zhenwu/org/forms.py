"""Forms of the registry. They check the shape of input; the services check the rules."""

from __future__ import annotations

from django import forms

from zhenwu.core.forms import StyledForm
from zhenwu.org.constants import Gender, RoleKind, UnitKind
from zhenwu.org.models import Unit


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:  # type: ignore[override]
        return "　" * obj.depth + obj.name


class PersonFilterForm(StyledForm):
    compact = True

    q = forms.CharField(label="姓名或拼音", required=False)
    unit = UnitChoiceField(label="单位", queryset=Unit.objects.none(), required=False, empty_label="全部单位")
    role = forms.ChoiceField(
        label="身份", required=False, choices=[("", "全部身份")] + list(RoleKind.choices)
    )
    gender = forms.ChoiceField(label="性别", required=False, choices=[("", "不限")] + list(Gender.choices))

    def __init__(self, *args: object, units: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if units is not None:
            self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class PersonForm(StyledForm):
    name = forms.CharField(label="姓名", max_length=50, error_messages={"required": "姓名：不能为空"})
    gender = forms.ChoiceField(
        label="性别", required=False, choices=[("", "按身份证号码判断")] + list(Gender.choices)
    )
    phone = forms.CharField(label="手机号码", max_length=30, required=False)
    id_number = forms.CharField(label="身份证号码", max_length=30, required=False)
    unit = UnitChoiceField(
        label="所在单位", queryset=Unit.objects.none(), required=False, empty_label="（无）"
    )
    title = forms.CharField(label="职务", max_length=60, required=False)
    is_second_line = forms.BooleanField(label="二线领导", required=False)
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args: object, units: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if units is not None:
            self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class UnitForm(StyledForm):
    name = forms.CharField(label="名称", max_length=100, error_messages={"required": "名称：不能为空"})
    short_name = forms.CharField(label="简称", max_length=40, required=False)
    kind = forms.ChoiceField(
        label="类型", choices=UnitKind.choices, error_messages={"required": "类型：必须选择"}
    )
    parent = UnitChoiceField(
        label="上级单位", queryset=Unit.objects.none(), required=False, empty_label="（顶级）"
    )
    sort_order = forms.IntegerField(label="排序", min_value=0, initial=0, required=False)

    def __init__(self, *args: object, units: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if units is not None:
            self.fields["parent"].queryset = units  # type: ignore[attr-defined]
