"""Pages of the core: sign-in, the home page of each role, the audit log, the calendar."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from zhenwu.core.access import roles_required
from zhenwu.core.audit_display import describe
from zhenwu.core.calendar import (
    FIRST_YEAR,
    YEARS_AHEAD,
    calendar_import_year,
    calendar_year_confirm,
    chinesecalendar_years,
    holiday_set,
    missing_statutory_days,
)
from zhenwu.core.forms import (
    AuditFilterForm,
    HolidayForm,
    LoginForm,
    PasswordChangeForm,
    apply_errors,
    flash_errors,
)
from zhenwu.core.home import panels_for
from zhenwu.core.models import CalendarYear, Holiday, Notice
from zhenwu.core.notices import notice_mark_read
from zhenwu.core.selectors import audit_events
from zhenwu.core.syscheck import run_checks
from zhenwu.lib.statutory import statutory_days
from zhenwu.org.constants import OFFICE_ROLES, ROLE_INTROS, AccountRole, OrgAudit
from zhenwu.org.logins import LoginRefused, account_login_check
from zhenwu.org.models import User
from zhenwu.org.roles import has_role, is_admin, is_town_wide, role_of
from zhenwu.org.scope import scope_unit
from zhenwu.org.selectors import registry_counts
from zhenwu.org.services import account_change_password, account_logout


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]  # the views that act are login_required


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST" and form.is_valid():
        try:
            user = account_login_check(
                username=form.cleaned_data["username"], password=form.cleaned_data["password"]
            )
        except LoginRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            login(request, user, backend="zhenwu.org.backends.LockoutModelBackend")
            safe = url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure())
            return redirect(next_url if safe and next_url else settings.LOGIN_REDIRECT_URL)
    context = {
        "form": form,
        "next": next_url,
        "max_failures": settings.ZHENWU_LOGIN_MAX_FAILURES,
        "idle_minutes": settings.ZHENWU_IDLE_TIMEOUT_MINUTES,
    }
    return render(request, "core/login.html", context)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        account_logout(user=request.user, reason=OrgAudit.LOGOUT)  # type: ignore[arg-type]
    logout(request)
    messages.info(request, _("您已安全退出"))
    return redirect("login")


@login_required
@require_http_methods(["GET", "POST"])
def password_change_view(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = account_change_password(
                user=request.user,  # type: ignore[arg-type]
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            login(request, user, backend="zhenwu.org.backends.LockoutModelBackend")
            messages.success(request, _("密码已修改"))
            return redirect("home")
    # The rules, before the user types, from the configured validators (never a copy of them).
    context = {"form": form, "rules": password_validators_help_texts()}
    return render(request, "core/password_change.html", context)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    # The registry's figures mean something to the town-wide roles and to a branch secretary
    # (their branch's members); to a department's clerk they are noise.
    town_wide = is_town_wide(request.user)
    show_registry = town_wide or has_role(request.user, AccountRole.BRANCH)
    context = {
        "counts": registry_counts(request.user) if show_registry else None,  # type: ignore[arg-type]
        "panels": panels_for(request),
        "role_intro": ROLE_INTROS.get(role_of(request.user), ROLE_INTROS[AccountRole.ADMIN]),
        "town_wide": town_wide,
        "work_unit": scope_unit(request.user),  # the active grant's unit
    }
    return render(request, "core/home.html", context)


@roles_required(*OFFICE_ROLES)
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = audit_events(user=request.user, **{k: v for k, v in filters.items() if v})
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    changes = describe(page.object_list)
    rows = [(event, changes[event.seq]) for event in page.object_list]
    return render(request, "core/audit_list.html", {"form": form, "page": page, "rows": rows})


@roles_required(*OFFICE_ROLES)
@require_http_methods(["GET", "POST"])
def calendar_view(request: HttpRequest) -> HttpResponse:
    year = _int(request.GET.get("year"), date.today().year)  # noqa: DTZ011 - a year number, not a moment
    form = HolidayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            holiday_set(
                actor=_user(request),
                day=form.cleaned_data["date"],
                kind=form.cleaned_data["kind"] or None,
                name=form.cleaned_data["name"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect(f"{request.path}?year={form.cleaned_data['date'].year}")
    confirmed = set(CalendarYear.objects.values_list("year", flat=True))
    today = timezone.localdate()
    wanted = {today.year, today.year + 1} | (
        {year} if FIRST_YEAR <= year <= today.year + YEARS_AHEAD else set()
    )
    shown = sorted(confirmed | wanted)
    context = {
        "year": year,
        "form": form,
        "days": Holiday.objects.filter(date__year=year).order_by("date"),
        "years": [(y, y in confirmed) for y in shown],
        "covered": CalendarYear.objects.filter(year=year).first(),
        "importable": year in chinesecalendar_years(),
        # What a provisional year assumes, and what the law requires before it can be confirmed.
        "statutory": statutory_days(year) if FIRST_YEAR <= year <= today.year + YEARS_AHEAD else (),
        "missing": missing_statutory_days(year) if year not in confirmed and year >= FIRST_YEAR else (),
        "recomputed": request.session.pop(f"calendar-recomputed-{year}", None),
    }
    return render(request, "core/calendar.html", context)


@roles_required(*OFFICE_ROLES)
@require_POST
def calendar_year_action(request: HttpRequest, year: int) -> HttpResponse:
    try:
        if request.POST.get("action") == "import":
            count, changed = calendar_import_year(actor=_user(request), year=year)
            messages.success(
                request, _("已导入%(year)s年的%(count)s个放假和调休日期") % {"year": year, "count": count}
            )
        else:
            changed = calendar_year_confirm(
                actor=_user(request), year=year, note=request.POST.get("note", "")
            )
            messages.success(request, _("已确认%(year)s年工作日历") % {"year": year})
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.info(request, _("%(n)s个问题的整改时限已按正式安排调整") % {"n": len(changed)})
        # Listed once on the calendar page for the office to review (each change is also a
        # step in its problem's history and an audit event).
        request.session[f"calendar-recomputed-{year}"] = [
            {"label": c.label, "url": c.url, "before": c.before.isoformat(), "after": c.after.isoformat()}
            for c in changed
        ]
    return redirect(f"{reverse('core:calendar')}?year={year}")


def _int(raw: str | None, default: int) -> int:
    try:
        return int(raw) if raw else default
    except ValueError:
        return default


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    notices = Notice.objects.filter(recipient_id=request.user.pk).order_by("-created_at", "-id")
    page = Paginator(notices, 50).get_page(request.GET.get("page"))
    return render(request, "core/inbox.html", {"page": page})


@login_required
@require_POST
def inbox_read(request: HttpRequest, pk: int) -> HttpResponse:
    notice_mark_read(user=request.user, notice_id=pk)
    target = Notice.objects.filter(pk=pk, recipient_id=request.user.pk).values_list("url", flat=True).first()
    return redirect(target or "core:inbox")


@login_required
def system_check(request: HttpRequest) -> HttpResponse:
    """系统检查: what is not production-ready yet, for the administrator only."""
    if not is_admin(request.user):
        raise Http404("页面不存在")
    # The page waits for the password check at most ~2 s; a refresh goes on where it stopped.
    findings = run_checks(budget=2.0)
    context = {
        "findings": findings,
        "failed": sum(f.failed for f in findings),
        "nav_active": "system_check",
    }
    return render(request, "core/system_check.html", context)
