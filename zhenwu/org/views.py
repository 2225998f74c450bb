"""Pages of the registry: the unit tree, people with search, person detail with masked fields."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from zhenwu.core.access import roles_required
from zhenwu.core.forms import apply_errors
from zhenwu.org.constants import OFFICE_ROLES
from zhenwu.org.forms import PersonFilterForm, PersonForm, UnitForm
from zhenwu.org.models import User
from zhenwu.org.selectors import (
    can_edit_registry,
    can_unmask,
    get_person_for_user,
    get_unit_for_user,
    people_search,
    unit_tree,
    units_visible_to,
)
from zhenwu.org.services import REVEALABLE_FIELDS, person_create, person_reveal, person_update, unit_update


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
def unit_tree_view(request: HttpRequest) -> HttpResponse:
    return render(request, "org/unit_tree.html", {"units": unit_tree(_user(request))})


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    unit = get_unit_for_user(user, pk)
    people = people_search(user, unit=unit)
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    children = units_visible_to(user).filter(parent=unit).order_by("sort_order", "path")
    context = {"unit": unit, "children": children, "page": page, "can_edit": can_edit_registry(user)}
    return render(request, "org/unit_detail.html", context)


@roles_required(*OFFICE_ROLES)
@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    unit = get_unit_for_user(user, pk)
    initial = {f: getattr(unit, f) for f in ("name", "short_name", "kind", "parent", "sort_order")}
    form = UnitForm(request.POST or None, initial=initial, units=units_visible_to(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit_update(
                actor=user,
                unit=unit,
                name=data["name"],
                short_name=data["short_name"],
                kind=data["kind"],
                parent=data["parent"],
                sort_order=data["sort_order"] or 0,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("单位已保存"))
            return redirect("org:unit_detail", pk=unit.pk)
    return render(request, "org/unit_form.html", {"form": form, "unit": unit})


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = PersonFilterForm(request.GET or None, units=units_visible_to(user))
    filters = form.cleaned_data if form.is_valid() else {}
    people = people_search(
        user,
        q=filters.get("q", ""),
        unit=filters.get("unit"),
        role=filters.get("role", ""),
        gender=filters.get("gender", ""),
    )
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "can_edit": can_edit_registry(user)}
    return render(request, "org/person_list.html", context)


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    person = get_person_for_user(user, pk)
    context = {"person": person, "can_unmask": can_unmask(user), "can_edit": can_edit_registry(user)}
    return render(request, "org/person_detail.html", context)


@login_required
@require_POST
def person_reveal_view(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    user = _user(request)
    person = get_person_for_user(user, pk)
    if field not in REVEALABLE_FIELDS or not can_unmask(user):
        raise Http404("页面不存在")
    value = person_reveal(actor=user, person=person, field=field)
    return render(request, "org/_revealed.html", {"value": value or _("（未登记）"), "field": field})


@roles_required(*OFFICE_ROLES)
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = _user(request)
    person = get_person_for_user(user, pk) if pk else None
    initial = {}
    if person is not None:
        fields = ("name", "gender", "unit", "title", "is_second_line", "note")
        initial = {f: getattr(person, f) for f in fields}
        # The form never carries the full values: editing keeps them unless a new one is typed.
        initial.update(phone="", id_number="")
    form = PersonForm(request.POST or None, initial=initial, units=units_visible_to(user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if person is None:
                person = person_create(actor=user, **data)
            else:
                for keep in ("phone", "id_number"):
                    if not data[keep]:
                        data.pop(keep)
                person = person_update(actor=user, person=person, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("人员信息已保存"))
            return redirect("org:person_detail", pk=person.pk)
    return render(request, "org/person_form.html", {"form": form, "person": person})
