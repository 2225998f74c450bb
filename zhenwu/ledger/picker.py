"""The people picker: one widget for every form field that picks people (责任领导, 责任人, 验收人).

It never lists the town. It renders the people already chosen as checked options and a search
box; with JavaScript the box asks org's scoped endpoint (org:people_pick) as the user types, and
a picked entry becomes one more checked option. Without JavaScript the box's 搜索 button posts
the form back (`picking()`), and the page shows the matches as options to tick — so the form
works either way, and what is posted is always checked on the server against the user's scope.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from zhenwu.org.forms import narrow_to_town
from zhenwu.org.models import Person, User
from zhenwu.org.scope import scope_of
from zhenwu.org.selectors import people_to_pick, people_visible_to, town_leader_ids

SEARCH_BUTTON = "_pick"  # the no-JS 搜索 button's name
QUERY_SUFFIX = "__q"  # each picker's search box is named <field>__q


def picking(data: QueryDict) -> bool:
    """True when a post is a no-JS search (the 搜索 button with something typed), not a submit."""
    return SEARCH_BUTTON in data and any(
        key.endswith(QUERY_SUFFIX) and str(data.get(key, "")).strip() for key in data
    )


class PeoplePicker(forms.Widget):
    template_name = "includes/people_picker.html"

    def __init__(self, *, multiple: bool, pool: str = "", attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.allow_multiple_selected = multiple
        self.pool = pool  # "leaders": the 责任领导 picker offers the town's leaders only
        # Set by PickerFormMixin for each form instance (widgets are copied per form).
        self.user: User | None = None
        self.data: Any = {}
        self.department: int | None = None
        self.queryset: QuerySet[Person] = Person.objects.none()
        self.label: Any = ""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if self.allow_multiple_selected:
            return data.getlist(name) if hasattr(data, "getlist") else data.get(name)
        return data.get(name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False if self.allow_multiple_selected else name not in data

    def format_value(self, value: Any) -> list[str]:  # type: ignore[override]  # a list of ids, as SelectMultiple gives
        if value is None or value == "":
            return []
        values = value if isinstance(value, list | tuple) else [value]
        return [str(getattr(v, "pk", v)) for v in values if v not in (None, "")]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        ids = [int(v) for v in context["widget"]["value"] if str(v).isdigit()]
        # The chosen, in the order they were chosen; ids outside the scope are not shown (the
        # field's error names them).
        found_chosen = (
            {p.pk: p for p in self.queryset.filter(pk__in=ids).select_related("unit")} if ids else {}
        )
        chosen = [found_chosen[i] for i in ids if i in found_chosen]
        query = str(self.data.get(name + QUERY_SUFFIX, "") or "").strip()[:50]
        matches: list[Person] = []
        if query and self.user is not None:  # the no-JS search: the page answers it
            matches = [
                p
                for p in people_to_pick(
                    self.user, q=query, department=self.department, leaders_only=self.pool == "leaders"
                )
                if p.pk not in found_chosen
            ]
        context.update(
            {
                "chosen": chosen,
                "matches": matches,
                "query": query,
                "multiple": self.allow_multiple_selected,
                "label": self.label,
                "pool": self.pool,
                "search_name": name + QUERY_SUFFIX,
                "search_button": SEARCH_BUTTON,
                "nothing_chosen": not chosen,
            }
        )
        return context

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        # The project's template engine (templates/ holds the widget), not the forms renderer's.
        html = render_to_string(self.template_name, self.get_context(name, value, attrs))
        return mark_safe(html)  # noqa: S308 - a rendered template, escaped by the engine


def _out_of_scope(label: Any) -> str:
    return _("%(field)s：编号为%(value)s的人员不在可选范围内") % {"field": label, "value": "%(value)s"}


class PeopleField(forms.ModelMultipleChoiceField):
    """责任人: several people, each checked against the user's scope."""

    def __init__(self, *, label: Any, **kwargs: Any) -> None:
        super().__init__(
            queryset=Person.objects.none(), label=label, widget=PeoplePicker(multiple=True), **kwargs
        )


class PersonField(forms.ModelChoiceField):
    """验收人, 责任领导: one person (or none), checked against the user's scope."""

    def __init__(self, *, label: Any, pool: str = "", **kwargs: Any) -> None:
        super().__init__(
            queryset=Person.objects.none(),
            label=label,
            widget=PeoplePicker(multiple=False, pool=pool),
            **kwargs,
        )


class PickerFormMixin(forms.Form):
    """Gives each picker field the user's scope (its queryset, so a posted id outside it is
    refused by name) and gives each picker widget what it needs to draw itself."""

    def setup_pickers(self, user: User) -> None:
        narrow_to_town(self, user)
        visible = people_visible_to(user)
        department = str(
            (self.data.get("department") if self.is_bound else self.initial.get("department")) or ""
        )
        department_id = int(department) if department.isdigit() else None
        for field in self.fields.values():
            widget = field.widget
            if not isinstance(widget, PeoplePicker):
                continue
            queryset = visible
            if widget.pool == "leaders":
                queryset = visible.filter(id__in=town_leader_ids(scope_of(user)))
            field.queryset = queryset  # type: ignore[attr-defined]
            field.error_messages = {
                **field.error_messages,
                "invalid_choice": _out_of_scope(field.label),
                "invalid_pk_value": _("%(field)s：“%%(pk)s”不是有效的人员编号") % {"field": field.label},
            }
            widget.queryset = queryset
            widget.label = field.label
            widget.user = user
            widget.data = self.data if self.is_bound else {}
            widget.department = department_id
