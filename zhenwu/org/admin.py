"""Django admin for the system administrator: accounts and the holiday table.

Admin edits are audited like every other write (AuditedAdmin), so the admin is not a
back door around the audit log.
"""

from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from zhenwu.core.audit import audit_record
from zhenwu.core.models import CalendarYear, Holiday
from zhenwu.org.models import User


def _account(request: HttpRequest) -> User | None:
    """The admin site needs a staff login, so request.user is an account here."""
    return request.user if isinstance(request.user, User) else None


class AuditedAdmin(admin.ModelAdmin):
    audits_itself = True  # core.admin_audit leaves these models' LogEntry rows to us

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            changed = {name: str(form.cleaned_data.get(name)) for name in form.changed_data}
            changed.pop("password", None)
            audit_record(
                actor=_account(request),
                action=f"admin.{'change' if change else 'add'}",
                obj=obj,
                after=changed,
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            audit_record(actor=_account(request), action="admin.delete", obj=obj)
            super().delete_model(request, obj)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # Bulk delete skips delete_model (and so the audit): not offered.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(Holiday)
class HolidayAdmin(AuditedAdmin):
    list_display = ("date", "kind", "name")
    list_filter = ("kind",)
    date_hierarchy = "date"


@admin.register(CalendarYear)
class CalendarYearAdmin(AuditedAdmin):
    list_display = ("year", "source", "note")


@admin.register(User)
class UserAdmin(AuditedAdmin):
    """Accounts are made and managed on the accounts page (org:account_list), whose services
    generate the first password, force its change, and keep the rules (only an administrator
    makes one, the last administrator stays). Here they are read, and the fields no rule
    guards (names, email) edited; adding one is sent to the accounts page."""

    list_display = ("username", "role", "unit", "is_active", "must_change_password", "last_login")
    list_filter = ("role", "is_active", "must_change_password")
    readonly_fields = (
        "password", "last_login", "password_changed_at", "role", "unit", "person", "is_active",
        "is_staff", "is_superuser", "must_change_password", "date_joined",
    )  # fmt: skip
    exclude = ("user_permissions", "groups")

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        return redirect("org:account_create")

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        if request.method == "GET":
            messages.info(
                request, _("角色、所属单位、停用和密码请在“账号”页面管理（每一步按规则检查并记入审计日志）。")
            )
        return super().change_view(request, object_id, form_url, extra_context)
