from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhenwu.core.forms import StyledForm


class MonthForm(StyledForm):
    month = forms.DateField(
        label=_("通报月份"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        error_messages={"required": _("通报月份：不能为空"), "invalid": _("通报月份：格式应为2026-10")},
    )


class BulletinTextForm(StyledForm):
    title = forms.CharField(label=_("标题"), max_length=100, required=False)
    opening = forms.CharField(label=_("开头段落"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    requirements = forms.CharField(
        label=_("下步工作要求（每段一行）"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
