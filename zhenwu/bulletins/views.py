"""Pages of 通报 and the 领导驾驶舱."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST

from zhenwu.bulletins import services
from zhenwu.bulletins.dashboard import cached_dashboard
from zhenwu.bulletins.figures import Figures
from zhenwu.bulletins.forms import BulletinTextForm, MonthForm
from zhenwu.bulletins.models import Bulletin, BulletinStatus
from zhenwu.bulletins.selectors import bulletins
from zhenwu.core.access import roles_required
from zhenwu.core.calendar import work_calendar
from zhenwu.core.downloads import attachment, file_name
from zhenwu.core.forms import apply_errors, step_then_back
from zhenwu.ledger.rules import Today
from zhenwu.lib.stats import percent
from zhenwu.org.constants import OFFICE_ROLES
from zhenwu.org.models import User
from zhenwu.org.roles import TOWN_READERS, is_office


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _get(pk: int) -> Bulletin:
    found = Bulletin.objects.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@roles_required(*TOWN_READERS)
@require_http_methods(["GET", "POST"])
def bulletin_list(request: HttpRequest) -> HttpResponse:
    office = is_office(_user(request))
    form = MonthForm(request.POST or None)
    if request.method == "POST":
        if not office:
            raise Http404
        if form.is_valid():
            try:
                bulletin = services.bulletin_generate(actor=_user(request), month=form.cleaned_data["month"])
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已生成草稿，请补充开头段落和下步工作要求后印发"))
                return redirect("bulletins:detail", pk=bulletin.pk)
    status = request.GET.get("status", "")
    context = {
        "bulletins": list(bulletins(status)),
        "status": status if status in BulletinStatus.values else "",
        "statuses": BulletinStatus.choices,
        "form": form if office else None,
        "nav_active": "bulletins",
    }
    return render(request, "bulletins/list.html", context, status=400 if form.errors else 200)


@roles_required(*TOWN_READERS)
@require_http_methods(["GET", "POST"])
def bulletin_page(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _get(pk)
    office = is_office(_user(request))
    form = BulletinTextForm(request.POST or None, initial={
        "title": bulletin.title, "opening": bulletin.opening, "requirements": bulletin.requirements,
    })  # fmt: skip
    if request.method == "POST":
        if not office:
            raise Http404
        if form.is_valid():
            try:
                services.bulletin_edit(actor=_user(request), bulletin=bulletin, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已保存"))
                return redirect("bulletins:detail", pk=bulletin.pk)
    figures = Figures.from_json(bulletin.figures)
    context = {
        "b": bulletin, "f": figures, "rate": percent(figures.rate), "office": office, "nav_active": "bulletins",
        "issuer": settings.ZHENWU_BULLETIN_ISSUER,
        "form": form if office and bulletin.status == BulletinStatus.DRAFT else None,
        "published": bulletin.status == BulletinStatus.PUBLISHED,
        "may_edit": office and bulletin.status == BulletinStatus.DRAFT,
        "opening_lines": [x for x in bulletin.opening.splitlines() if x.strip()],
        "requirement_lines": [x for x in bulletin.requirements.splitlines() if x.strip()],
        "audit_head": services.audit_head_of(bulletin),
    }  # fmt: skip
    return render(request, "bulletins/detail.html", context)


@roles_required(*OFFICE_ROLES)
@require_POST
def bulletin_regenerate(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _get(pk)
    return step_then_back(
        request,
        lambda: services.bulletin_generate(actor=_user(request), month=bulletin.month),
        _("已按月末台账重新生成"),
        reverse("bulletins:detail", args=[bulletin.pk]),
    )


@roles_required(*OFFICE_ROLES)
@require_POST
def bulletin_publish(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _get(pk)
    return step_then_back(
        request,
        lambda: services.bulletin_publish(actor=_user(request), bulletin=bulletin),
        lambda published: _("已印发：%(n)s") % {"n": published.doc_number},
        reverse("bulletins:detail", args=[bulletin.pk]),
    )


@roles_required(*TOWN_READERS)
def bulletin_docx(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _get(pk)
    if bulletin.status == BulletinStatus.PUBLISHED and bulletin.document:
        body = bulletin.document.read()
    else:
        body = services.render(bulletin)
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    number = bulletin.doc_number if bulletin.status == BulletinStatus.PUBLISHED else _("（草稿）")
    return attachment(response, file_name(number, bulletin.title, ext="docx"))


@roles_required(*TOWN_READERS)
def dashboard_page(request: HttpRequest) -> HttpResponse:
    today = Today.build(timezone.localdate(), work_calendar())
    data = cached_dashboard(today)
    chart = {
        "trend": data["trend"],
        "departments": [
            {
                "id": d["department_id"],
                "name": d["department__name"],
                "closed": d["closed"],
                "open": d["total"] - d["closed"] - d["overdue"],
                "overdue": d["overdue"],
            }  # fmt: skip
            for d in data["departments"]
        ],
        "colours": {k: data["totals"][k] for k in ("red", "yellow", "blue")},
        # The legends are words of the page, so they come translated with it rather than from the script.
        "names": {
            "opened": pgettext("图例", "新增"),
            "closed_in_month": pgettext("图例", "销号"),
            "missed": pgettext("图例", "逾期"),
            "closed": pgettext("图例", "已销号"),
            "open": pgettext("图例", "未销号"),
            "overdue": pgettext("图例", "逾期"),
        },
    }
    context = {"d": data, "chart": chart, "rate": percent(data["rate"]), "nav_active": "dashboard"}
    return render(request, "bulletins/dashboard.html", context)
