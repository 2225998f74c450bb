"""Forms of 测评: shapes only. A ballot's marks are plain POST fields checked by the service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhenwu.core.forms import StyledForm
from zhenwu.evaluation.constants import CODE_BATCH_MAX, Purpose
from zhenwu.evaluation.models import RespondentCategory, Scale, Survey


class SurveyForm(StyledForm):
    title = forms.CharField(label=_("测评名称"), max_length=100, required=False)
    purpose = forms.ChoiceField(label=_("测评类型"), choices=Purpose.choices)
    period_start = forms.DateField(
        label=_("测评开始"), widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("测评开始：不能为空"), "invalid": _("测评开始：格式不正确")},
    )  # fmt: skip
    period_end = forms.DateField(
        label=_("测评结束"), widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("测评结束：不能为空"), "invalid": _("测评结束：格式不正确")},
    )  # fmt: skip
    npc_members = forms.IntegerField(
        label=_("全体组成人员数（人大式评议，可不填）"), required=False, min_value=1,
        error_messages={"min_value": _("全体组成人员数：应大于0"), "invalid": _("全体组成人员数：应为整数")},
    )  # fmt: skip


class QuestionForm(StyledForm):
    text = forms.CharField(label=_("题目"), max_length=200, required=False)
    scale = forms.ModelChoiceField(
        label=_("量表"), queryset=Scale.objects.all(), required=False,
        error_messages={"invalid_choice": _("量表：请选择量表库中的量表")},
    )  # fmt: skip
    subjects = forms.CharField(
        label=_("测评对象（每行一个，可不填）"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    allow_comment = forms.BooleanField(label=_("允许填写意见"), required=False)
    scores = forms.CharField(
        label=_("各等级分值（可不填，由好到差，如 100,80,60,0）"), max_length=100, required=False
    )


class CategoryForm(StyledForm):
    name = forms.CharField(label=_("类别"), max_length=30, required=False)
    expected = forms.IntegerField(
        label=_("应到人数"), min_value=0, max_value=1_000_000,
        error_messages={"required": _("应到人数：不能为空"), "invalid": _("应到人数：应为整数"),
                        "min_value": _("应到人数：不能小于0"), "max_value": _("应到人数：不能超过1000000")},
    )  # fmt: skip
    paper_issued = forms.IntegerField(
        label=_("发出纸质票"), min_value=0, max_value=1_000_000, required=False,
        error_messages={"invalid": _("发出纸质票：应为整数"), "min_value": _("发出纸质票：不能小于0"),
                        "max_value": _("发出纸质票：不能超过1000000")},
    )  # fmt: skip
    weight = forms.FloatField(
        label=_("权重"), required=False, error_messages={"invalid": _("权重：应为数字")}
    )


class CodesForm(StyledForm):
    category = forms.ModelChoiceField(
        label=_("类别"), queryset=RespondentCategory.objects.none(),
        error_messages={"required": _("类别：请选择"), "invalid_choice": _("类别：请选择本测评的类别")},
    )  # fmt: skip
    count = forms.IntegerField(
        label=_("数量"), min_value=1, max_value=CODE_BATCH_MAX,
        error_messages={"required": _("数量：不能为空"), "invalid": _("数量：应为整数"),
                        "min_value": _("数量：至少1个"), "max_value": _("数量：每批最多%(limit_value)s个")},
    )  # fmt: skip

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = survey.categories.all()  # type: ignore[attr-defined]


class CodeForm(StyledForm):
    code = forms.CharField(
        label=_("测评码"), max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "id": "id_code"}),
        error_messages={"required": _("测评码：请输入测评码")},
    )  # fmt: skip


class ScaleForm(StyledForm):
    name = forms.CharField(label=_("量表名称"), max_length=60, required=False)
    levels = forms.CharField(
        label=_("等级（由好到差，每行一个）"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    satisfied = forms.IntegerField(
        label=_("前几个等级计入满意率"), min_value=0, max_value=7, initial=2,
        error_messages={"required": _("计入满意的等级数：不能为空")},
    )  # fmt: skip
    good = forms.IntegerField(
        label=_("前几个等级计入好评率"), min_value=0, max_value=7, initial=1,
        error_messages={"required": _("计入好评的等级数：不能为空")},
    )  # fmt: skip
