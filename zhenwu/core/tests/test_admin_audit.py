"""Django admin's edits of groups and permissions, and its other writes, leave audit events."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from zhenwu.conftest import client_for
from zhenwu.core.constants import CoreAudit
from zhenwu.core.models import AuditEvent, Notice

pytestmark = pytest.mark.django_db


def _events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def _permission(codename: str) -> Permission:
    return Permission.objects.get(codename=codename)


def test_a_group_made_and_changed_in_the_admin_leaves_events_naming_the_admin_and_the_permissions(admin_user):
    client = client_for(admin_user)
    add, view = _permission("add_holiday"), _permission("view_holiday")
    response = client.post("/admin/auth/group/add/", {"name": "日历维护", "permissions": [add.pk, view.pk]})
    assert response.status_code == 302, response.content.decode()[:500]
    group = Group.objects.get(name="日历维护")
    [made] = _events(CoreAudit.GROUP_CHANGED)
    assert made.actor == admin_user and made.after == {"name": "日历维护", "change": "add"}
    [granted] = _events(CoreAudit.PERMISSIONS_CHANGED)
    assert granted.actor == admin_user and granted.object_id == str(group.pk)
    assert granted.after == {
        "relation": "auth_group_permissions",
        "added": ["core.add_holiday", "core.view_holiday"],
    }
    client.post(f"/admin/auth/group/{group.pk}/change/", {"name": "日历维护", "permissions": [view.pk]})
    assert _events(CoreAudit.PERMISSIONS_CHANGED)[-1].after == {
        "relation": "auth_group_permissions",
        "removed": ["core.add_holiday"],
    }
    assert not _events(CoreAudit.ADMIN_ACTION)  # the group's own events say it all
    client.post(f"/admin/auth/group/{group.pk}/delete/", {"post": "yes"})
    assert _events(CoreAudit.GROUP_CHANGED)[-1].after == {"name": "日历维护", "change": "delete"}


def test_groups_and_permissions_given_to_an_account_outside_the_admin_are_audited_too(office):
    group = Group.objects.create(name="导出")
    with transaction.atomic():
        office.groups.add(group)
        office.user_permissions.add(_permission("change_holiday"))
    assert [e.after for e in _events(CoreAudit.PERMISSIONS_CHANGED)] == [
        {"relation": "org_user_groups", "added": ["导出"]},
        {"relation": "org_user_user_permissions", "added": ["core.change_holiday"]},
    ]
    office.groups.clear()
    assert _events(CoreAudit.PERMISSIONS_CHANGED)[-1].after == {
        "relation": "org_user_groups",
        "removed": ["导出"],
    }
    assert _events(CoreAudit.PERMISSIONS_CHANGED)[-1].actor_label == "系统"


def test_an_admin_log_entry_for_a_model_that_does_not_audit_itself_becomes_an_event(admin_user, office):
    from zhenwu.core.models import Holiday

    notice = Notice.objects.create(recipient=office, key="k", subject="t", body="b")
    LogEntry.objects.log_actions(admin_user.pk, [notice], CHANGE, [{"changed": {"fields": ["Body"]}}])
    [event] = _events(CoreAudit.ADMIN_ACTION)
    assert (
        event.actor == admin_user and event.object_type == "core.notice" and event.object_id == str(notice.pk)
    )
    assert event.after == {"flag": "change", "change": [{"changed": {"fields": ["Body"]}}]}
    holiday = Holiday.objects.order_by("date").first()  # seeded by a migration
    assert holiday is not None
    LogEntry.objects.log_actions(admin_user.pk, [holiday], CHANGE, "")
    assert len(_events(CoreAudit.ADMIN_ACTION)) == 1  # AuditedAdmin records its own changes
