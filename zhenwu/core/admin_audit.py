"""Django admin's writes to groups, permissions and anything else leave audit events.

Our own admin classes (org.admin.AuditedAdmin) record their changes; Django's own Group admin
and whatever else the admin offers do not, and who may do what is exactly what an intruder
with an admin login would change. So: every LogEntry the admin writes for a model that does
not audit itself, every saved or deleted Group, and every change to the many-to-many links
between users, groups and permissions, from the admin, the shell or any code.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from zhenwu.core.audit import audit_record
from zhenwu.core.constants import CoreAudit
from zhenwu.core.context import request_user

_FLAGS = {ADDITION: "add", CHANGE: "change", DELETION: "delete"}


def _actor() -> Any:
    user = request_user.get()
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _record(**kwargs: Any) -> None:
    # Inside the admin's transaction when there is one; the shell's autocommit gets its own.
    with transaction.atomic():
        audit_record(**kwargs)


def _label(obj: models.Model) -> str:
    if isinstance(obj, Permission):
        return f"{obj.content_type.app_label}.{obj.codename}"
    return str(obj)


def _audits_itself(model: type[models.Model] | None) -> bool:
    if model is None:
        return False
    if model is Group:
        return True  # the Group signals below
    return bool(getattr(admin.site._registry.get(model), "audits_itself", False))


def log_entry_saved(sender: Any, instance: LogEntry, created: bool, **kwargs: Any) -> None:
    model = (
        ContentType.objects.get_for_id(instance.content_type_id).model_class()
        if instance.content_type_id
        else None
    )
    if not created or _audits_itself(model):
        return
    try:
        change: Any = json.loads(instance.change_message) if instance.change_message else []
    except ValueError:
        change = instance.change_message[:200]
    _record(
        actor=instance.user, action=CoreAudit.ADMIN_ACTION,
        object_type=model._meta.label_lower if model else "", object_id=instance.object_id or "",
        object_label=instance.object_repr, after={"flag": _FLAGS.get(instance.action_flag, ""), "change": change},
    )  # fmt: skip


def group_saved(sender: Any, instance: Group, created: bool, **kwargs: Any) -> None:
    _record(
        actor=_actor(), action=CoreAudit.GROUP_CHANGED, obj=instance,
        after={"name": instance.name, "change": "add" if created else "change"},
    )  # fmt: skip


def group_deleted(sender: Any, instance: Group, **kwargs: Any) -> None:
    _record(
        actor=_actor(),
        action=CoreAudit.GROUP_CHANGED,
        obj=instance,
        after={"name": instance.name, "change": "delete"},
    )


def links_changed(
    sender: Any, instance: models.Model, action: str, model: type[models.Model], pk_set: set[Any] | None,
    **kwargs: Any,
) -> None:  # fmt: skip
    """users ↔ groups, users ↔ permissions, groups ↔ permissions: what was added or removed."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if action == "pre_clear":
        # After a clear nothing says what was there: name it while it still is.
        related, change = _linked(sender, instance, model), "removed"
    else:
        related = model._default_manager.filter(pk__in=pk_set or ())
        change = "added" if action == "post_add" else "removed"
    names = sorted(_label(o) for o in related)
    if names:
        _record(
            actor=_actor(), action=CoreAudit.PERMISSIONS_CHANGED, obj=instance,
            after={"relation": sender._meta.db_table, change: names},
        )  # fmt: skip


def _linked(through: Any, instance: models.Model, model: type[models.Model]) -> models.QuerySet[Any]:
    mine = next(f for f in through._meta.fields if f.is_relation and f.related_model is type(instance))
    theirs = next(f for f in through._meta.fields if f.is_relation and f.related_model is model)
    ids = through.objects.filter(**{mine.name: instance.pk}).values_list(theirs.attname, flat=True)
    return model._default_manager.filter(pk__in=list(ids))


def connect() -> None:
    user_model = get_user_model()
    post_save.connect(log_entry_saved, sender=LogEntry, dispatch_uid="zhenwu.audit.logentry")
    post_save.connect(group_saved, sender=Group, dispatch_uid="zhenwu.audit.group_saved")
    post_delete.connect(group_deleted, sender=Group, dispatch_uid="zhenwu.audit.group_deleted")
    for through in (
        Group.permissions.through,
        user_model.groups.through,
        user_model.user_permissions.through,
    ):
        m2m_changed.connect(
            links_changed, sender=through, dispatch_uid=f"zhenwu.audit.{through._meta.db_table}"
        )
