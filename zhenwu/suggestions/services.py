"""Writes of 献言献策: a resident's submission and answer, and the office's decisions.

Every write checks everything first and stores in one transaction with its audit event,
so a refusal leaves nothing behind (not even the photos that were fine).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhenwu.core.actors import RESIDENT
from zhenwu.core.audit import audit_record
from zhenwu.core.models import ThrottleHit
from zhenwu.core.refusals import refuse_fields, require
from zhenwu.core.throttle import guarded_lookup, refuse_when_over, throttle_hit, throttle_key
from zhenwu.ledger.constants import Category, Source, Status
from zhenwu.ledger.followup import Channel, Closure, followup_askable, followup_submit, unanswered_count
from zhenwu.ledger.models import FollowUp, Problem, ReopenRequest
from zhenwu.ledger.services import problem_create
from zhenwu.lib.cells import xml_safe
from zhenwu.lib.codes import new_code
from zhenwu.lib.identity import IdentityError, normalize_phone
from zhenwu.org.constants import PLACE_KINDS, OrgAudit
from zhenwu.org.models import Unit, User
from zhenwu.org.roles import is_office
from zhenwu.org.selectors import can_unmask
from zhenwu.suggestions import similarity
from zhenwu.suggestions.constants import (
    LINKED,
    NAME_MAX_CHARS,
    REPLY_MAX_CHARS,
    TEXT_MAX_CHARS,
    TEXT_MIN_CHARS,
    TRIAGE,
    SuggestionAudit,
    SuggestionStatus,
    TriageAction,
)
from zhenwu.suggestions.models import Campaign, Suggestion, SuggestionFollowUp, SuggestionPhoto
from zhenwu.suggestions.photos import clean_photos

PUBLIC = RESIDENT  # the audit log's actor for residents, who have no account
RECEIPT_MISS = "receipt-miss"


def _check_text(text: str, label: str, *, minimum: int = 1, maximum: int = TEXT_MAX_CHARS) -> str | None:
    """The error for a free-text field, or None when it is fine."""
    if not text:
        return _("%(label)s：不能为空") % {"label": label}
    if len(text) < minimum:
        return _("%(label)s：至少%(n)s个字") % {"label": label, "n": minimum}
    if len(text) > maximum:
        return _("%(label)s：不能超过%(n)s字（现为%(m)s字）") % {"label": label, "n": maximum, "m": len(text)}
    return None


REFUSED_SCOPE = "suggest-refused"  # submissions refused for their photos, per address


def _check_limits(ip_key: str, phone: str) -> None:
    """The rate limits, counted from stored suggestions (the same for every worker and node)."""
    now = timezone.now()

    def recent(limit: int, since: timedelta, **match: str) -> int:
        # Counting stops at the limit: the answer is the same, and a busy key costs no more.
        found = Suggestion.objects.filter(created_at__gte=now - since, **match).order_by()
        return found[:limit].count() if limit else 0

    if ip_key:
        hour, limit = timedelta(hours=1), settings.ZHENWU_SUGGEST_PER_IP_HOUR
        refused = ThrottleHit.objects.filter(scope=REFUSED_SCOPE, key=ip_key, at__gte=now - hour)
        tries = recent(limit, hour, ip_key=ip_key) + (refused.order_by()[:limit].count() if limit else 0)
        refuse_when_over(tries, limit, hour, _("同一网络提交"))
    if phone:
        day, limit = timedelta(days=1), settings.ZHENWU_SUGGEST_PER_PHONE_DAY
        refuse_when_over(recent(limit, day, phone=phone), limit, day, _("同一手机号提交"))


# A client-made key: 16–64 letters, digits, '-' or '_' (a UUID fits); anything else is ignored.
SUBMIT_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


def suggestion_submit(
    *,
    text: str,
    category: str = "",
    village: Unit | None = None,
    name: str = "",
    phone: str = "",
    photos: Sequence[UploadedFile] = (),
    campaign: Campaign | None = None,
    ip: str | None = None,
    submit_key: str = "",
) -> Suggestion:
    """A resident's suggestion; returns it with its receipt code. Raises Throttled over the limits.

    With a `submit_key` (see SUBMIT_KEY), a repeat of a submission already stored returns that
    suggestion unchanged: no second row, no second count against the limits."""
    submit_key = submit_key if SUBMIT_KEY.fullmatch(submit_key or "") else ""
    if submit_key and (first := Suggestion.objects.filter(submit_key=submit_key).first()) is not None:
        return first
    # Whatever door it came through (form, API, a script), a resident's text is stored without
    # the control characters no document or spreadsheet can carry.
    text, name, phone = xml_safe(text or "").strip(), xml_safe(name or "").strip(), (phone or "").strip()
    errors: dict[str, str | None] = {
        "text": _check_text(text, _("意见建议"), minimum=TEXT_MIN_CHARS),
        "category": _("问题类别：不是可选的类别") if category and category not in Category.values else None,
        "village": _("村(社区)：请选择村或社区")
        if village is not None and village.kind not in PLACE_KINDS
        else None,
        "name": _("姓名：不能超过%(n)s字") % {"n": NAME_MAX_CHARS} if len(name) > NAME_MAX_CHARS else None,
    }
    if phone:
        try:
            phone = normalize_phone(phone)
        except IdentityError as exc:
            errors["phone"] = _("联系电话：%(error)s") % {"error": exc}
    refuse_fields(errors)
    ip_key = throttle_key(ip)
    # The limits first: a flood from one address is refused before any photo is decoded. A
    # refused photo counts against the address too, so bad files cannot be sent without end.
    _check_limits(ip_key, phone)
    try:
        cleaned = clean_photos(photos)  # raises for the first bad photo, before anything is stored
    except ValidationError:
        throttle_hit(REFUSED_SCOPE, ip_key)
        raise
    made = similarity.made_for(text, village)  # outside the transaction: see made_for
    with transaction.atomic():
        _check_limits(ip_key, phone)
        suggestion = Suggestion(
            text=text, category=category, village=village, name=name, phone=phone,
            campaign=campaign, created_at=timezone.now(), ip_key=ip_key, submit_key=submit_key or None,
        )  # fmt: skip
        for _attempt in range(5):
            suggestion.receipt = new_code()
            try:
                with transaction.atomic():
                    suggestion.save(force_insert=True)
                break
            except IntegrityError:
                if submit_key and (first := Suggestion.objects.filter(submit_key=submit_key).first()):
                    return first  # the same submission, stored a moment ago by a parallel retry
                suggestion.pk = None  # a receipt drawn twice: 1 in 10^11, draw again
        else:
            raise RuntimeError("could not draw an unused receipt code")
        for photo in cleaned:
            SuggestionPhoto.objects.create(
                suggestion=suggestion, image=photo.image, thumbnail=photo.thumbnail,
                content_type=photo.content_type, size=photo.size,
            )  # fmt: skip
        audit_record(
            actor=PUBLIC, action=SuggestionAudit.SUGGESTION_RECEIVED, obj=suggestion,
            after={"village_id": village.pk if village else None, "photos": len(cleaned), "contact": bool(phone)},
        )  # fmt: skip
        # Its place, thing and matter, made now so the inbox's grouping only reads them.
        similarity.remember(suggestion, made)
    return suggestion


@transaction.atomic
def contact_reveal(*, actor: User, suggestion: Suggestion) -> dict[str, str]:
    """The resident's name and full phone, for the office to call back. Every look is an audit
    event (who, which suggestion, when); the phone itself is not written into the log."""
    if not can_unmask(actor):
        raise PermissionError(_("当前角色无权查看完整个人信息"))
    audit_record(actor=actor, action=OrgAudit.PERSON_UNMASKED, obj=suggestion, after={"field": "contact"})
    return {"name": suggestion.name, "phone": suggestion.phone}


def receipt_lookup(code: str, *, ip: str | None) -> Suggestion | None:
    """The suggestion behind a receipt code (guessing is throttled)."""
    rows = Suggestion.objects.select_related("problem", "village")
    return guarded_lookup(RECEIPT_MISS, code, ip=ip, what=_("查询回执码"), rows=rows, field="receipt")


# ---------------------------------------------------------------------------------------
# Triage by the office


def _take(actor: User, suggestion: Suggestion, action: str) -> Suggestion:
    """Lock a new suggestion for a decision; refuse one already decided, or a non-office actor."""
    require(is_office(actor), _("只有党政办可以处理意见建议"))
    locked = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if locked.status != SuggestionStatus.RECEIVED:
        raise ValidationError(
            {
                "status": _("状态：该意见建议已处理（%(status)s），不能再%(action)s")
                % {"status": locked.get_status_display(), "action": TriageAction(action).label}
            }
        )
    return locked


def _decided(actor: User, suggestion: Suggestion, action: str, **after: Any) -> Suggestion:
    suggestion.status = TRIAGE[action]
    suggestion.decided_by, suggestion.decided_at = actor, timezone.now()
    suggestion.save()
    audit_record(
        actor=actor, action=SuggestionAudit.SUGGESTION_TRIAGED, obj=suggestion,
        before={"status": SuggestionStatus.RECEIVED}, after={"status": suggestion.status, **after},
    )  # fmt: skip
    return suggestion


@transaction.atomic
def suggestion_accept(
    *, actor: User, suggestion: Suggestion, description: str = "", category: str = "", village: Unit | None
) -> Problem:
    """Make a new ledger problem of it (问题来源 群众献言献策); the office then assigns it.

    Left empty, the description is the resident's text and the category the resident's
    choice, else routing's best guess (the office may change both on the problem later)."""
    suggestion = _take(actor, suggestion, TriageAction.ACCEPT)
    description = (description or "").strip() or suggestion.text
    category = category or suggestion.category or _guessed_category(suggestion.text)
    problem = problem_create(
        actor=actor, source=Source.SUGGESTION, category=category, description=description, village=village
    )
    suggestion.problem = problem
    _decided(actor, suggestion, TriageAction.ACCEPT, problem=problem.number)
    return problem


def _guessed_category(text: str) -> str:
    from zhenwu.suggestions.routing import route  # routing loads scikit-learn: only when needed

    guesses = route(text).categories
    return guesses[0].value if guesses else Category.OTHER


def _check_merge_target(problem: Problem | None) -> Problem:
    if problem is None:
        raise ValidationError({"problem": _("对应问题：请选择要合并到的问题")})
    if problem.status == Status.CLOSED:
        raise ValidationError(
            {
                "problem": _("对应问题：%(number)s 已销号，不能合并；请受理为新问题或直接答复")
                % {"number": problem.number}
            }
        )
    return problem


@transaction.atomic
def suggestion_merge(*, actor: User, suggestion: Suggestion, problem: Problem | None) -> Suggestion:
    """Attach it to an open problem: the resident follows that problem and is asked at its closure."""
    suggestion = _take(actor, suggestion, TriageAction.MERGE)
    target = _check_merge_target(Problem.objects.select_for_update().get(pk=problem.pk) if problem else None)
    suggestion.problem = target
    return _decided(actor, suggestion, TriageAction.MERGE, problem=target.number)


@transaction.atomic
def suggestion_reply(*, actor: User, suggestion: Suggestion, action: str, reply: str) -> Suggestion:
    """Answer directly (咨询类) or decline with a reason; the resident reads the text."""
    suggestion = _take(actor, suggestion, action)
    reply = (reply or "").strip()
    label = _("答复内容") if action == TriageAction.ANSWER else _("不予受理理由")
    refuse_fields({"reply": _check_text(reply, label, maximum=REPLY_MAX_CHARS)})
    suggestion.reply = reply
    return _decided(actor, suggestion, action)


@transaction.atomic
def suggestions_bulk(
    *,
    actor: User,
    suggestions: Sequence[Suggestion],
    action: str,
    problem: Problem | None = None,
    reply: str = "",
    description: str = "",
    category: str = "",
    village: Unit | None = None,
) -> Problem | None:
    """One decision for many, all or nothing. "accept" makes one problem of them all: the
    oldest becomes the problem, the others are merged into it."""
    if not suggestions:
        raise ValidationError({"suggestions": _("意见建议：请至少选择一条")})
    ordered = sorted(suggestions, key=lambda s: (s.created_at, s.pk))
    if action == TriageAction.ACCEPT:
        first, *rest = ordered
        problem = suggestion_accept(
            actor=actor, suggestion=first, description=description, category=category,
            village=village if village is not None else first.village,
        )  # fmt: skip
        for suggestion in rest:
            suggestion_merge(actor=actor, suggestion=suggestion, problem=problem)
        return problem
    for suggestion in ordered:
        if action == TriageAction.MERGE:
            suggestion_merge(actor=actor, suggestion=suggestion, problem=problem)
        elif action in (TriageAction.ANSWER, TriageAction.DECLINE):
            suggestion_reply(actor=actor, suggestion=suggestion, action=action, reply=reply)
        else:
            raise ValidationError({"action": _("操作：不是可选的操作")})
    return problem


# ---------------------------------------------------------------------------------------
# The resident's answer: the ledger's 回访 step, asked through the receipt code

CHANNEL = "suggestion"  # the ledger's follow-up channel for residents who wrote a suggestion


def _respondent_key(suggestion: Suggestion) -> str:
    return str(suggestion.pk)


def follow_up_question(suggestion: Suggestion) -> Closure | None:
    """The closure the resident may answer about now, or None (not linked, not closed, or answered)."""
    problem = suggestion.problem
    if suggestion.status not in LINKED or problem is None:
        return None
    return followup_askable(problem=problem, channel=CHANNEL, respondent_key=_respondent_key(suggestion))


def _as_verdict(exc: ValidationError) -> ValidationError:
    """The ledger names the answer `satisfaction`; the resident's form and the API say `verdict`."""
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError(
        {
            ("verdict" if field == "satisfaction" else field): errors
            for field, errors in exc.message_dict.items()
        }
    )


@transaction.atomic
def follow_up_submit(*, suggestion: Suggestion, satisfaction: str, comment: str = "") -> FollowUp:
    """The resident's answer about the closure of the problem their suggestion fed."""
    suggestion = (
        Suggestion.objects.select_for_update(of=("self",)).select_related("problem").get(pk=suggestion.pk)
    )
    if suggestion.status not in LINKED or suggestion.problem is None:
        raise ValidationError({"verdict": _("评价：对应问题尚未销号，暂不能评价")})
    try:
        answer = followup_submit(
            actor=RESIDENT, problem=suggestion.problem, channel=CHANNEL,
            respondent_key=_respondent_key(suggestion), satisfaction=satisfaction, comment=comment,
        )  # fmt: skip
    except ValidationError as exc:
        raise _as_verdict(exc) from exc
    SuggestionFollowUp.objects.create(suggestion=suggestion, follow_up=answer)
    return answer


def _decide_url(request: ReopenRequest) -> str:
    return reverse("suggestions:reopen_decide", args=[request.pk])


def _unanswered(start: date, end: date) -> int:
    linked = Suggestion.objects.filter(status__in=LINKED)
    return unanswered_count(linked, channel=CHANNEL, start=start, end=end)


FOLLOW_UP_CHANNEL = Channel(
    key=CHANNEL, label=gettext_lazy("群众献言献策"), desk_url=_decide_url, unanswered=_unanswered
)


@transaction.atomic
def campaign_create(*, actor: User, title: str, starts_on: date, ends_on: date | None = None) -> Campaign:
    require(is_office(actor), _("只有党政办可以设立征集活动"))
    title = (title or "").strip()
    refuse_fields(
        {
            "title": _check_text(title, _("活动名称"), maximum=100),
            "ends_on": _("结束日期：不能早于开始日期") if ends_on and ends_on < starts_on else None,
        }
    )
    campaign = Campaign.objects.create(title=title, starts_on=starts_on, ends_on=ends_on)
    audit_record(actor=actor, action=SuggestionAudit.CAMPAIGN_SAVED, obj=campaign, after={"title": title})
    return campaign
