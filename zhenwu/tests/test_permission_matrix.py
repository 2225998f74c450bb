"""Every persona against every page and API endpoint that exists.

The table must name every URL the project routes (a test below fails when a new page
or endpoint is added without a row), so nobody can add a page and forget its rule.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from zhenwu.api import api
from zhenwu.bulletins.figures import month_figures
from zhenwu.bulletins.models import Bulletin
from zhenwu.conftest import PERSONAS, OtherTown, Town, client_for, forget_process_memos, their_problem
from zhenwu.evaluation.models import PaperSheet
from zhenwu.evaluation.services import codes_generate, survey_create
from zhenwu.ledger.models import Evidence, Extension, FollowUp, Problem, ReopenRequest
from zhenwu.ledger.services import extension_request
from zhenwu.org.services import api_token_create
from zhenwu.suggestions.models import Campaign
from zhenwu.suggestions.services import suggestion_submit
from zhenwu.suggestions.tests.images import png_upload

pytestmark = pytest.mark.django_db


def _topic() -> int:
    """A topic of the town's 派单目录 (seeded on first use); a new one after one is deleted."""
    from zhenwu.suggestions.catalogue import town_catalogue
    from zhenwu.suggestions.models import RoutingTopic

    town_catalogue()
    return RoutingTopic.objects.values_list("pk", flat=True).first() or 0


class Ctx:
    """What the URLs point at: the town, an assigned problem, a pending extension of it, and a
    resident's suggestion with a photo, a campaign and a reopen request."""

    def __init__(self, town: Town, problem: Problem, extension: Extension, pending: Problem, office) -> None:
        self.town, self.problem, self.extension, self.pending = town, problem, extension, pending
        self.party, self.branch, self.member = town.party, town.branch, town.member
        self.suggestion = suggestion_submit(
            text="村口路灯坏了很久", village=town.village, photos=[png_upload()]
        )
        self.photo = self.suggestion.photos.get()
        self.evidence = Evidence.objects.create(
            problem=problem, kind="report", file=png_upload("现场.png"), original_name="现场.png", size=100,
            content_type="image/png", uploaded_by=office,
        )  # fmt: skip
        self.campaign = Campaign.objects.create(title="献言献策", starts_on=date(2026, 1, 1))
        answered = suggestion_submit(text="另一条建议内容", village=town.village)
        answer = FollowUp.objects.create(
            problem=problem,
            closure=1,
            closed_on=date(2026, 1, 1),
            channel="suggestion",
            respondent_key=str(answered.pk),
            satisfaction="unsatisfied",
            at=timezone.now(),
        )
        self.reopen = ReopenRequest.objects.create(follow_up=answer, problem=problem)
        self.survey = survey_create(
            actor=office, title="满意度测评", purpose="satisfaction",
            period_start=date(2026, 11, 1), period_end=date(2026, 11, 30),
        )  # fmt: skip
        self.question = self.survey.questions.get()
        self.batch = codes_generate(
            actor=office, survey=self.survey, category=self.survey.categories.first(), count=2
        )
        self.bulletin = Bulletin.objects.create(
            month=date(2026, 10, 1), title="关于2026年10月问题整改情况的通报", figures=month_figures(date(2026, 10, 1)).as_json(),
            generated_at=timezone.now(),
        )  # fmt: skip
        self.sheet = PaperSheet.objects.create(
            survey=self.survey, category=self.survey.categories.first(), sheet_no=1, entry_a={"rows": {}},
            entry_a_by=office, status="mismatch",
        )  # fmt: skip


ALL = set(PERSONAS)
OFFICE = {"office", "admin_user"}
TOWN_WIDE = {"office", "leader", "admin_user", "inspector"}
# Sees the test problem: the town-wide roles, and 经济发展办 (its department and 责任人).
SEES_PROBLEM = TOWN_WIDE | {"department_staff"}
# May act on it as owner: the office, the leader (责任领导) and the 责任人.
OWNERS = OFFICE | {"leader", "department_staff"}
# (method, url builder, personas answered OK, status for everyone else)
Row = tuple[str, Callable[[Ctx], str], set[str], int]

PAGES: dict[str, Row] = {
    "home": ("get", lambda t: reverse("home"), ALL, 404),
    "login": ("get", lambda t: reverse("login"), ALL, 404),
    "logout": ("get", lambda t: reverse("logout"), set(), 405),
    "password_change": ("get", lambda t: reverse("password_change"), ALL, 404),
    # Choosing the interface language: a POST that redirects back, for anyone.
    "set_language": ("post", lambda t: reverse("set_language"), ALL, 404),
    "core:audit_list": ("get", lambda t: reverse("core:audit_list"), OFFICE, 404),
    "core:inbox": ("get", lambda t: reverse("core:inbox"), ALL, 404),
    # Marking a notice read: only one's own notices change; everyone is sent on (302).
    "core:inbox_read": ("post", lambda t: reverse("core:inbox_read", args=[999]), ALL, 404),
    "core:calendar": ("get", lambda t: reverse("core:calendar"), OFFICE, 404),
    # A POST-only action: the office is redirected back to the calendar with a message.
    "core:calendar_year": ("post", lambda t: reverse("core:calendar_year", args=[2027]), OFFICE, 404),
    # 系统检查: the administrator only, not the office.
    "core:system_check": ("get", lambda t: reverse("core:system_check"), {"admin_user"}, 404),
    # A load balancer's probes: anyone, no account.
    "core:healthz": ("get", lambda t: reverse("core:healthz"), ALL, 404),
    "core:readyz": ("get", lambda t: reverse("core:readyz"), ALL, 404),
    "org:unit_tree": ("get", lambda t: reverse("org:unit_tree"), ALL, 404),
    "org:unit_detail": ("get", lambda t: reverse("org:unit_detail", args=[t.party.pk]), TOWN_WIDE, 404),
    "org:unit_edit": ("get", lambda t: reverse("org:unit_edit", args=[t.branch.pk]), OFFICE, 404),
    "org:person_list": ("get", lambda t: reverse("org:person_list"), ALL, 404),
    # The people picker's type-ahead: every account, each answered from its own scope.
    "org:people_pick": ("get", lambda t: reverse("org:people_pick") + "?q=w", ALL, 404),
    "org:person_create": ("get", lambda t: reverse("org:person_create"), OFFICE, 404),
    # 在本镇登记身份 (an ID number registered in another town): the office; an empty form is
    # sent back to the person form with its message.
    "org:person_role_here": ("post", lambda t: reverse("org:person_role_here"), OFFICE, 404),
    # The header's town switcher: no persona has a second town, and no town given is no page.
    "org:town_switch": ("post", lambda t: reverse("org:town_switch"), set(), 404),
    "org:person_detail": (
        "get",
        lambda t: reverse("org:person_detail", args=[t.member.pk]),
        TOWN_WIDE | {"branch_secretary"},
        404,
    ),
    "org:person_edit": ("get", lambda t: reverse("org:person_edit", args=[t.member.pk]), OFFICE, 404),
    "org:person_reveal": (
        "post",
        lambda t: reverse("org:person_reveal", args=[t.member.pk, "phone"]),
        OFFICE,
        404,
    ),
    # Accounts: the office and the administrator unlock and reset (the office not the admin's).
    "org:account_list": ("get", lambda c: reverse("org:account_list"), OFFICE, 404),
    "org:account_unlock": ("post", lambda c: reverse("org:account_unlock", args=[c.account.pk]), OFFICE, 404),
    "org:account_reset": ("get", lambda c: reverse("org:account_reset", args=[c.account.pk]), OFFICE, 404),
    # Opening accounts, (de)activating, role and scope (issue 14): the same two roles.
    "org:account_create": ("get", lambda c: reverse("org:account_create"), OFFICE, 404),
    "org:account_active": ("post", lambda c: reverse("org:account_active", args=[c.account.pk]), OFFICE, 404),
    "org:account_role": ("get", lambda c: reverse("org:account_role", args=[c.account.pk]), OFFICE, 404),
    # One's own API tokens: everyone has the page; a token is revoked only by its owner.
    "org:token_list": ("get", lambda c: reverse("org:token_list"), ALL, 404),
    "org:token_revoke": ("post", lambda c: reverse("org:token_revoke", args=[c.token.pk]), {"office"}, 404),
    "ledger:problem_list": ("get", lambda c: reverse("ledger:problem_list"), ALL, 404),
    "ledger:problem_create": ("get", lambda c: reverse("ledger:problem_create"), OFFICE, 404),
    "ledger:import": ("get", lambda c: reverse("ledger:import"), OFFICE, 404),
    "ledger:import_template": ("get", lambda c: reverse("ledger:import_template"), OFFICE, 404),
    "ledger:import_progress": (
        "get",
        lambda c: reverse("ledger:import_progress", args=["a" * 32]),
        OFFICE,
        404,
    ),
    "ledger:aliases": ("get", lambda c: reverse("ledger:aliases"), OFFICE, 404),
    "ledger:export": ("get", lambda c: reverse("ledger:export"), ALL, 404),
    "ledger:bulk_assign": ("get", lambda c: reverse("ledger:bulk_assign"), OFFICE, 404),
    "ledger:problem_detail": (
        "get",
        lambda c: reverse("ledger:problem_detail", args=[c.problem.pk]),
        SEES_PROBLEM,
        404,
    ),
    # A problem's files: whoever sees the problem; a 404 for anyone else, like the problem.
    "ledger:evidence_file": (
        "get",
        lambda c: reverse("ledger:evidence_file", args=[c.evidence.pk]),
        SEES_PROBLEM,
        404,
    ),
    "ledger:evidence_preview": (
        "get",
        lambda c: reverse("ledger:evidence_preview", args=[c.evidence.pk]),
        SEES_PROBLEM,
        404,
    ),
    "ledger:problem_assign": (
        "get",
        lambda c: reverse("ledger:problem_assign", args=[c.problem.pk]),
        OFFICE,
        404,
    ),
    "ledger:report": ("get", lambda c: reverse("ledger:report", args=[c.problem.pk]), OWNERS, -1),
    "ledger:apply_close": ("get", lambda c: reverse("ledger:apply_close", args=[c.problem.pk]), OWNERS, -1),
    "ledger:extension": ("get", lambda c: reverse("ledger:extension", args=[c.problem.pk]), OWNERS, -1),
    "ledger:correct": ("get", lambda c: reverse("ledger:correct", args=[c.problem.pk]), OFFICE, 404),
    "ledger:quick_step": (
        "post",
        lambda c: reverse("ledger:quick_step", args=[c.problem.pk, "accept"]),
        SEES_PROBLEM,
        404,
    ),
    "ledger:extension_decide": (
        "post",
        lambda c: reverse("ledger:extension_decide", args=[c.extension.pk]),
        OFFICE,
        404,
    ),
    # Residents' pages: no account needed, the same answer for everyone.
    "suggestions:public_new": ("get", lambda c: reverse("suggestions:public_new"), ALL, 404),
    "suggestions:public_find": ("get", lambda c: reverse("suggestions:public_find"), ALL, 404),
    "suggestions:public_follow": (
        "get",
        lambda c: reverse("suggestions:public_follow", args=[c.suggestion.receipt]),
        ALL,
        404,
    ),
    # Answering before the problem is closed is refused (400) for anyone.
    "suggestions:public_feedback": (
        "post",
        lambda c: reverse("suggestions:public_feedback", args=[c.suggestion.receipt]),
        ALL,
        404,
    ),
    "suggestions:inbox": ("get", lambda c: reverse("suggestions:inbox"), TOWN_WIDE, 404),
    "suggestions:detail": (
        "get",
        lambda c: reverse("suggestions:detail", args=[c.suggestion.pk]),
        TOWN_WIDE,
        404,
    ),
    "suggestions:photo": (
        "get",
        lambda c: reverse("suggestions:photo", args=[c.photo.pk, "thumb"]),
        TOWN_WIDE,
        404,
    ),
    "suggestions:clusters": ("get", lambda c: reverse("suggestions:clusters"), TOWN_WIDE, 404),
    "suggestions:satisfaction": ("get", lambda c: reverse("suggestions:satisfaction"), TOWN_WIDE, 404),
    "suggestions:reopen_list": ("get", lambda c: reverse("suggestions:reopen_list"), TOWN_WIDE, 404),
    "suggestions:reopen_decide": (
        "get",
        lambda c: reverse("suggestions:reopen_decide", args=[c.reopen.pk]),
        OFFICE,
        404,
    ),
    "suggestions:contact": (
        "post",
        lambda c: reverse("suggestions:contact", args=[c.suggestion.pk]),
        OFFICE,
        404,
    ),
    "suggestions:accept": (
        "get",
        lambda c: reverse("suggestions:accept", args=[c.suggestion.pk]),
        OFFICE,
        404,
    ),
    "suggestions:merge": (
        "post",
        lambda c: reverse("suggestions:merge", args=[c.suggestion.pk]),
        OFFICE,
        404,
    ),
    "suggestions:reply": (
        "post",
        lambda c: reverse("suggestions:reply", args=[c.suggestion.pk, "decline"]),
        OFFICE,
        404,
    ),
    "suggestions:bulk": ("post", lambda c: reverse("suggestions:bulk"), OFFICE, 404),
    "suggestions:campaigns": ("get", lambda c: reverse("suggestions:campaigns"), OFFICE, 404),
    "suggestions:posters": (
        "get",
        lambda c: reverse("suggestions:posters", args=[c.campaign.pk]),
        OFFICE,
        404,
    ),
    # 派单目录: town-wide roles read it; the office edits it.
    "suggestions:catalogue": ("get", lambda c: reverse("suggestions:catalogue"), TOWN_WIDE, 404),
    "suggestions:catalogue_seed": ("post", lambda c: reverse("suggestions:catalogue_seed"), OFFICE, 404),
    "suggestions:topic_new": ("get", lambda c: reverse("suggestions:topic_new"), OFFICE, 404),
    "suggestions:topic_edit": (
        "get",
        lambda c: reverse("suggestions:topic_edit", args=[_topic()]),
        OFFICE,
        404,
    ),
    "suggestions:topic_delete": (
        "post",
        lambda c: reverse("suggestions:topic_delete", args=[_topic()]),
        OFFICE,
        404,
    ),
    # 测评: voters need no account; the office runs surveys; town-wide roles read results.
    "evaluation:vote": ("get", lambda c: reverse("evaluation:vote"), ALL, 404),
    # A cast without a code is refused (400) for anyone.
    "evaluation:vote_cast": ("post", lambda c: reverse("evaluation:vote_cast"), ALL, 404),
    "evaluation:vote_done": ("get", lambda c: reverse("evaluation:vote_done"), ALL, 404),
    "evaluation:list": ("get", lambda c: reverse("evaluation:list"), TOWN_WIDE, 404),
    "evaluation:create": ("get", lambda c: reverse("evaluation:create"), OFFICE, 404),
    "evaluation:scales": ("get", lambda c: reverse("evaluation:scales"), OFFICE, 404),
    "evaluation:detail": ("get", lambda c: reverse("evaluation:detail", args=[c.survey.pk]), TOWN_WIDE, 404),
    "evaluation:step": (
        "post",
        lambda c: reverse("evaluation:step", args=[c.survey.pk, "open"]),
        OFFICE,
        404,
    ),
    "evaluation:question_add": (
        "post",
        lambda c: reverse("evaluation:question_add", args=[c.survey.pk]),
        OFFICE,
        404,
    ),
    "evaluation:question_change": (
        "post",
        lambda c: reverse("evaluation:question_change", args=[c.survey.pk, c.question.pk, "delete"]),
        OFFICE,
        404,
    ),
    "evaluation:category_save": (
        "post",
        lambda c: reverse("evaluation:category_save", args=[c.survey.pk]),
        OFFICE,
        404,
    ),
    "evaluation:codes": ("post", lambda c: reverse("evaluation:codes", args=[c.survey.pk]), OFFICE, 404),
    "evaluation:slips": (
        "get",
        lambda c: reverse("evaluation:slips", args=[c.survey.pk, c.batch]),
        OFFICE,
        404,
    ),
    "evaluation:paper": ("get", lambda c: reverse("evaluation:paper", args=[c.survey.pk]), OFFICE, 404),
    "evaluation:paper_resolve": (
        "get",
        lambda c: reverse("evaluation:paper_resolve", args=[c.survey.pk, c.sheet.pk]),
        OFFICE,
        404,
    ),
    "evaluation:results": (
        "get",
        lambda c: reverse("evaluation:results", args=[c.survey.pk]),
        TOWN_WIDE,
        404,
    ),
    "evaluation:results_xlsx": (
        "get",
        lambda c: reverse("evaluation:results_xlsx", args=[c.survey.pk]),
        TOWN_WIDE,
        404,
    ),
    "evaluation:results_pdf": (
        "get",
        lambda c: reverse("evaluation:results_pdf", args=[c.survey.pk]),
        TOWN_WIDE,
        404,
    ),
    "evaluation:ballots": (
        "get",
        lambda c: reverse("evaluation:ballots", args=[c.survey.pk]),
        TOWN_WIDE,
        404,
    ),
    # 通报 and the 驾驶舱: town-wide roles read; the office generates and publishes.
    "bulletins:dashboard": ("get", lambda c: reverse("bulletins:dashboard"), TOWN_WIDE, 404),
    "bulletins:list": ("get", lambda c: reverse("bulletins:list"), TOWN_WIDE, 404),
    "bulletins:detail": ("get", lambda c: reverse("bulletins:detail", args=[c.bulletin.pk]), TOWN_WIDE, 404),
    "bulletins:docx": ("get", lambda c: reverse("bulletins:docx", args=[c.bulletin.pk]), TOWN_WIDE, 404),
    "bulletins:regenerate": (
        "post",
        lambda c: reverse("bulletins:regenerate", args=[c.bulletin.pk]),
        OFFICE,
        404,
    ),
    "bulletins:publish": ("post", lambda c: reverse("bulletins:publish", args=[c.bulletin.pk]), OFFICE, 404),
}
# Open to anyone, signed in or not.
PUBLIC_PAGES = {
    "core:healthz",
    "core:readyz",
    "evaluation:vote",
    "evaluation:vote_cast",
    "evaluation:vote_done",
    "suggestions:public_new",
    "suggestions:public_find",
    "suggestions:public_follow",
    "suggestions:public_feedback",
}
# Answered with something other than 200 or a redirect when allowed: a refusal with a reason.
ANSWERED_WITH = {"suggestions:public_feedback": 400, "evaluation:vote_cast": 400}
# Answered with a redirect (a POST step, or a page that sends you on) rather than 200.
REDIRECTS = {
    "core:calendar_year",
    "org:account_unlock",
    "org:account_active",
    "org:token_revoke",
    "org:person_role_here",
    "core:inbox_read",
    "set_language",
    "ledger:quick_step",
    "ledger:extension_decide",
    "suggestions:merge",
    "suggestions:reply",
    "suggestions:bulk",
    "suggestions:catalogue_seed",
    "suggestions:topic_delete",
    "evaluation:step",
    "evaluation:question_add",
    "evaluation:question_change",
    "evaluation:category_save",
    "evaluation:codes",
    "bulletins:regenerate",
    "bulletins:publish",
}

API: dict[tuple[str, str], Row] = {
    ("get", "/api/units"): ("get", lambda t: "/api/units", ALL, 404),
    ("get", "/api/units/{unit_id}"): ("get", lambda t: f"/api/units/{t.party.pk}", TOWN_WIDE, 404),
    ("get", "/api/people"): ("get", lambda t: "/api/people", ALL, 404),
    ("get", "/api/people/{person_id}"): (
        "get",
        lambda t: f"/api/people/{t.member.pk}",
        TOWN_WIDE | {"branch_secretary"},
        404,
    ),
    ("post", "/api/people/{person_id}/reveal"): (
        "post",
        lambda t: f"/api/people/{t.member.pk}/reveal?field=phone",
        OFFICE,
        -1,  # 403 for roles that see the person but may not unmask; 404 outside scope
    ),
    ("get", "/api/problems"): ("get", lambda c: "/api/problems", ALL, 404),
    ("get", "/api/problems/{problem_id}"): (
        "get",
        lambda c: f"/api/problems/{c.problem.pk}",
        SEES_PROBLEM,
        404,
    ),
    ("get", "/api/suggestions"): ("get", lambda c: "/api/suggestions", TOWN_WIDE, 404),
    ("get", "/api/suggestions/{suggestion_id}"): (
        "get",
        lambda c: f"/api/suggestions/{c.suggestion.pk}",
        TOWN_WIDE,
        404,
    ),
    ("get", "/api/suggestions/{suggestion_id}/routing"): (
        "get",
        lambda c: f"/api/suggestions/{c.suggestion.pk}/routing",
        TOWN_WIDE,
        404,
    ),
    ("get", "/api/suggestions/{suggestion_id}/similar"): (
        "get",
        lambda c: f"/api/suggestions/{c.suggestion.pk}/similar",
        TOWN_WIDE,
        404,
    ),
    ("get", "/api/public/suggestions/{code}"): (
        "get",
        lambda c: f"/api/public/suggestions/{c.suggestion.receipt}",
        ALL,
        404,
    ),
}
# Endpoints for residents: no account needed.
PUBLIC_API = {
    ("get", "/api/public/suggestions/{code}"),
    ("post", "/api/public/suggestions"),
    ("post", "/api/public/suggestions/{code}/feedback"),
}


def _tiered(ok: int, allowed: set[str], sees: set[str]) -> Callable[[str], int]:
    """ok for those allowed, 403 for those who see the problem but may not act, 404 for the rest."""
    return lambda persona: ok if persona in allowed else 403 if persona in sees else 404


# Writes with a JSON body: (url builder, body, expected status for a persona).
API_WRITES: dict[tuple[str, str], tuple[Callable[[Ctx], str], dict, Callable[[str], int]]] = {
    ("post", "/api/problems"): (
        lambda c: "/api/problems",
        {"source": "self_check", "category": "other", "description": "接口登记"},
        _tiered(201, OFFICE, ALL),
    ),
    ("post", "/api/problems/{problem_id}/assign"): (
        lambda c: f"/api/problems/{c.pending.pk}/assign",
        {"leader_id": 999999, "department_id": 999999, "assignee_ids": [999999], "deadline": "2026-12-31"},
        # The office is told what is wrong with the owners; others may not assign at all.
        _tiered(400, OFFICE, TOWN_WIDE),
    ),
    ("post", "/api/problems/{problem_id}/transition"): (
        lambda c: f"/api/problems/{c.problem.pk}/transition",
        {"action": "apply_close", "reason": "已完成"},
        # Owners are refused for lack of evidence (400); others may not apply (403/404).
        _tiered(400, OWNERS, SEES_PROBLEM),
    ),
    ("post", "/api/problems/{problem_id}/correct"): (
        lambda c: f"/api/problems/{c.problem.pk}/correct",
        {"reason": "", "deadline": "2027-01-31"},
        # The office is told what is wrong; those who see the problem may not correct it.
        _tiered(400, OFFICE, SEES_PROBLEM),
    ),
    ("post", "/api/problems/{problem_id}/reports"): (
        lambda c: f"/api/problems/{c.problem.pk}/reports",
        {"progress": 30, "done": "推进中"},
        _tiered(201, OWNERS, SEES_PROBLEM),
    ),
    ("post", "/api/suggestions/{suggestion_id}/contact"): (
        lambda c: f"/api/suggestions/{c.suggestion.pk}/contact",
        {},
        # Leaders and the inspection group read suggestions, masked; only the office unmasks.
        _tiered(200, OFFICE, TOWN_WIDE),
    ),
    ("post", "/api/suggestions/{suggestion_id}/triage"): (
        lambda c: f"/api/suggestions/{c.suggestion.pk}/triage",
        {"action": "decline", "reply": "不属于本镇职责"},
        # Leaders and the inspection group read suggestions but do not decide them.
        _tiered(200, OFFICE, TOWN_WIDE),
    ),
    ("post", "/api/public/suggestions"): (
        lambda c: "/api/public/suggestions",
        {"text": "村口路灯坏了很久"},
        lambda persona: 201,
    ),
    # Refused for everyone while the problem is not closed.
    ("post", "/api/public/suggestions/{code}/feedback"): (
        lambda c: f"/api/public/suggestions/{c.suggestion.receipt}/feedback",
        {"verdict": "satisfied"},
        lambda persona: 400,
    ),
}


def _named_routes() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list, prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace in ("admin", "api"):
                    continue
                walk(p.url_patterns, f"{p.namespace}:" if p.namespace else prefix)
            elif isinstance(p, URLPattern) and p.name:
                names.add(prefix + p.name)

    walk(get_resolver().url_patterns, "")
    return names


def test_every_page_has_a_row_in_the_matrix():
    assert _named_routes() == set(PAGES)


def test_every_api_operation_has_a_row_in_the_matrix():
    schema = api.get_openapi_schema()
    operations = {(method, path) for path, ops in schema["paths"].items() for method in ops}
    assert operations == set(API) | set(API_WRITES)


@pytest.fixture
def ctx(town, problem, pending, leader, office) -> Ctx:
    extension = extension_request(actor=leader, problem=problem, new_deadline=date(2027, 3, 1), reason="雨季")
    ctx = Ctx(town, problem, extension, pending, office)
    ctx.account = leader  # whose login the office may unlock and whose password it may reset
    ctx.token = api_token_create(actor=office, user=office, name="矩阵")[0]
    return ctx


def _each_persona(request, check: Callable[[str, Client], str | None]) -> list[str]:
    """Run `check` as every persona on one context, each in a savepoint rolled back after it.

    One context per row instead of one per (row, persona): the context is most of a matrix
    test's cost. Rolling back each persona's request gives the next one the context as it was
    built (a write that succeeded is undone, and so are throttle counts and sessions), and the
    per-process memos are emptied as between tests. Returns what was wrong, one line each."""
    users = {persona: request.getfixturevalue(persona) for persona in PERSONAS}
    return [w for persona, user in users.items() if (w := _rolled_back(check, persona, client_for(user)))]


def _status(client: Client, ctx: Ctx, row: Row) -> int:
    method, build, _allowed, _other = row
    return getattr(client, method)(build(ctx)).status_code


@pytest.mark.parametrize("route", sorted(PAGES))
def test_page_access(request, ctx, route):
    _method, _build, allowed, other = PAGES[route]
    ok = ANSWERED_WITH.get(route, 302 if route in REDIRECTS else 200)

    def check(persona: str, client: Client) -> str | None:
        status = _status(client, ctx, PAGES[route])
        if persona in allowed:
            expected = ok
        elif other == -1:  # sees the problem but may not act on it: 403; does not see it: 404
            expected = 403 if persona in SEES_PROBLEM else 404
        else:
            expected = other
        return None if status == expected else f"{persona} {route}: {status}, expected {expected}"

    assert not _each_persona(request, check)


@pytest.mark.parametrize("operation", sorted(API))
def test_api_access(request, ctx, operation):
    _method, _build, allowed, other = API[operation]

    def check(persona: str, client: Client) -> str | None:
        status = _status(client, ctx, API[operation])
        if persona in allowed:
            expected = 200
        elif other == -1:
            expected = 403 if persona in TOWN_WIDE | {"branch_secretary"} else 404
        else:
            expected = other
        return None if status == expected else f"{persona} {operation}: {status}, expected {expected}"

    assert not _each_persona(request, check)


def _rolled_back(ask: Callable[..., str | None], *args: object) -> str | None:
    point = transaction.savepoint()
    try:
        return ask(*args)
    finally:
        transaction.savepoint_rollback(point)
        forget_process_memos()


def test_anonymous_visitors_are_sent_to_login(ctx):
    """Every page, on one context (each request rolled back, as for the personas)."""

    def ask(route: str) -> str | None:
        method, build, _allowed, _other = PAGES[route]
        response = getattr(Client(), method)(build(ctx))
        status, where = response.status_code, response.get("Location", "")
        if route in PUBLIC_PAGES:
            ok = status == ANSWERED_WITH.get(route, 200)
        elif route == "login":
            ok = status == 200
        elif route == "set_language":
            ok = status == 302 and not where.startswith(reverse("login"))
        elif route == "logout":
            ok = status == 405
        else:
            ok = status == 302 and where.startswith(reverse("login"))
        return None if ok else f"{route}: {status} {where}"

    wrong = [w for route in sorted(PAGES) if (w := _rolled_back(ask, route))]
    assert not wrong


def test_anonymous_api_calls_are_refused(ctx):
    def ask(operation: tuple[str, str]) -> str | None:
        method, build, _allowed, _other = API[operation]
        expected = 200 if operation in PUBLIC_API else 401
        status = getattr(Client(), method)(build(ctx)).status_code
        return None if status == expected else f"{operation}: {status}, expected {expected}"

    wrong = [w for operation in sorted(API) if (w := _rolled_back(ask, operation))]
    assert not wrong


@pytest.mark.parametrize("operation", sorted(API_WRITES))
def test_api_write_access(request, ctx, operation):
    build, body, expected = API_WRITES[operation]

    def check(persona: str, client: Client) -> str | None:
        response = client.post(build(ctx), body, content_type="application/json")
        if response.status_code != expected(persona):
            return f"{persona} {operation}: {response.status_code} {response.content[:200]!r}"
        anonymous = Client().post(build(ctx), body, content_type="application/json").status_code
        if anonymous != (expected(persona) if operation in PUBLIC_API else 401):
            return f"anonymous after {persona} {operation}: {anonymous}"
        return None

    assert not _each_persona(request, check)


# The second town (issue 15, step 3): every org page and API operation that names an object,
# with the URL built from 邻镇's objects, answers 404 to every persona of 测试镇 — records of
# another town do not exist for them. The administrator is the county's: answered as at home
# (but for another account's token, which is nobody's to revoke).
CROSS_TOWN_ORG: dict[str, tuple[str, Callable[[OtherTown], str]]] = {
    "org:unit_detail": ("get", lambda o: reverse("org:unit_detail", args=[o.branch.pk])),
    "org:unit_edit": ("get", lambda o: reverse("org:unit_edit", args=[o.branch.pk])),
    "org:person_detail": ("get", lambda o: reverse("org:person_detail", args=[o.member.pk])),
    "org:person_edit": ("get", lambda o: reverse("org:person_edit", args=[o.member.pk])),
    "org:person_reveal": ("post", lambda o: reverse("org:person_reveal", args=[o.member.pk, "phone"])),
    "org:account_unlock": ("post", lambda o: reverse("org:account_unlock", args=[o.office.pk])),
    "org:account_reset": ("get", lambda o: reverse("org:account_reset", args=[o.office.pk])),
    "org:account_active": ("post", lambda o: reverse("org:account_active", args=[o.office.pk])),
    "org:account_role": ("get", lambda o: reverse("org:account_role", args=[o.office.pk])),
    "org:token_revoke": ("post", lambda o: reverse("org:token_revoke", args=[o.token.pk])),
    "api:units": ("get", lambda o: f"/api/units/{o.branch.pk}"),
    "api:people": ("get", lambda o: f"/api/people/{o.member.pk}"),
    "api:reveal": ("post", lambda o: f"/api/people/{o.member.pk}/reveal?field=phone"),
}


def test_the_other_towns_org_objects_do_not_exist_for_this_towns_personas(request, town, other_town):
    other_town.token = api_token_create(actor=other_town.office, user=other_town.office, name="邻镇")[0]

    def expected(persona: str, route: str) -> int:
        if persona == "admin_user" and route != "org:token_revoke":
            return 302 if route in REDIRECTS else 200
        return 404

    _walk_other_town(request, CROSS_TOWN_ORG, other_town, expected)


# The ledger in its town (issue 15, step 4): every ledger page and API operation naming a
# problem, an extension or a file, with 邻镇's, answers 404 to every persona of 测试镇. The API's
# writes carry a body that passes validation, so the answer is the object's, not the payload's.
_BODY = {
    "assign": {"leader_id": 1, "department_id": 1, "assignee_ids": [1], "deadline": "2026-12-31"},
    "transition": {"action": "accept", "reason": "越界"},
    "correct": {"reason": "越界", "deadline": "2026-12-31"},
    "reports": {"progress": 50, "done": "越界"},
}
CROSS_TOWN_LEDGER: dict[str, tuple[str, Callable[[Any], str]]] = {
    **{
        f"ledger:{name}": ("get", lambda o, name=name: reverse(f"ledger:{name}", args=[o.problem.pk]))
        for name in ("problem_detail", "problem_assign", "report", "apply_close", "extension", "correct")
    },
    "ledger:quick_step": ("post", lambda o: reverse("ledger:quick_step", args=[o.problem.pk, "accept"])),
    "ledger:extension_decide": ("post", lambda o: reverse("ledger:extension_decide", args=[o.extension.pk])),
    "ledger:evidence_file": ("get", lambda o: reverse("ledger:evidence_file", args=[o.evidence.pk])),
    "ledger:evidence_preview": ("get", lambda o: reverse("ledger:evidence_preview", args=[o.evidence.pk])),
    "api:problem": ("get", lambda o: f"/api/problems/{o.problem.pk}"),
    **{f"api:{op}": ("post", lambda o, op=op: f"/api/problems/{o.problem.pk}/{op}") for op in _BODY},
}
# Named ledger routes with an argument that is not an object of a town.
NOT_AN_OBJECT = {"ledger:import_progress": "an upload's token, kept in the uploading town's folder"}


def _routes_naming_an_object(namespace: str) -> set[str]:
    """Every named route of `namespace` whose path takes an argument."""
    urls = next(
        p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and p.namespace == namespace
    )
    return {
        f"{namespace}:{p.name}"
        for p in urls.url_patterns
        if isinstance(p, URLPattern) and p.pattern.converters
    }


def _walk_other_town(request, routes, other_town, expected: Callable[[str, str], int | None]) -> None:  # type: ignore[no-untyped-def]
    """Every persona requests every route with the other town's objects: each answer is
    `expected(persona, route)` (None: not asked of that persona). API writes carry a body that
    passes validation (_BODY), so the answer is the object's, not the payload's."""

    def check(persona: str, client: Client) -> str | None:
        wrong = []
        for route, (method, build) in routes.items():
            if (want := expected(persona, route)) is None:
                continue
            body = _BODY.get(route.removeprefix("api:"))
            sent = {"data": body, "content_type": "application/json"} if body else {}
            status = getattr(client, method)(build(other_town), **sent).status_code
            if status != want:
                wrong.append(f"{persona} {route}: {status}, expected {want}")
        return "; ".join(wrong) or None

    assert not _each_persona(request, check)


def _not_found_but_for_the_county(persona: str, route: str) -> int | None:
    return None if persona == "admin_user" else 404  # the county's: its access is the rows above


def test_the_other_towns_problems_do_not_exist_for_this_towns_personas(request, town, other_town):
    o = other_town
    o.problem = their_problem(o)
    o.extension = Extension.objects.create(
        problem=o.problem, requested_by=o.office, old_deadline=date(2026, 12, 31), new_deadline=date(2027, 3, 1),
        reason="雨季",
    )  # fmt: skip
    o.evidence = Evidence.objects.create(
        problem=o.problem, kind="report", file=png_upload("邻镇.png"), original_name="邻镇.png", size=100,
        content_type="image/png", uploaded_by=o.office,
    )  # fmt: skip

    _walk_other_town(request, CROSS_TOWN_LEDGER, o, _not_found_but_for_the_county)


# 测评 in its town (issue 15, step 6): every evaluation page naming a survey, a question, a
# batch of codes or a paper sheet, with 邻镇's, answers 404 to every persona of 测试镇. (The
# voter's `/v/` pages name no object: a code works county-wide, test_cross_town_surveys.py.)
CROSS_TOWN_EVALUATION: dict[str, tuple[str, Callable[[Any], str]]] = {
    **{
        f"evaluation:{name}": ("get", lambda o, name=name: reverse(f"evaluation:{name}", args=[o.survey.pk]))
        for name in ("detail", "paper", "results", "results_xlsx", "results_pdf", "ballots")
    },
    **{
        f"evaluation:{name}": ("post", lambda o, name=name: reverse(f"evaluation:{name}", args=[o.survey.pk]))
        for name in ("question_add", "category_save", "codes")
    },
    "evaluation:step": ("post", lambda o: reverse("evaluation:step", args=[o.survey.pk, "open"])),
    "evaluation:question_change": (
        "post",
        lambda o: reverse("evaluation:question_change", args=[o.survey.pk, o.question.pk, "delete"]),
    ),
    "evaluation:slips": ("get", lambda o: reverse("evaluation:slips", args=[o.survey.pk, o.batch])),
    "evaluation:paper_resolve": (
        "get",
        lambda o: reverse("evaluation:paper_resolve", args=[o.survey.pk, o.sheet.pk]),
    ),
}


@pytest.mark.parametrize(
    ("namespace", "routes"),
    [("org", CROSS_TOWN_ORG), ("ledger", CROSS_TOWN_LEDGER), ("evaluation", CROSS_TOWN_EVALUATION)],
)
def test_every_page_naming_an_object_is_walked_from_the_other_town(namespace, routes):
    listed = {k for k in NOT_AN_OBJECT if k.startswith(f"{namespace}:")}
    walked = {k for k in routes if k.startswith(f"{namespace}:")}
    assert _routes_naming_an_object(namespace) == walked | listed


def test_the_other_towns_surveys_do_not_exist_for_this_towns_personas(request, town, other_town):
    o = other_town
    o.survey = survey_create(
        actor=o.office, title="邻镇满意度测评", purpose="satisfaction",
        period_start=date(2026, 11, 1), period_end=date(2026, 11, 30),
    )  # fmt: skip
    o.question = o.survey.questions.get()
    o.batch = codes_generate(actor=o.office, survey=o.survey, category=o.survey.categories.first(), count=2)
    o.sheet = PaperSheet.objects.create(
        survey=o.survey, category=o.survey.categories.first(), sheet_no=1, entry_a={"rows": {}},
        entry_a_by=o.office, status="mismatch",
    )  # fmt: skip

    _walk_other_town(request, CROSS_TOWN_EVALUATION, o, _not_found_but_for_the_county)
