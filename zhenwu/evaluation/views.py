"""Pages of 测评: the voter's phone page (no account), the office's survey desk, paper entry,
and results with their charts, Excel and PDF."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhenwu.core.access import roles_required
from zhenwu.core.downloads import attachment, file_name
from zhenwu.core.forms import apply_errors, parse_id, step_then_back
from zhenwu.core.middleware import client_ip
from zhenwu.core.public_url import loopback_confirmation, public_base_url
from zhenwu.core.throttle import Throttled
from zhenwu.evaluation import services
from zhenwu.evaluation.constants import CODES_CLOSED, RESULTS_FROZEN, STEP_LABELS, VOTING, SurveyStatus
from zhenwu.evaluation.exports import slips_pdf, tally_workbook
from zhenwu.evaluation.forms import (
    CategoryForm,
    CodeForm,
    CodesForm,
    QuestionForm,
    ScaleForm,
    SurveyForm,
)
from zhenwu.evaluation.models import PaperSheet, Question, RespondentCategory, Scale
from zhenwu.evaluation.selectors import (
    ResultsShown,
    ballots_behind,
    get_survey_for_user,
    results_shown_to,
    sheets_to_check,
    surveys_visible_to,
)
from zhenwu.lib.codes import format_code
from zhenwu.org.constants import OFFICE_ROLES
from zhenwu.org.models import User
from zhenwu.org.roles import TOWN_READERS, is_office


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def layout(rows: list[services.Row]) -> list[dict[str, Any]]:
    """The ballot's rows grouped by question, for the phone page and the paper entry form."""
    grouped: OrderedDict[int, dict[str, Any]] = OrderedDict()
    for row in rows:
        q = row.question
        entry = grouped.setdefault(
            q.pk,
            {
                "question": q, "number": row.number, "rows": [], "labels": q.scale.labels,
                "points": list(zip(q.scale.labels, q.scores or [], strict=False)),
            },
        )  # fmt: skip
        entry["rows"].append(row)
    return list(grouped.values())


# ---------------------------------------------------------------------------------------
# The voter


def _vote_error(request: HttpRequest, code: str, exc: Exception, status: int) -> HttpResponse:
    """Back to the code page with the refusal on the code field."""
    form = CodeForm({"code": code})
    if form.is_valid():  # an empty code already carries its own message
        form.add_error("code", str(exc) if isinstance(exc, Throttled) else exc.messages[0])  # type: ignore[attr-defined]
    return render(request, "evaluation/vote_code.html", {"form": form}, status=status)


def _ballot_context(
    code: Any, errors: dict[str, Any] | None = None, marks: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "survey": code.survey, "category": code.category, "code": code.code, "shown": format_code(code.code),
        "groups": layout(services.ballot_rows(code.survey)), "errors": errors or {}, "marks": marks or {},
    }  # fmt: skip


@require_http_methods(["GET", "POST"])
def vote(request: HttpRequest) -> HttpResponse:
    """Enter a code (the QR slip puts it after # so it never reaches a server log), see the ballot."""
    form = CodeForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return render(
            request, "evaluation/vote_code.html", {"form": form}, status=400 if form.errors else 200
        )
    try:
        code = services.code_lookup(form.cleaned_data["code"], ip=client_ip(request))
    except Throttled as exc:
        return _vote_error(request, form.cleaned_data["code"], exc, 429)
    except ValidationError as exc:
        return _vote_error(request, form.cleaned_data["code"], exc, 400)
    return render(request, "evaluation/vote_ballot.html", _ballot_context(code))


@require_POST
def vote_cast(request: HttpRequest) -> HttpResponse:
    code = request.POST.get("code", "")
    marks = {k: v for k, v in request.POST.items() if k.startswith("q")}
    comments = {k: str(v) for k, v in request.POST.items() if k.startswith("c") and k[1:].isdigit()}
    try:
        found = services.code_lookup(code, ip=client_ip(request))
        services.ballot_cast_for(found, marks=marks, comments=comments)
    except Throttled as exc:
        return _vote_error(request, code, exc, 429)
    except ValidationError as exc:
        if "code" in exc.message_dict:
            return _vote_error(request, code, exc, 400)
        context = _ballot_context(found, errors=exc.message_dict, marks=marks)
        return render(request, "evaluation/vote_ballot.html", context, status=400)
    # Post/redirect/get: a refresh of the thank-you page must not post the ballot again.
    return redirect("evaluation:vote_done")


@require_GET
def vote_done(request: HttpRequest) -> HttpResponse:
    return render(request, "evaluation/vote_done.html")


# ---------------------------------------------------------------------------------------
# The office's desk


@roles_required(*TOWN_READERS)
def survey_list(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {
        "surveys": list(surveys_visible_to(_user(request))),
        "nav_active": "evaluation",
    }
    context["form"] = SurveyForm() if is_office(_user(request)) else None
    return render(request, "evaluation/survey_list.html", context)


@roles_required(*OFFICE_ROLES)
@require_http_methods(["GET", "POST"])
def scales(request: HttpRequest) -> HttpResponse:
    """The scale library: the built-in ones, and the office's own."""
    form = ScaleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.scale_create(actor=_user(request), **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已添加量表"))
            return redirect("evaluation:scales")
    context = {"form": form, "scales": list(Scale.objects.all()), "nav_active": "evaluation"}
    return render(request, "evaluation/scales.html", context, status=400 if form.errors else 200)


@roles_required(*OFFICE_ROLES)
@require_http_methods(["GET", "POST"])
def survey_create(request: HttpRequest) -> HttpResponse:
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_create(actor=_user(request), **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("测评已建立，请检查题目、类别和应到人数"))
            return redirect("evaluation:detail", pk=survey.pk)
    return render(request, "evaluation/survey_form.html", {"form": form, "nav_active": "evaluation"})


@roles_required(*TOWN_READERS)
def survey_page(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_survey_for_user(_user(request), pk)
    office = is_office(_user(request))
    context = {
        "survey": survey,
        "categories": list(survey.categories.all()),
        "groups": layout(services.ballot_rows(survey)),
        "office": office,
        "steps": [(a, STEP_LABELS[a]) for (s, a) in services.SURVEY_STEPS if s == survey.status]
        if office
        else [],
        "question_form": QuestionForm() if office and survey.status == SurveyStatus.DRAFT else None,
        "questions_locked": survey.status != SurveyStatus.DRAFT,
        "may_enter_paper": office and survey.status in VOTING,
        "category_form": CategoryForm() if office and survey.status not in RESULTS_FROZEN else None,
        "codes_form": CodesForm(survey=survey) if office and survey.status not in CODES_CLOSED else None,
        "batches": list(survey.codes.values_list("batch", "category__name").distinct().order_by("batch")),
        "to_check": list(sheets_to_check(survey)) if office else [],
        "nav_active": "evaluation",
    }
    return render(request, "evaluation/survey_detail.html", context)


def _act(request: HttpRequest, pk: int, act: Any, done: str, form: Any = None) -> HttpResponse:
    """One POST step from the survey page: check the form if there is one, call the service
    with its data, report, go back."""
    survey = get_survey_for_user(_user(request), pk)
    if form is not None and not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, str(errors[0]))
        return redirect("evaluation:detail", pk=survey.pk)
    return step_then_back(request, lambda: act(survey), done, reverse("evaluation:detail", args=[survey.pk]))


@roles_required(*OFFICE_ROLES)
@require_POST
def survey_step(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in STEP_LABELS:
        raise Http404
    return _act(
        request,
        pk,
        lambda s: services.survey_step(actor=_user(request), survey=s, action=action),
        _("已完成"),
    )


@roles_required(*OFFICE_ROLES)
@require_POST
def question_add(request: HttpRequest, pk: int) -> HttpResponse:
    form = QuestionForm(request.POST)
    return _act(
        request,
        pk,
        lambda s: services.question_add(actor=_user(request), survey=s, **form.cleaned_data),
        _("已添加题目"),
        form=form,
    )


# What each step on a question says when done.
QUESTION_ACTIONS = {
    "delete": gettext_lazy("已删除题目"),
    "up": gettext_lazy("已调整顺序"),
    "down": gettext_lazy("已调整顺序"),
    "scores": gettext_lazy("已保存分值"),
}


@roles_required(*OFFICE_ROLES)
@require_POST
def question_change(request: HttpRequest, pk: int, question_pk: int, action: str) -> HttpResponse:
    """Before the survey opens: delete a question, move it up or down, or set its points."""
    survey = get_survey_for_user(_user(request), pk)  # another town's: 404, as its questions
    question = Question.objects.filter(pk=question_pk, survey=survey).first()
    if question is None or action not in QUESTION_ACTIONS:
        raise Http404
    actor, scores = _user(request), request.POST.get("scores", "")  # checked by the service
    acts = {
        "delete": lambda s: services.question_delete(actor=actor, question=question),
        "up": lambda s: services.question_move(actor=actor, question=question, up=True),
        "down": lambda s: services.question_move(actor=actor, question=question, up=False),
        "scores": lambda s: services.question_scores(actor=actor, question=question, scores=scores),
    }
    return _act(request, pk, acts[action], str(QUESTION_ACTIONS[action]))


@roles_required(*OFFICE_ROLES)
@require_POST
def category_save(request: HttpRequest, pk: int) -> HttpResponse:
    form = CategoryForm(request.POST)

    def act(survey: Any) -> Any:
        data = {**form.cleaned_data, "paper_issued": form.cleaned_data["paper_issued"] or 0}
        return services.category_save(actor=_user(request), survey=survey, **data)

    return _act(request, pk, act, _("已保存类别"), form=form)


@roles_required(*OFFICE_ROLES)
@require_POST
def codes_generate(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_survey_for_user(_user(request), pk)
    form = CodesForm(request.POST, survey=survey)
    return _act(
        request,
        pk,
        lambda s: services.codes_generate(actor=_user(request), survey=s, **form.cleaned_data),
        _("已生成测评码"),
        form=form,
    )


@roles_required(*OFFICE_ROLES)
def codes_slips(request: HttpRequest, pk: int, batch: int) -> HttpResponse:
    survey = get_survey_for_user(_user(request), pk)
    codes = list(survey.codes.filter(batch=batch).select_related("category").order_by("id"))
    if not codes:
        raise Http404
    base = public_base_url(request)
    if (confirmation := loopback_confirmation(request, base=base, what=_("测评票"))) is not None:
        return confirmation
    response = HttpResponse(slips_pdf(survey, codes, base), content_type="application/pdf")
    return attachment(
        response, file_name(_("测评码"), survey.title, _("第%(n)s批") % {"n": batch}, ext="pdf")
    )


def _paper_marks(request: HttpRequest) -> dict[str, Any]:
    return {
        "marks": {k: v for k, v in request.POST.items() if k.startswith("q")},
        "void": request.POST.get("void") == "on",
        "void_reason": request.POST.get("void_reason", ""),
    }


@roles_required(*OFFICE_ROLES)
@require_http_methods(["GET", "POST"])
def paper_entry(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_survey_for_user(_user(request), pk)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        category = _category(request, survey)
        try:
            sheet = services.paper_enter(
                actor=_user(request), survey=survey, category=category, sheet_no=parse_id(request.POST.get("sheet_no")),
                **_paper_marks(request),
            )  # fmt: skip
        except (ValidationError, PermissionError) as exc:
            errors = exc.message_dict if isinstance(exc, ValidationError) else {"general": [str(exc)]}
        else:
            messages.success(
                request, _("票号%(n)s：%(s)s") % {"n": sheet.sheet_no, "s": sheet.get_status_display()}
            )
            return redirect("evaluation:paper", pk=survey.pk)
    context = {
        "survey": survey, "groups": layout(services.ballot_rows(survey)), "categories": list(survey.categories.all()),
        "errors": errors, "post": request.POST, "to_check": list(sheets_to_check(survey)), "nav_active": "evaluation",
        "marks": {k: v for k, v in request.POST.items() if k.startswith("q")},
    }  # fmt: skip
    return render(request, "evaluation/paper_entry.html", context, status=400 if errors else 200)


def _category(request: HttpRequest, survey: Any) -> RespondentCategory | None:
    return RespondentCategory.objects.filter(
        survey=survey, pk=parse_id(request.POST.get("category")) or 0
    ).first()


@roles_required(*OFFICE_ROLES)
@require_http_methods(["GET", "POST"])
def paper_resolve(request: HttpRequest, pk: int, sheet_pk: int) -> HttpResponse:
    survey = get_survey_for_user(_user(request), pk)
    sheet = PaperSheet.objects.filter(pk=sheet_pk, survey=survey).select_related("category").first()
    if sheet is None:
        raise Http404
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        category = _category(request, survey)
        try:
            services.paper_resolve(
                actor=_user(request), sheet=sheet, category=category, **_paper_marks(request)
            )
        except (ValidationError, PermissionError) as exc:
            errors = exc.message_dict if isinstance(exc, ValidationError) else {"general": [str(exc)]}
        else:
            messages.success(request, _("票号%(n)s已核对并计票") % {"n": sheet.sheet_no})
            return redirect("evaluation:paper", pk=survey.pk)
    rows = services.ballot_rows(survey)
    differences = _differences(sheet, rows)
    context = {
        "survey": survey, "sheet": sheet, "groups": layout(rows), "categories": list(survey.categories.all()),
        "differences": differences, "errors": errors, "marks": {}, "nav_active": "evaluation",
    }  # fmt: skip
    return render(request, "evaluation/paper_resolve.html", context, status=400 if errors else 200)


def _differences(sheet: PaperSheet, rows: list[services.Row]) -> list[tuple[str, str, str]]:
    """Where the two keyings disagree, in words: the row, what each clerk keyed."""

    def said(entry: dict[str, Any] | None, row: services.Row) -> str:
        entry = entry or {}
        if entry.get("void"):
            return _("整张废票：%(r)s") % {"r": entry.get("void_reason", "")}
        level = entry.get("rows", {}).get(row.key)
        return _("本项无效") if level is None else row.question.scale.labels[level]

    out = []
    for row in rows:
        a, b = said(sheet.entry_a, row), said(sheet.entry_b, row)
        if a != b:
            out.append((f"{row.number}. {row.subject.label if row.subject else row.question.text}", a, b))
    if sheet.entry_b and sheet.entry_b.get("category") not in (None, sheet.category_id):
        out.append((_("类别"), sheet.category.name, _("不同")))
    return out


# ---------------------------------------------------------------------------------------
# Results


def _not_yet(request: HttpRequest, survey: Any, shown: ResultsShown) -> HttpResponse:
    """The results page without figures: the tally is hidden while the survey runs (the office
    sees turnout). Exports and the ballot list answer with it too, never with a file."""
    context = {"survey": survey, "shown": shown, "nav_active": "evaluation"}
    return render(request, "evaluation/results_hidden.html", context)


@roles_required(*TOWN_READERS)
def results(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_survey_for_user(_user(request), pk)
    shown = results_shown_to(_user(request), survey)
    result = shown.result
    if result is None:
        return _not_yet(request, survey, shown)
    chart = {"charts": tally_charts(result)}
    context = {
        "survey": survey, "r": result, "shown": shown, "chart": chart, "nav_active": "evaluation",
        "survey_closed": survey.status == SurveyStatus.CLOSED,
    }  # fmt: skip
    return render(request, "evaluation/results.html", context)


def tally_charts(result: Any) -> list[dict[str, Any]]:
    """One stacked-bar chart per scale: rows of different scales share no level names, so
    drawing them in one chart named 派出所's 不满意 with another question's 基本满意."""
    by_scale: dict[tuple[str, ...], list[Any]] = {}
    for row in result.rows:
        by_scale.setdefault(tuple(row.labels), []).append(row)
    return [
        {
            "rows": [f"{r.number}. {r.subject or r.question}"[:24] for r in rows],
            "series": [
                {"name": label, "data": [r.counts[i] for r in rows]} for i, label in enumerate(labels)
            ],
        }
        for labels, rows in by_scale.items()
    ]


@roles_required(*TOWN_READERS)
def results_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_survey_for_user(_user(request), pk)
    shown = results_shown_to(_user(request), survey)
    if shown.result is None:
        return _not_yet(request, survey, shown)
    response = HttpResponse(
        tally_workbook(survey, shown.result),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    return attachment(response, file_name(_("测评结果"), survey.title, ext="xlsx"))


@roles_required(*TOWN_READERS)
def results_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from weasyprint import HTML

    survey = get_survey_for_user(_user(request), pk)
    shown = results_shown_to(_user(request), survey)
    if shown.result is None:
        return _not_yet(request, survey, shown)
    html = render_to_string("evaluation/results_print.html", {"survey": survey, "r": shown.result})
    response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    return attachment(response, file_name(_("测评结果"), survey.title, ext="pdf"))


@roles_required(*TOWN_READERS)
def ballots(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_survey_for_user(_user(request), pk)
    shown = results_shown_to(_user(request), survey)
    if not shown.ballots:
        return _not_yet(request, survey, shown)
    filters = {k: parse_id(request.GET.get(k)) for k in ("question", "subject", "level", "category")}
    if request.GET.get("level") == "void":
        filters["level"] = None
    page = Paginator(ballots_behind(survey, filters), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"survey": survey, "page": page, "query": query.urlencode(), "nav_active": "evaluation"}
    return render(request, "evaluation/ballots.html", context)
