"""The 导入台账 pages: upload → preview every row → answer its questions → confirm.

The file waits under MEDIA_ROOT until confirmed (tick removes abandoned ones). Checking and
committing a large sheet takes seconds, so with htmx the page shows a progress bar: the
request doing the work writes its progress to a small file beside the upload, and the page
polls it. Without htmx the same requests simply answer when done.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from pathlib import Path
from time import monotonic
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods

from zhenwu.core.access import roles_required
from zhenwu.core.forms import apply_errors, flash_errors, parse_id
from zhenwu.ledger.constants import NotStarted, RowStatus
from zhenwu.ledger.exports import import_template_workbook
from zhenwu.ledger.forms import DepartmentAliasForm
from zhenwu.ledger.importer import (
    IMMEDIATE_MAX_DAYS,
    IMPORT_MAX_BYTES,
    IMPORTS_FOLDER,
    Choices,
    ImportPlan,
    SheetError,
    choice_years,
    commit_import,
    file_kind,
    plan_import,
)
from zhenwu.ledger.importer.reading import too_large
from zhenwu.ledger.selectors import department_aliases, get_alias_for_user
from zhenwu.ledger.services import department_alias_delete, department_alias_save
from zhenwu.org.constants import OFFICE_ROLES, UnitKind
from zhenwu.org.models import Unit
from zhenwu.org.services import town_for_new

# Rows of a large sheet the preview lists: this many needing attention (errors, questions,
# updates) and this many others, in sheet order; the rest are counted (the CLI lists them all).
PREVIEW_ROWS = 300
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@roles_required(*OFFICE_ROLES)
@require_http_methods(["GET", "POST"])
def import_view(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "ledger/import.html", {"years": _years()})
    try:  # a sheet is a town's: the county's administrator, with several towns, has none yet
        _town_id(request)
    except ValidationError as exc:
        return _back(request, exc.messages[0])
    if "confirm" in request.POST:
        return _confirm(request)
    if "token" in request.POST:
        return _check(request, request.POST["token"])
    return _upload(request)


def _upload(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None:
        return _back(request, _("文件：请选择要导入的 Excel 台账（.xlsx 或 .xls）"))
    if (upload.size or 0) > IMPORT_MAX_BYTES:
        return _back(request, str(too_large()))
    try:
        kind = file_kind(upload.file)  # type: ignore[arg-type]
    except SheetError as exc:
        return _back(request, str(exc))
    token = secrets.token_hex(16)
    path = _folder(request) / f"{token}.{kind}"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    name = (upload.name or "")[:200]
    if request.htmx:  # type: ignore[attr-defined]
        # Answer at once with a progress bar; the page then asks for the check itself.
        carried = {k: request.POST[k] for k in ("year", "create_missing") if request.POST.get(k)}
        context = {
            "token": token,
            "name": name,
            "carried": carried,
            "phase": pgettext("import phase", "检查"),
        }
        return render(request, "ledger/import_working.html", context)
    return _check(request, token, name=name)


def _plan(request: HttpRequest, token: str) -> ImportPlan:
    """The stored upload planned again with the choices the form sends (check and confirm)."""
    with _stored(request, token).open("rb") as handle:
        return plan_import(
            handle,
            town_id=_town_id(request),
            choices=_choices(request.POST),
            progress=_reporter(request, token, pgettext("import phase", "检查")),
        )


def _check(request: HttpRequest, token: str, *, name: str = "") -> HttpResponse:
    path = _stored(request, token)
    try:
        plan = _plan(request, token)
    except SheetError as exc:
        path.unlink(missing_ok=True)
        return _back(request, str(exc))
    except ValidationError as exc:  # a choice out of range: the file stays for another try
        return _back(request, exc.messages[0])
    finally:
        _progress_file(request, token).unlink(missing_ok=True)
    name = name or request.POST.get("name", "")[:200]
    return render(request, "ledger/import.html", _preview(plan, token=token, name=name))


def _confirm(request: HttpRequest) -> HttpResponse:
    token = request.POST.get("token", "")
    path = _stored(request, token)
    try:
        plan = _plan(request, token)
        outcome = commit_import(
            plan,
            actor=request.user,  # type: ignore[arg-type]
            file_name=request.POST.get("name", "")[:200],
            progress=_reporter(request, token, pgettext("import phase", "导入")),
        )
    except SheetError as exc:
        return _back(request, str(exc))
    except (ValidationError, PermissionError) as exc:
        flash_errors(request, exc)
        return _go(request, reverse("ledger:import"))
    finally:
        _progress_file(request, token).unlink(missing_ok=True)
    path.unlink(missing_ok=True)
    messages.success(
        request,
        _("已导入%(n)s个问题，更新%(m)s个") % {"n": len(outcome.created), "m": len(outcome.updated)}
        + ("；" + _("已记住部门别名：%(a)s") % {"a": "、".join(outcome.aliases)} if outcome.aliases else ""),
    )
    return _go(request, reverse("ledger:problem_list"))


def _back(request: HttpRequest, message: str) -> HttpResponse:
    messages.error(request, message)
    return _go(request, reverse("ledger:import"))


def _go(request: HttpRequest, url: str) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


# ---------------------------------------------------------------------------------------
# What the office chose, to and from the form


def _choices(data: QueryDict) -> Choices:
    year = data.get("year", "")
    days = data.get("immediate_days", "")
    not_started = data.get("not_started", "")
    mappings: dict[str, int] = {}
    remember: set[str] = set()
    count = data.get("map_count", "")
    for index in range(min(int(count), 500) if count.isdigit() else 0):
        key, unit = data.get(f"map-{index}-key", ""), data.get(f"map-{index}-unit", "")
        if key and unit.isdigit():
            mappings[key] = int(unit)
            if data.get(f"map-{index}-remember") == "1":
                remember.add(key)
    # Read, not judged: plan_import checks the year and the period (the command line's too).
    return Choices(
        year=int(year) if year.isdigit() and len(year) <= 4 else None,
        not_started=not_started if not_started in NotStarted.values else "",
        immediate_days=int(days) if days.isdigit() and len(days) <= 4 else None,
        create_missing=data.get("create_missing") == "1",
        mappings=mappings,
        remember=remember,
    )


def _years() -> list[int]:
    return list(choice_years(timezone.localdate()))


def _preview(plan: ImportPlan, *, token: str, name: str) -> dict[str, Any]:
    departments = list(
        Unit.objects.filter(town_id=plan.town_id, kind=UnitKind.DEPARTMENT, is_active=True)
        .order_by("path")
        .values_list("pk", "name")
    )
    shown: list[Any] = []
    hidden: dict[str, int] = {}
    listed = {"attention": 0, "other": 0}
    for row in plan.rows:
        kind = (
            "attention" if row.status in (RowStatus.ERROR, RowStatus.CONFIRM, RowStatus.UPDATE) else "other"
        )
        if listed[kind] >= PREVIEW_ROWS:
            hidden[row.label] = hidden.get(row.label, 0) + 1
            continue
        listed[kind] += 1
        shown.append(row)
    return {
        "plan": plan,
        "rows": shown,
        "hidden": "，".join(_("%(label)s%(n)s行") % {"label": label, "n": n} for label, n in hidden.items()),
        "token": token,
        "name": name,
        "departments": departments,
        "years": _years(),
        "not_started_choices": NotStarted.choices,
        "immediate_max": IMMEDIATE_MAX_DAYS,
        "new": plan.counts.get(RowStatus.OK, 0),
        "updates": plan.counts.get(RowStatus.UPDATE, 0),
    }


# ---------------------------------------------------------------------------------------
# Progress while a large sheet is checked and committed


def _town_id(request: HttpRequest) -> int:
    return town_for_new(actor=request.user)  # type: ignore[arg-type]


def _folder(request: HttpRequest) -> Path:
    """Uploads wait in their town's folder: a token works only for the town that uploaded it."""
    return Path(settings.MEDIA_ROOT) / IMPORTS_FOLDER / str(_town_id(request))


def _valid_token(token: str) -> str:
    """An upload's token as _upload makes it (32 hex digits); 404 for anything else, before
    it names a path."""
    if not token.isalnum() or len(token) != 32:
        raise Http404
    return token


def _stored(request: HttpRequest, token: str) -> Path:
    _valid_token(token)
    for kind in ("xlsx", "xls"):
        path = _folder(request) / f"{token}.{kind}"
        if path.exists():
            return path
    raise Http404(_("上传的文件已过期，请重新上传"))


def _progress_file(request: HttpRequest, token: str) -> Path:
    return _folder(request) / f"{token}.progress"


def _reporter(request: HttpRequest, token: str, phase: str) -> Callable[[int, int], None]:
    """Writes how far the work is, at most a few times a second (the page polls it)."""
    last = [0.0]

    def report(done: int, total: int) -> None:
        now = monotonic()
        if now - last[0] < 0.3 and done < total:
            return
        last[0] = now
        _progress_file(request, token).write_text(json.dumps({"phase": phase, "done": done, "total": total}))

    return report


@roles_required(*OFFICE_ROLES)
@require_GET
def import_progress_view(request: HttpRequest, token: str) -> HttpResponse:
    _valid_token(token)
    try:
        state = json.loads(_progress_file(request, token).read_text())
    except (OSError, ValueError):
        state = {"phase": pgettext("import phase", "检查"), "done": 0, "total": 0}
    total = max(int(state.get("total", 0)), 0)
    done = min(max(int(state.get("done", 0)), 0), total) if total else 0
    percent = round(100 * done / total) if total else 0
    context = {"phase": state.get("phase", ""), "done": done, "total": total, "percent": percent}
    return render(request, "ledger/import_progress.html", context)


# ---------------------------------------------------------------------------------------
# The template, and the town's department aliases


@roles_required(*OFFICE_ROLES)
@require_GET
def import_template_view(request: HttpRequest) -> HttpResponse:
    try:
        town_id = _town_id(request)
    except ValidationError as exc:
        return _back(request, exc.messages[0])
    response = HttpResponse(import_template_workbook(town_id), content_type=_XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote('整改台账导入模板.xlsx')}"
    return response


@roles_required(*OFFICE_ROLES)
@require_http_methods(["GET", "POST"])
def alias_list_view(request: HttpRequest) -> HttpResponse:
    form = DepartmentAliasForm(request.POST or None, user=request.user)
    if request.method == "POST" and "delete" in request.POST:
        alias = get_alias_for_user(request.user, parse_id(request.POST.get("delete")))  # type: ignore[arg-type]
        department_alias_delete(actor=request.user, alias=alias)  # type: ignore[arg-type]
        messages.success(request, _("已删除别名“%(a)s”") % {"a": alias.alias})
        return redirect("ledger:aliases")
    if request.method == "POST" and form.is_valid():
        try:
            saved = department_alias_save(
                actor=request.user,  # type: ignore[arg-type]
                alias=form.cleaned_data["alias"],
                unit=form.cleaned_data["unit"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("已保存：“%(a)s”即“%(u)s”") % {"a": saved.alias, "u": saved.unit.name}
            )
            return redirect("ledger:aliases")
    return render(request, "ledger/aliases.html", {"form": form, "aliases": department_aliases(request.user)})
