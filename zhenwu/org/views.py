"""Pages of the registry: the unit tree, people with search, person detail with masked fields;
accounts (unlock, password reset) for the office, and each user's own API tokens."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from zhenwu.core.access import roles_required
from zhenwu.core.forms import apply_errors, flash_errors, step_then_back
from zhenwu.core.timefmt import shown
from zhenwu.org.constants import OFFICE_ROLES, PARTY_ORGANISATION_KINDS, SCOPE_KINDS, AccountRole
from zhenwu.org.forms import (
    AccountCreateForm,
    AccountFilterForm,
    AccountRoleForm,
    PersonFilterForm,
    PersonForm,
    RoleHereForm,
    TokenCreateForm,
    UnitForm,
)
from zhenwu.org.logins import login_trouble
from zhenwu.org.models import Town, User
from zhenwu.org.roles import is_admin
from zhenwu.org.scope import TOWN_SESSION_KEY
from zhenwu.org.selectors import (
    account_search,
    can_edit_registry,
    can_unmask,
    get_account_for_user,
    get_person_for_user,
    get_token_for_user,
    get_unit_for_user,
    grants_of,
    people_search,
    people_to_pick,
    people_without_account,
    tokens_of,
    unit_tree,
    units_visible_to,
    username_suggestion,
)
from zhenwu.org.services import (
    ID_KNOWN_ELSEWHERE,
    REVEALABLE_FIELDS,
    account_change_role,
    account_create_for_person,
    account_reset_password,
    account_set_active,
    account_town_switch,
    account_unlock,
    api_token_create_for_self,
    api_token_revoke,
    person_create,
    person_reveal,
    person_role_grant_here,
    person_update,
    unit_update,
)


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
    # The breadcrumb links the parent only where it may be opened (a branch secretary's unit's
    # parent is outside their scope: a link there would answer 404).
    parent_open = unit.parent_id is not None and units_visible_to(user).filter(pk=unit.parent_id).exists()
    context = {
        "unit": unit, "children": children, "page": page,
        "can_edit": can_edit_registry(user) and not unit.is_scope_node,
        "parent_open": parent_open,
    }  # fmt: skip
    return render(request, "org/unit_detail.html", context)


@roles_required(*OFFICE_ROLES)
@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    unit = get_unit_for_user(user, pk)
    if unit.is_scope_node:  # the county's and towns' nodes are the system's (org.services)
        raise Http404("县、乡镇节点不在这里修改")
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
    here = None  # "在本镇登记身份", offered for an ID number registered in another town
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
            if person is None and _known_elsewhere(exc):
                here = _role_here_form(user, initial={"id_number": data["id_number"], "unit": data["unit"]})
        else:
            messages.success(request, _("人员信息已保存"))
            return redirect("org:person_detail", pk=person.pk)
    return render(request, "org/person_form.html", {"form": form, "person": person, "here": here})


def _known_elsewhere(exc: ValidationError) -> bool:
    errors = getattr(exc, "error_dict", {}).get("id_number", [])
    return any(error.code == ID_KNOWN_ELSEWHERE for error in errors)


def _role_here_form(user: User, data: Any = None, initial: dict[str, Any] | None = None) -> RoleHereForm:
    units = units_visible_to(user).exclude(kind__in=SCOPE_KINDS)
    return RoleHereForm(data, initial=initial, units=units)


@roles_required(*OFFICE_ROLES)
@require_POST
def person_role_here(request: HttpRequest) -> HttpResponse:
    """ "在本镇登记身份": the holder of an ID number registered in another town takes a role in
    this town, and is then this town's to see and pick; the page opens on them."""
    user = _user(request)
    form = _role_here_form(user, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            role = person_role_grant_here(
                actor=user, id_number=data["id_number"], kind=data["kind"], unit=data["unit"]
            )
        except (ValidationError, PermissionError) as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, _("已在本镇登记其身份"))
            return redirect("org:person_detail", pk=role.person_id)
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("org:person_create")


@login_required
@require_POST
def town_switch(request: HttpRequest) -> HttpResponse:
    """The header's switcher: work in another of the account's towns. A town the account has no
    grant in does not exist for it (404); the choice lasts the session (org.middleware)."""
    user = _user(request)
    town_pk = request.POST.get("town", "")
    town = Town.objects.filter(pk=int(town_pk)).first() if town_pk.isdigit() else None
    if town is None:
        raise Http404("页面不存在")
    try:
        grant = account_town_switch(user=user, town=town, grants=grants_of(user))
    except PermissionError as exc:
        raise Http404("页面不存在") from exc
    if grant is None:
        request.session.pop(TOWN_SESSION_KEY, None)
    else:
        request.session[TOWN_SESSION_KEY] = town.pk
    messages.success(request, _("已切换到%(town)s") % {"town": town.name})
    return redirect("home")  # the page one was on may be another town's


@roles_required(*OFFICE_ROLES)
def account_list(request: HttpRequest) -> HttpResponse:
    """The accounts the office (the town's) and the administrator (every one) look after: their
    state, recent failed logins, and the steps on each (issue 14)."""
    user = _user(request)
    form = AccountFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    accounts = account_search(
        user, q=filters.get("q", ""), role=filters.get("role", ""), state=filters.get("state", "")
    )
    page = Paginator(accounts, 50).get_page(request.GET.get("page"))
    trouble = login_trouble([a.username for a in page])
    rows = [
        (account, trouble.get(account.username), shown(account.last_login) if account.last_login else "")
        for account in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "max_failures": settings.ZHENWU_LOGIN_MAX_FAILURES,
        "nav_active": "accounts",
        "is_admin": is_admin(user),
    }
    return render(request, "org/account_list.html", context)


@roles_required(*OFFICE_ROLES)
@require_POST
def account_unlock_view(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_account_for_user(_user(request), pk)
    return step_then_back(
        request,
        lambda: account_unlock(actor=_user(request), user=account),
        _("已解除%(name)s的登录限制") % {"name": account.username},
        "org:account_list",
    )


@roles_required(*OFFICE_ROLES)
@require_http_methods(["GET", "POST"])
def account_reset_view(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks to confirm; POST resets and shows the one-time password, once."""
    account = get_account_for_user(_user(request), pk)
    if request.method == "GET":
        return render(request, "org/account_reset.html", {"account": account, "nav_active": "accounts"})
    try:
        password = account_reset_password(actor=_user(request), user=account)
    except (ValidationError, PermissionError) as exc:
        flash_errors(request, exc)
        return redirect("org:account_list")
    context = {"account": account, "password": password, "nav_active": "accounts"}
    response = render(request, "org/account_reset.html", context)
    response["Cache-Control"] = "no-store"  # shown once: no copy in the browser's cache
    return response


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """One's own API tokens: list, create (the key is shown once), revoke."""
    user = _user(request)
    form = TokenCreateForm(request.POST or None)
    created = key = None
    if request.method == "POST" and form.is_valid():
        try:
            created, key = api_token_create_for_self(
                user=user, name=form.cleaned_data["name"], password=form.cleaned_data["password"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            form = TokenCreateForm()
    context = {
        "form": form,
        "tokens": tokens_of(user),
        "created": created,
        "key": key,
        "now": timezone.now(),
        "token_days": settings.ZHENWU_API_TOKEN_DAYS,
    }
    response = render(request, "org/token_list.html", context)
    if key:
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    token = get_token_for_user(user, pk)
    return step_then_back(
        request,
        lambda: api_token_revoke(actor=user, token=token),
        _("接口令牌“%(name)s”已停用") % {"name": token.name},
        "org:token_list",
    )


# ---------------------------------------------------------------------------------------
# The accounts page's steps (issue 14): create for a person, (re)activate, role and scope, and
# the explanation an account without the Django admin gets at /admin/.


def _grantable_roles(user: User) -> list[tuple[str, Any]]:
    """The roles this manager may give: the office every one but the administrator's."""
    return [
        (value, label) for value, label in AccountRole.choices if value != AccountRole.ADMIN or is_admin(user)
    ]


def _guess_role(person: Any) -> str:
    """A first guess from the person's unit: a party organisation's secretary, else its staff."""
    unit = person.unit
    if unit is not None and unit.kind in PARTY_ORGANISATION_KINDS:
        return AccountRole.BRANCH
    return AccountRole.DEPARTMENT


@roles_required(*OFFICE_ROLES)
@require_http_methods(["GET", "POST"])
def account_create_view(request: HttpRequest) -> HttpResponse:
    """Find the person (GET ?q=), fill in the account (GET ?person=), create it (POST): the
    answer to the POST shows the one-time password, once, and is not cached."""
    user = _user(request)
    person_pk = request.POST.get("person") or request.GET.get("person") or ""
    person = get_person_for_user(user, int(person_pk)) if person_pk.isdigit() else None
    context: dict[str, Any] = {"nav_active": "accounts", "person": person}
    if person is None:
        q = request.GET.get("q", "").strip()
        context.update(q=q, found=people_without_account(user, q=q) if q else [])
        return render(request, "org/account_create.html", context)
    initial = {"username": username_suggestion(person), "role": _guess_role(person), "unit": person.unit_id}
    form = AccountCreateForm(
        request.POST or None, initial=initial, roles=_grantable_roles(user), units=units_visible_to(user)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account, password = account_create_for_person(
                actor=user, person=person, username=data["username"], role=data["role"], unit=data["unit"]
            )
        except (ValidationError, PermissionError) as exc:
            apply_errors(form, exc)
        else:
            context = {"account": account, "password": password, "nav_active": "accounts", "created": True}
            response = render(request, "org/account_reset.html", context)
            response["Cache-Control"] = "no-store"  # shown once: no copy in the browser's cache
            return response
    context["form"] = form
    return render(request, "org/account_create.html", context)


@roles_required(*OFFICE_ROLES)
@require_POST
def account_active_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate (POST active=0) or reactivate (active=1) an account."""
    account = get_account_for_user(_user(request), pk)
    active = request.POST.get("active") == "1"
    done = _("已恢复账号%(name)s") if active else _("已停用账号%(name)s，其会话和接口令牌立即失效")
    return step_then_back(
        request,
        lambda: account_set_active(actor=_user(request), user=account, is_active=active),
        done % {"name": account.username},
        "org:account_list",
    )


@roles_required(*OFFICE_ROLES)
@require_http_methods(["GET", "POST"])
def account_role_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    account = get_account_for_user(user, pk)
    initial = {"role": account.role, "unit": account.unit_id}
    form = AccountRoleForm(
        request.POST or None, initial=initial, roles=_grantable_roles(user), units=units_visible_to(user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            account_change_role(
                actor=user, user=account, role=form.cleaned_data["role"], unit=form.cleaned_data["unit"]
            )
        except (ValidationError, PermissionError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已更改账号%(name)s的角色和范围") % {"name": account.username})
            return redirect("org:account_list")
    context = {"form": form, "account": account, "nav_active": "accounts"}
    return render(request, "org/account_role.html", context)


def admin_login_view(request: HttpRequest) -> HttpResponse:
    """Where the Django admin sends whoever it will not serve. A signed-in account that is not
    an administrator learns why (403) and has a way back; anyone else signs in on our page,
    so the lockout and the audit apply to the admin too."""
    if request.user.is_authenticated and not request.user.is_staff:
        return render(request, "org/admin_refused.html", status=403)
    if request.user.is_authenticated:
        return redirect("admin:index")
    query = request.META.get("QUERY_STRING", "")
    return redirect(f"{reverse('login')}?{query}" if query else reverse("login"))


@login_required
def people_picker_view(request: HttpRequest) -> HttpResponse:
    """The people picker's type-ahead (htmx): the user's own scope, the department's staff first."""
    department = request.GET.get("department", "")
    people = people_to_pick(
        _user(request),
        q=request.GET.get("q", "")[:50],
        department=int(department) if department.isdigit() else None,
        leaders_only=request.GET.get("pool") == "leaders",
    )
    return render(request, "org/_picker_results.html", {"people": people, "q": request.GET.get("q", "")})
