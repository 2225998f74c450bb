"""The office's pages for its 派单目录: read it, edit a matter's words, fix an unmatched office."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from zhenwu.core.access import roles_required
from zhenwu.core.forms import apply_errors
from zhenwu.org.constants import OFFICE_ROLES
from zhenwu.org.models import User
from zhenwu.org.roles import TOWN_READERS
from zhenwu.suggestions.catalogue import (
    catalogue_seed,
    catalogue_topics,
    routing_topic_delete,
    routing_topic_save,
    town_catalogue,
)
from zhenwu.suggestions.forms import TopicForm
from zhenwu.suggestions.models import RoutingTopic


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@roles_required(*TOWN_READERS)
def catalogue_view(request: HttpRequest) -> HttpResponse:
    town_catalogue()  # seeds the catalogue the first time anyone looks
    topics = catalogue_topics()
    groups: dict[str, list[RoutingTopic]] = {}
    for topic in topics:
        if topic.department is not None:
            groups.setdefault(topic.department.name, []).append(topic)
    context = {
        "groups": list(groups.items()),
        "unmatched": [t for t in topics if t.department is None],
        "nav_active": "suggestions",
    }
    return render(request, "suggestions/catalogue.html", context)


@roles_required(*OFFICE_ROLES)
@require_http_methods(["GET", "POST"])
def topic_edit_view(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    topic = None
    if pk is not None:
        topic = RoutingTopic.objects.select_related("department").filter(pk=pk).first()
        if topic is None:
            raise Http404
    others = RoutingTopic.objects.filter(department__isnull=False, names_office=False)
    if topic is not None:
        others = others.exclude(pk=topic.pk)
    initial = {}
    if topic is not None:
        initial = {
            "name": topic.name, "department": topic.department_id, "category": topic.category,
            "words": topic.words, "weak_words": topic.weak_words, "outranks": list(topic.outranks.all()),
        }  # fmt: skip
    form = TopicForm(
        request.POST or None, initial=initial, topics=others.order_by("office_name", "sort_order"),
        names_office=topic is not None and topic.names_office,
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = routing_topic_save(
                actor=_user(request), topic=topic, name=data["name"], department=data["department"],
                office_name=topic.office_name if topic is not None and data["department"] is None else "",
                category=data.get("category", ""), words=data["words"], weak_words=data.get("weak_words", ""),
                outranks=list(data.get("outranks", ())),
            )  # fmt: skip
        except (ValidationError, PermissionError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存派单事项“%(name)s”") % {"name": saved.name})
            return redirect("suggestions:catalogue")
    context = {"form": form, "topic": topic, "nav_active": "suggestions"}
    return render(request, "suggestions/catalogue_topic.html", context)


@roles_required(*OFFICE_ROLES)
@require_POST
def topic_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    topic = RoutingTopic.objects.filter(pk=pk).first()
    if topic is None:
        raise Http404
    routing_topic_delete(actor=_user(request), topic=topic)
    messages.success(request, _("已删除派单事项“%(name)s”") % {"name": topic.name})
    return redirect("suggestions:catalogue")


@roles_required(*OFFICE_ROLES)
@require_POST
def catalogue_seed_view(request: HttpRequest) -> HttpResponse:
    """Match again the topics still without a department (a department created since)."""
    report = catalogue_seed(actor=_user(request))
    if report.unmatched:
        messages.warning(
            request,
            _("仍有%(n)s个部门在本镇找不到：%(names)s")
            % {"n": len(report.unmatched), "names": "、".join(report.unmatched)},
        )
    else:
        messages.success(request, _("派单目录的事项都已对应到本镇部门"))
    return redirect("suggestions:catalogue")
