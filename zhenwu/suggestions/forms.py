"""Forms of 献言献策: shapes of input only; the services check the rules and word the refusals."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhenwu.core.forms import StyledForm
from zhenwu.ledger.constants import Category, Verdict
from zhenwu.ledger.picker import PersonField, PickerFormMixin
from zhenwu.org.constants import PLACE_KINDS, UnitKind
from zhenwu.org.models import Unit, User
from zhenwu.suggestions.constants import SuggestionStatus, TriageAction


def places() -> Any:
    return Unit.objects.filter(kind__in=PLACE_KINDS).order_by("sort_order", "name")


class PlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:  # type: ignore[override]
        # "红岩村村民委员会" reads as "红岩村" to a resident.
        return obj.name.removesuffix("村民委员会").removesuffix("居民委员会") or obj.name


class SuggestForm(StyledForm):
    text = forms.CharField(
        label=_("您的意见建议"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": _("请写清楚在哪里、什么问题、您的建议")}),
    )
    village = PlaceChoiceField(
        label=_("所在村(社区)"), queryset=Unit.objects.none(), required=False, empty_label=_("请选择")
    )
    category = forms.ChoiceField(
        label=_("问题类别"), required=False, choices=[("", _("不清楚，由党政办判断")), *Category.choices]
    )
    name = forms.CharField(label=_("姓名（可不填）"), required=False)
    phone = forms.CharField(
        label=_("联系电话（可不填，仅党政办可见）"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    # This page's one-off key: a resend of the same form (a retry, a double click) is one suggestion.
    submit_key = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)
    # A field people never see: bots fill every input they find.
    website = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = places()  # type: ignore[attr-defined]


class FollowForm(StyledForm):
    code = forms.CharField(
        label=_("回执码"), max_length=20, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )


class FeedbackForm(StyledForm):
    verdict = forms.ChoiceField(
        label=_("您对整改结果是否满意"), choices=Verdict.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("意见（可不填）"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class InboxFilterForm(StyledForm):
    compact = True
    q = forms.CharField(label=_("关键词或回执码"), required=False, max_length=50)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *SuggestionStatus.choices]
    )
    category = forms.ChoiceField(
        label=_("问题类别"), required=False, choices=[("", _("全部类别")), *Category.choices]
    )
    village = PlaceChoiceField(label=_("村(社区)"), queryset=Unit.objects.none(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = places()  # type: ignore[attr-defined]


class AcceptForm(PickerFormMixin, StyledForm):
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 4}))
    category = forms.ChoiceField(label=_("问题类别"), choices=Category.choices)
    village = PlaceChoiceField(label=_("村(社区)"), queryset=Unit.objects.none(), required=False)
    department = forms.ModelChoiceField(
        label=_("建议责任部门"), queryset=Unit.objects.filter(kind=UnitKind.DEPARTMENT), required=False
    )
    # The same people picker as the 分派 page it leads to (ledger.picker).
    leader = PersonField(label=_("建议责任领导"), pool="leaders", required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = places()  # type: ignore[attr-defined]
        self.setup_pickers(user)


class MergeForm(StyledForm):
    problem = forms.CharField(
        label=_("合并到问题编号"), max_length=20, error_messages={"required": _("对应问题：请填写问题编号")}
    )


class ReplyForm(StyledForm):
    reply = forms.CharField(label=_("答复内容"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class BulkForm(StyledForm):
    action = forms.ChoiceField(label=_("批量操作"), choices=TriageAction.choices)
    problem = forms.CharField(label=_("合并到问题编号"), required=False, max_length=20)
    reply = forms.CharField(label=_("答复或理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    description = forms.CharField(label=_("问题描述（受理为一个问题时）"), required=False)
    category = forms.ChoiceField(
        label=_("问题类别"), required=False, choices=[("", "---------"), *Category.choices]
    )


class ReopenDecideForm(StyledForm):
    decision = forms.ChoiceField(
        label=_("处理"),
        choices=[("reopen", _("重新打开，继续整改")), ("keep", _("维持销号，向群众说明"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("处理说明（群众可见）"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class CampaignForm(StyledForm):
    title = forms.CharField(label=_("活动名称"), max_length=100, required=False)
    starts_on = forms.DateField(
        label=_("开始日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("开始日期：不能为空"), "invalid": _("开始日期：格式不正确")},
    )
    ends_on = forms.DateField(
        label=_("结束日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("结束日期：格式不正确")},
    )


class PeriodForm(StyledForm):
    compact = True
    start = forms.DateField(
        label=_("销号日期从"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label=_("至"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class TopicForm(StyledForm):
    """A matter of the 派单目录, as the office edits it."""

    name = forms.CharField(label=_("事项"), max_length=40, required=False)
    department = forms.ModelChoiceField(
        label=_("承办部门"), queryset=Unit.objects.none(), required=False, empty_label=_("请选择")
    )
    category = forms.ChoiceField(label=_("问题类别"), required=False, choices=[("", "—"), *Category.choices])
    words = forms.CharField(
        label=_("关键词"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "群众实际说的词，用顿号、逗号、空格或换行分开；单独出现就说明是这件事（如 路灯、灯不亮、黑黢黢）。"
            "以*开头的表示词尾：*厂 可匹配 服装厂、砖厂"
        ),
    )
    weak_words = forms.CharField(
        label=_("辅助词"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("只在和其他词一起出现时才有参考意义的词（如 公开、态度）"),
    )
    outranks = forms.ModelMultipleChoiceField(
        label=_("优先于"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("来信同时提到本事项和所选事项时，由本事项的承办部门办理（如 拖欠工资 优先于 企业服务）"),
    )

    def __init__(self, *args: Any, topics: Any = None, names_office: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        departments = Unit.objects.filter(kind=UnitKind.DEPARTMENT, is_active=True).order_by(
            "sort_order", "id"
        )
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]
        self.fields["outranks"].queryset = topics  # type: ignore[attr-defined]
        if names_office:  # the names residents call the office by: no matter, no tie-break
            for name in ("category", "weak_words", "outranks"):
                del self.fields[name]
            self.fields["words"].label = _("部门名称")
            self.fields["words"].help_text = _("群众对本部门的叫法；来信中出现即视为点名本部门")
