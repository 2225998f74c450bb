"""Forms of the core: login, password change, audit filters, calendar edits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from zhenwu.core.audit_actions import action_choices
from zhenwu.core.constants import DayKind


def apply_errors(form: forms.Form, exc: ValidationError | PermissionError) -> None:
    """Put a service's refusal on the form: a ValidationError on its field when the form has
    one, a PermissionError (who may not do this) above the fields."""
    if isinstance(exc, PermissionError):
        form.add_error(None, str(exc))
        return
    for field, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


def flash_errors(request: HttpRequest, exc: ValidationError | PermissionError) -> None:
    """Show a refusal as messages, for one-button steps that have no form page to return to."""
    if isinstance(exc, PermissionError):
        messages.error(request, str(exc))
        return
    for error in exc.messages:
        messages.error(request, error)


def step_then_back(
    request: HttpRequest, act: Callable[[], Any], done: str | Callable[[Any], str], back: str
) -> HttpResponse:
    """A one-button POST step: run it, say it was done (or why it was refused), go back to `back`.
    `done` may be a function of what the step returned, to name the result."""
    try:
        result = act()
    except (ValidationError, PermissionError) as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, done(result) if callable(done) else done)
    return redirect(back)


def lean_widgets(
    form: forms.Form, choices: dict[str, list[tuple[Any, Any]]] | None = None
) -> list[dict[str, Any]]:
    """The form's fields as plain HTML built in Python, for filter bars on busy list pages.

    Django's widget templates cost about a millisecond per select with a few dozen options;
    a list page with eight filters spent more time drawing its filter bar than its rows.
    `choices` overrides a field's options (e.g. from values_list, without model instances).
    """
    data = form.data if form.is_bound else {}
    out = []
    for name, field in form.fields.items():
        value = str(data.get(name, "") or "")
        widget = field.widget
        attrs = f'name="{name}" id="id_{name}"'
        if isinstance(widget, forms.HiddenInput):
            html = f'<input type="hidden" {attrs} value="{escape(value)}">'
            out.append({"hidden": True, "html": mark_safe(html)})  # noqa: S308 - every value escaped above
            continue
        if isinstance(widget, forms.CheckboxInput):
            checked = " checked" if value not in ("", "0", "false", "off") else ""
            html = f'<input type="checkbox" class="form-check-input" {attrs}{checked}>'
            out.append({"checkbox": True, "label": field.label, "id": f"id_{name}", "html": mark_safe(html)})  # noqa: S308
            continue
        if isinstance(widget, forms.Select):
            options = (choices or {}).get(name)
            if options is None:
                options = list(getattr(field, "choices", []))
            empty = [] if options and str(options[0][0]) == "" else [("", "---------")]
            parts = [
                f'<option value="{escape(str(v))}"{" selected" if str(v) == value else ""}>{escape(str(label))}</option>'
                for v, label in empty + list(options)
            ]
            html = f'<select class="form-select form-select-sm" {attrs}>{"".join(parts)}</select>'
        else:
            html = f'<input type="text" class="form-control form-control-sm" {attrs} value="{escape(value)}">'
        out.append({"label": field.label, "id": f"id_{name}", "html": mark_safe(html)})  # noqa: S308
    return out


class StyledForm(forms.Form):
    """Adds Bootstrap's classes to every widget, so templates render fields plainly."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select form-select-sm" if self.compact else "form-select"
            else:
                css = "form-control form-control-sm" if self.compact else "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    compact = False


class LoginForm(StyledForm):
    username = forms.CharField(
        label=_("用户名"), max_length=150, error_messages={"required": _("用户名：不能为空")}
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput,
        error_messages={"required": _("密码：不能为空")},
    )
    username.widget.attrs.update({"autofocus": True, "autocomplete": "username"})
    password.widget.attrs.update({"autocomplete": "current-password"})


class PasswordChangeForm(StyledForm):
    old_password = forms.CharField(
        label=_("原密码"),
        strip=False,
        widget=forms.PasswordInput,
        error_messages={"required": _("原密码：不能为空")},
    )
    new_password = forms.CharField(
        label=_("新密码"),
        strip=False,
        widget=forms.PasswordInput,
        error_messages={"required": _("新密码：不能为空")},
    )
    new_password2 = forms.CharField(
        label=_("确认新密码"),
        strip=False,
        widget=forms.PasswordInput,
        error_messages={"required": _("确认新密码：不能为空")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("new_password")
            and data.get("new_password2")
            and data["new_password"] != data["new_password2"]
        ):
            self.add_error("new_password2", _("确认新密码：两次输入的新密码不一致"))
        return data


def _action_filter_choices() -> list[tuple[str, Any]]:
    # Read when the form is drawn, not at import: the apps register their actions in ready().
    return [("", _("全部")), *action_choices()]


class AuditFilterForm(StyledForm):
    compact = True

    actor = forms.CharField(label=_("操作人"), required=False)
    action = forms.ChoiceField(label=_("动作"), required=False, choices=_action_filter_choices)
    object_type = forms.CharField(label=_("对象类型"), required=False)
    object_id = forms.CharField(label=_("对象编号"), required=False)


class HolidayForm(StyledForm):
    date = forms.DateField(
        label=_("日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("日期：不能为空"), "invalid": _("日期：格式不正确")},
    )
    kind = forms.ChoiceField(
        label=_("类型"), choices=[("", _("恢复为正常"))] + list(DayKind.choices), required=False
    )
    name = forms.CharField(label=_("名称"), max_length=40, required=False)


def parse_id(value: str | None) -> int | None:
    """A record id from a query string or form field; None for anything that is not one."""
    return int(value) if value and value.isdigit() and len(value) < 19 else None
