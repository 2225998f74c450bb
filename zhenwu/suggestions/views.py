"""Pages of 献言献策: the residents' phone pages (no account) and the office's triage desk."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from zhenwu.core.access import roles_required
from zhenwu.core.downloads import attachment, file_name
from zhenwu.core.forms import apply_errors, flash_errors, parse_id, step_then_back
from zhenwu.core.middleware import client_ip
from zhenwu.core.public_url import loopback_confirmation, public_base_url
from zhenwu.core.throttle import Throttled
from zhenwu.ledger.constants import ReopenStatus
from zhenwu.ledger.followup import reopen_request_decide, reopen_requests, satisfaction
from zhenwu.ledger.models import Problem
from zhenwu.ledger.picker import picking
from zhenwu.ledger.selectors import problem_numbered
from zhenwu.lib.codes import format_code
from zhenwu.lib.identity import mask_name, mask_phone
from zhenwu.org.constants import OFFICE_ROLES
from zhenwu.org.models import User
from zhenwu.org.roles import TOWN_READERS, is_office
from zhenwu.org.selectors import can_unmask
from zhenwu.suggestions import services
from zhenwu.suggestions.constants import SuggestionStatus, TriageAction
from zhenwu.suggestions.forms import (
    AcceptForm,
    BulkForm,
    CampaignForm,
    FeedbackForm,
    FollowForm,
    InboxFilterForm,
    MergeForm,
    PeriodForm,
    ReopenDecideForm,
    ReplyForm,
    SuggestForm,
    places,
)
from zhenwu.suggestions.models import Campaign, SuggestionPhoto
from zhenwu.suggestions.posters import posters_pdf
from zhenwu.suggestions.routing import route
from zhenwu.suggestions.selectors import follow_ups_of, get_suggestion_for_user, inbox, leader_for_department
from zhenwu.suggestions.similarity import clusters, duplicate_counts, seen_by, similar_to

PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _throttled(request: HttpRequest, exc: Throttled, template: str, context: dict[str, Any]) -> HttpResponse:
    response = render(request, template, {**context, "throttled": str(exc)}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


# ---------------------------------------------------------------------------------------
# Residents


@require_http_methods(["GET", "POST"])
def public_new(request: HttpRequest) -> HttpResponse:
    initial = {"village": request.GET.get("village") or None, "submit_key": uuid.uuid4().hex}
    form = SuggestForm(request.POST or None, initial=initial)
    campaign_id = parse_id(request.GET.get("campaign"))
    campaign = Campaign.objects.filter(pk=campaign_id).first() if campaign_id else None
    context: dict[str, Any] = {"form": form, "campaign": campaign}
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["website"]:
            form.add_error(None, _("提交未被接受，请刷新页面后重试"))
            return render(request, "suggestions/public_new.html", context, status=400)
        data = {k: v for k, v in form.cleaned_data.items() if k != "website"}
        try:
            suggestion = services.suggestion_submit(
                **data, photos=request.FILES.getlist("photos"), campaign=campaign, ip=client_ip(request)
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except Throttled as exc:
            return _throttled(request, exc, "suggestions/public_new.html", context)
        else:
            return redirect(reverse("suggestions:public_follow", args=[suggestion.receipt]) + "?new=1")
    if form.errors and request.FILES.getlist("photos"):
        # A browser cannot be given a file back: say so, rather than let the photos vanish.
        context["photos_dropped"] = len(request.FILES.getlist("photos"))
    return render(request, "suggestions/public_new.html", context, status=400 if form.errors else 200)


def _lookup(request: HttpRequest, code: str) -> Any:
    return services.receipt_lookup(code, ip=client_ip(request))


@require_http_methods(["GET", "POST"])
def public_find(request: HttpRequest) -> HttpResponse:
    # Posted, as /v/ is: a code in the query string stays in the browser's history and in
    # every proxy's log on the way.
    form = FollowForm(request.POST or None)
    if form.is_bound and form.is_valid():
        try:
            suggestion = _lookup(request, form.cleaned_data["code"])
        except Throttled as exc:
            return _throttled(request, exc, "suggestions/public_find.html", {"form": form})
        if suggestion is not None:
            return redirect("suggestions:public_follow", code=suggestion.receipt)
        form.add_error("code", _("回执码：没有找到这个回执码，请核对后重新输入"))
    return render(request, "suggestions/public_find.html", {"form": form}, status=404 if form.errors else 200)


def _follow_context(suggestion: Any) -> dict[str, Any]:
    return {
        "suggestion": suggestion,
        "declined": suggestion.status == SuggestionStatus.DECLINED,
        "code": format_code(suggestion.receipt),
        "feedback": follow_ups_of(suggestion),
        "ask": services.follow_up_question(suggestion) is not None,
        "feedback_form": FeedbackForm(),
        "photo_count": suggestion.photos.count(),
    }


@require_http_methods(["GET"])
def public_follow(request: HttpRequest, code: str) -> HttpResponse:
    try:
        suggestion = _lookup(request, code)
    except Throttled as exc:
        return _throttled(request, exc, "suggestions/public_find.html", {"form": FollowForm()})
    if suggestion is None:
        form = FollowForm(initial={"code": code})
        return render(request, "suggestions/public_find.html", {"form": form, "unknown": code}, status=404)
    return render(
        request,
        "suggestions/public_follow.html",
        {**_follow_context(suggestion), "new": "new" in request.GET},
    )


@require_POST
def public_feedback(request: HttpRequest, code: str) -> HttpResponse:
    try:
        suggestion = _lookup(request, code)
    except Throttled as exc:
        return _throttled(request, exc, "suggestions/public_find.html", {"form": FollowForm()})
    if suggestion is None:
        raise Http404
    form = FeedbackForm(request.POST)
    if form.is_valid():
        try:
            services.follow_up_submit(
                suggestion=suggestion,
                satisfaction=form.cleaned_data["verdict"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("谢谢您的评价"))
            return redirect("suggestions:public_follow", code=suggestion.receipt)
    context = {**_follow_context(suggestion), "feedback_form": form, "ask": True}
    return render(request, "suggestions/public_follow.html", context, status=400)


# ---------------------------------------------------------------------------------------
# The office's desk


def _masked(suggestion: Any) -> dict[str, str]:
    return {
        "name": mask_name(suggestion.name) if suggestion.name else _("匿名"),
        "phone": mask_phone(suggestion.phone) if suggestion.phone else "",
    }


@roles_required(*TOWN_READERS)
def inbox_view(request: HttpRequest) -> HttpResponse:
    form = InboxFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    if not request.GET:
        filters = {"status": SuggestionStatus.RECEIVED}
        form = InboxFilterForm(initial=filters)
    page = Paginator(inbox(_user(request), filters), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    dupes = duplicate_counts(rows) if filters.get("status") == SuggestionStatus.RECEIVED else {}
    context = {
        "form": form,
        "page": page,
        "rows": [(s, _masked(s), dupes.get(s.pk, 0)) for s in rows],
        "bulk_form": BulkForm(),
        "is_office": is_office(_user(request)),
        "query": _without_page(request),
        "nav_active": "suggestions",
    }
    return render(request, "suggestions/inbox.html", context)


def _without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@roles_required(*TOWN_READERS)
def suggestion_page(request: HttpRequest, pk: int) -> HttpResponse:
    suggestion = get_suggestion_for_user(_user(request), pk)
    decided = suggestion.status != SuggestionStatus.RECEIVED
    routing = None if decided else route(suggestion.text)
    context = {
        "s": suggestion,
        "contact": _masked(suggestion),
        "can_reveal": can_unmask(_user(request)),
        "photos": list(suggestion.photos.all()),
        "routing": routing,
        "similar": [] if decided else seen_by(_user(request), similar_to(suggestion)),
        "is_office": is_office(_user(request)) and not decided,
        "merge_form": MergeForm(),
        "reply_form": ReplyForm(),
        "nav_active": "suggestions",
    }
    return render(request, "suggestions/detail.html", context)


@roles_required(*OFFICE_ROLES)
@require_POST
def contact_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The full name and phone in place of the masked ones (htmx); audited by the service."""
    contact = services.contact_reveal(
        actor=_user(request), suggestion=get_suggestion_for_user(_user(request), pk)
    )
    value = " ".join(v for v in (contact["name"], contact["phone"]) if v) or _("（未留联系方式）")
    return render(request, "org/_revealed.html", {"value": value, "field": "contact"})


@roles_required(*OFFICE_ROLES)
@require_http_methods(["GET", "POST"])
def accept_view(request: HttpRequest, pk: int) -> HttpResponse:
    suggestion = get_suggestion_for_user(_user(request), pk)
    routing = route(suggestion.text)
    department = int(routing.departments[0].value) if routing.departments else None
    initial = {
        "description": suggestion.text,
        "village": suggestion.village_id,
        "category": suggestion.category or (routing.categories[0].value if routing.categories else ""),
        "department": department,
        "leader": leader_for_department(department) if department else None,
    }
    form = AcceptForm(request.POST or None, initial=initial, user=_user(request))
    # A no-JS people-picker search posts the form back to list its matches: not a submit.
    if request.method == "POST" and not picking(request.POST) and form.is_valid():
        data = form.cleaned_data
        try:
            problem = services.suggestion_accept(
                actor=_user(request), suggestion=suggestion, description=data["description"],
                category=data["category"], village=data["village"],
            )  # fmt: skip
        except (ValidationError, PermissionError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已受理为问题%(number)s，请分派责任人") % {"number": problem.number})
            owners = {k: data[k].pk for k in ("department", "leader") if data.get(k)}
            query = "&".join(f"{k}={v}" for k, v in owners.items())
            return redirect(
                reverse("ledger:problem_assign", args=[problem.pk]) + (f"?{query}" if query else "")
            )
    context = {"form": form, "s": suggestion, "routing": routing, "nav_active": "suggestions"}
    return render(request, "suggestions/accept.html", context)


def _problem_by_number(user: User, number: str) -> Problem:
    found = problem_numbered(user, number)
    if found is None:
        raise ValidationError({"problem": _("对应问题：找不到编号为“%(n)s”的问题") % {"n": number}})
    return found


@roles_required(*OFFICE_ROLES)
@require_POST
def merge_view(request: HttpRequest, pk: int) -> HttpResponse:
    suggestion = get_suggestion_for_user(_user(request), pk)
    form = MergeForm(request.POST)

    def merge() -> Problem:
        if not form.is_valid():
            raise ValidationError({"problem": _("对应问题：请填写问题编号")})
        problem = _problem_by_number(_user(request), form.cleaned_data["problem"])
        services.suggestion_merge(actor=_user(request), suggestion=suggestion, problem=problem)
        return problem

    return step_then_back(
        request,
        merge,
        lambda problem: _("已合并到问题%(number)s") % {"number": problem.number},
        reverse("suggestions:detail", args=[suggestion.pk]),
    )


@roles_required(*OFFICE_ROLES)
@require_POST
def reply_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in (TriageAction.ANSWER, TriageAction.DECLINE):
        raise Http404
    suggestion = get_suggestion_for_user(_user(request), pk)
    form = ReplyForm(request.POST)
    form.is_valid()
    reply = form.cleaned_data.get("reply", "")
    return step_then_back(
        request,
        lambda: services.suggestion_reply(
            actor=_user(request), suggestion=suggestion, action=action, reply=reply
        ),
        _("已处理"),
        reverse("suggestions:detail", args=[suggestion.pk]),
    )


@roles_required(*OFFICE_ROLES)
@require_POST
def bulk_view(request: HttpRequest) -> HttpResponse:
    form = BulkForm(request.POST)
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    chosen = list(inbox(_user(request), {}).filter(pk__in=ids))
    try:
        if not form.is_valid():
            raise ValidationError({"action": _("操作：请选择批量操作")})
        data = form.cleaned_data
        action = data["action"]
        problem = (
            _problem_by_number(_user(request), data["problem"]) if action == TriageAction.MERGE else None
        )
        made = services.suggestions_bulk(
            actor=_user(request), suggestions=chosen, action=action, problem=problem, reply=data["reply"],
            description=data["description"], category=data["category"],
        )  # fmt: skip
    except (ValidationError, PermissionError) as exc:
        flash_errors(request, exc)
        return redirect(request.POST.get("next") or reverse("suggestions:inbox"))
    messages.success(request, _("已处理%(n)s条意见建议") % {"n": len(chosen)})
    if action == TriageAction.ACCEPT and made is not None:
        return redirect("ledger:problem_assign", pk=made.pk)
    return redirect(request.POST.get("next") or reverse("suggestions:inbox"))


@roles_required(*TOWN_READERS)
def clusters_view(request: HttpRequest) -> HttpResponse:
    found = clusters()
    context = {"clusters": found, "bulk_form": BulkForm(), "nav_active": "suggestions"}
    context["is_office"] = is_office(_user(request))
    return render(request, "suggestions/clusters.html", context)


@roles_required(*TOWN_READERS)
def photo_view(request: HttpRequest, pk: int, size: str) -> HttpResponseBase:
    photo = SuggestionPhoto.objects.filter(pk=pk).first()
    if photo is None or size not in ("full", "thumb"):
        raise Http404
    field = photo.image if size == "full" else photo.thumbnail
    response = FileResponse(field.open("rb"), content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@roles_required(*TOWN_READERS)
def reopen_list(request: HttpRequest) -> HttpResponse:
    context = {
        "pending": list(reopen_requests(request.user)),
        "decided": list(reopen_requests(request.user, None).exclude(status=ReopenStatus.PENDING)[:50]),
        "nav_active": "suggestions",
    }
    return render(request, "suggestions/reopen_list.html", context)


@roles_required(*OFFICE_ROLES)
@require_http_methods(["GET", "POST"])
def reopen_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    found = reopen_requests(request.user, None).filter(pk=pk).first()
    if found is None:
        raise Http404
    form = ReopenDecideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reopen_request_decide(
                actor=_user(request), request=found, reopen=form.cleaned_data["decision"] == "reopen",
                note=form.cleaned_data["note"],
            )  # fmt: skip
        except (ValidationError, PermissionError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已处理"))
            return redirect("suggestions:reopen_list")
    return render(
        request,
        "suggestions/reopen_decide.html",
        {
            "form": form,
            "r": found,
            "decided": found.status != ReopenStatus.PENDING,
            "nav_active": "suggestions",
        },
    )


@roles_required(*TOWN_READERS)
def satisfaction_view(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.GET or None)
    today = timezone.localdate()
    data = form.cleaned_data if form.is_valid() else {}
    campaign = Campaign.objects.first()
    start = data.get("start") or (campaign.starts_on if campaign else date(today.year, 1, 1))
    end = data.get("end") or today
    if start > end:
        form.add_error("end", _("至：不能早于开始日期"))
    result = satisfaction(start, end)
    return render(
        request, "suggestions/satisfaction.html", {"form": form, "r": result, "nav_active": "suggestions"}
    )


@roles_required(*OFFICE_ROLES)
@require_http_methods(["GET", "POST"])
def campaigns_view(request: HttpRequest) -> HttpResponse:
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_create(actor=_user(request), **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已设立征集活动"))
            return redirect("suggestions:campaigns")
    context = {"form": form, "campaigns": list(Campaign.objects.all()), "nav_active": "suggestions"}
    return render(request, "suggestions/campaigns.html", context)


@roles_required(*OFFICE_ROLES)
def posters_view(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = Campaign.objects.filter(pk=pk).first()
    if campaign is None:
        raise Http404
    base = public_base_url(request)
    if (confirmation := loopback_confirmation(request, base=base, what=_("征集海报"))) is not None:
        return confirmation
    pdf = posters_pdf(
        campaign=campaign, villages=list(places()), base_url=base, town=settings.ZHENWU_TOWN_NAME
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    return attachment(response, file_name(_("征集海报"), campaign.title, ext="pdf"))
