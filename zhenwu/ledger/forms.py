"""Forms of the ledger: they check the shape of input; the services check the rules."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhenwu.core.forms import StyledForm
from zhenwu.ledger.constants import Category, Colour, DeadlineBasis, Status
from zhenwu.ledger.picker import PeopleField, PersonField, PickerFormMixin
from zhenwu.ledger.policies import source_choices
from zhenwu.ledger.rules import LIST_RULES
from zhenwu.lib.cadence import Cadence, Period
from zhenwu.org.constants import PLACE_KINDS, UnitKind
from zhenwu.org.forms import narrow_to_town
from zhenwu.org.models import Unit, User

SORTS = {
    "number": ("number",),
    "-number": ("-number",),
    "deadline": ("deadline", "number"),
    "-deadline": ("-deadline", "number"),
    "department": ("department__name", "number"),
    "status": ("status", "number"),
}


def _choices(label: Any, choices: Any) -> list[tuple[str, Any]]:
    return [("", label), *choices]


class ProblemFilterForm(StyledForm):
    compact = True
    q = forms.CharField(label=_("关键词"), required=False, max_length=50)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=_choices(_("全部状态"), Status.choices)
    )
    colour = forms.ChoiceField(
        label=_("预警"), required=False, choices=_choices(_("全部预警"), Colour.choices)
    )
    source = forms.ChoiceField(
        label=_("问题来源"), required=False, choices=lambda: _choices(_("全部来源"), source_choices())
    )
    category = forms.ChoiceField(
        label=_("问题类别"), required=False, choices=_choices(_("全部类别"), Category.choices)
    )
    # Plain choices filled from ledger.selectors.filter_options(): the list page already loads
    # those options to draw the bar, so validating them costs no further query.
    department = forms.TypedChoiceField(label=_("责任部门"), required=False, coerce=int, empty_value=None)
    leader = forms.TypedChoiceField(label=_("责任领导"), required=False, coerce=int, empty_value=None)
    person = forms.IntegerField(label=_("责任人编号"), required=False, widget=forms.HiddenInput)
    village = forms.TypedChoiceField(label=_("村(社区)"), required=False, coerce=int, empty_value=None)
    # A rule of the engine (ledger.rules.LIST_RULES): the 驾驶舱's figures link here.
    rule = forms.ChoiceField(label=_("专项筛选"), required=False)
    overdue = forms.BooleanField(label=_("仅逾期"), required=False)
    report_missing = forms.BooleanField(label=_("仅缺报告"), required=False)
    extension = forms.BooleanField(label=_("有延期待审批"), required=False)
    sort = forms.ChoiceField(
        label=_("排序"),
        required=False,
        choices=[
            ("", _("编号（新的在前）")),  # the default (ledger.selectors.problem_search)
            ("number", _("编号（旧的在前）")),
            ("deadline", _("时限由近到远")),
            ("-deadline", _("时限由远到近")),
            ("department", _("责任部门")),
            ("status", _("状态")),
        ],
    )

    def __init__(self, *args: Any, options: dict[str, list[tuple[Any, Any]]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = _choices(_("全部"), [(r.key, r.label) for r in LIST_RULES.values()])  # type: ignore[attr-defined]
        for name, choices in options.items():
            self.fields[name].choices = choices  # type: ignore[attr-defined]


class ProblemForm(StyledForm):
    source = forms.ChoiceField(label=_("问题来源"), choices=source_choices)
    category = forms.ChoiceField(label=_("问题类别"), choices=Category.choices)
    description = forms.CharField(
        label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    village = forms.ModelChoiceField(
        label=_("村(社区)"), required=False, queryset=Unit.objects.filter(kind__in=PLACE_KINDS)
    )
    goal = forms.CharField(label=_("整改目标"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    measures = forms.CharField(label=_("整改措施"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    milestones = forms.CharField(
        label=_("进度节点"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    remarks = forms.CharField(label=_("备注"), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        narrow_to_town(self, user)


class AssignForm(PickerFormMixin, StyledForm):
    """分派: the people are picked with the people picker, from the user's scope."""

    leader = PersonField(label=_("责任领导"), pool="leaders", required=False)
    department = forms.ModelChoiceField(
        label=_("责任部门"), queryset=Unit.objects.filter(kind=UnitKind.DEPARTMENT), required=False
    )
    assignees = PeopleField(label=_("责任人"), required=False)
    cooperating_units = forms.ModelMultipleChoiceField(
        label=_("配合单位"), queryset=Unit.objects.filter(kind=UnitKind.DEPARTMENT), required=False
    )
    acceptor = PersonField(label=_("验收人"), required=False)
    deadline_basis = forms.ChoiceField(label=_("时限方式"), choices=DeadlineBasis.choices)
    deadline = forms.DateField(
        label=_("整改时限"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    deadline_days = forms.IntegerField(label=_("时限天数"), required=False, min_value=1, max_value=3650)
    cadence = forms.ChoiceField(
        label=_("报告周期"),
        choices=[
            (Cadence.HALF_MONTHLY.value, _("每半月")),
            (Cadence.MONTHLY.value, _("每月")),
            (Cadence.NONE.value, _("不要求")),
        ],
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_pickers(user)


class CorrectForm(PickerFormMixin, StyledForm):
    """更正分派: the owners, acceptor and deadline as they should have been, and why."""

    leader = PersonField(label=_("责任领导"), pool="leaders", required=False)
    department = forms.ModelChoiceField(
        label=_("责任部门"), queryset=Unit.objects.filter(kind=UnitKind.DEPARTMENT), required=False
    )
    assignees = PeopleField(label=_("责任人"), required=False)
    acceptor = PersonField(label=_("验收人"), required=False)
    deadline = forms.DateField(
        label=_("整改时限"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("更正分派时的笔误；责任人要求延期请走延期申请"),
    )
    reason = forms.CharField(
        label=_("更正理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_pickers(user)


class ReportForm(StyledForm):
    progress = forms.IntegerField(label=_("完成进度(%)"), min_value=0, max_value=100)
    done = forms.CharField(label=_("本期完成情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    difficulties = forms.CharField(
        label=_("存在困难"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )
    next_steps = forms.CharField(
        label=_("下步打算"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )
    period_key = forms.CharField(
        label=_("报告期"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"list": "owed-periods"}),
    )

    def __init__(
        self, *args: Any, owed: Sequence[Period] = (), current: Period | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # The periods still owed are offered by name; words or a key may be typed as well.
        self.owed = owed
        field = self.fields["period_key"]
        if current is not None:
            field.widget.attrs["placeholder"] = current.label
            field.help_text = _(
                "留空为本期（%(current)s）；补报往期请从列表中选择，或填写如“%(example)s”"
            ) % {
                "current": current.label,
                "example": (owed[0] if owed else current).label,
            }


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class CloseForm(StyledForm):
    completion = forms.CharField(
        label=_("完成情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    evidence = MultipleFileField(
        label=_("佐证材料"), required=False, help_text=_("图片、PDF、Word、Excel，最多5个，每个不超过20MB")
    )


class ReasonForm(StyledForm):
    reason = forms.CharField(
        label=_("理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class ExtensionForm(StyledForm):
    new_deadline = forms.DateField(
        label=_("申请延至"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reason = forms.CharField(
        label=_("延期理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class DepartmentAliasForm(StyledForm):
    """An alias the town's sheets use for a department (the service refuses one that names two)."""

    alias = forms.CharField(label=_("台账中的写法"), max_length=100)
    unit = forms.ModelChoiceField(
        label=_("对应的部门"),
        queryset=Unit.objects.filter(kind=UnitKind.DEPARTMENT, is_active=True).order_by("path"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        narrow_to_town(self, user)
