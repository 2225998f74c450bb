"""回访: the engine's follow-up step after a closure, for every source that asks people.

Once a problem is closed (验收销号), the people behind it — residents who wrote a suggestion,
later the service centre's applicants — are asked whether they are satisfied: one answer per
closure per respondent, and a problem closed again is asked about again. A 不满意 becomes a
reopen request the office decides: reopen the problem, or keep it closed and say why. The
answers give 解决突出问题群众满意率.

The ledger knows no module's table. A module registers a `Channel` from its
`AppConfig.ready()` (its label, where the office decides its requests, how many of its
respondents were asked and have not answered), names its respondents by a key within the
channel, and links its own records to the `FollowUp` with its own one-to-one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import CharField, Count, Exists, Model, OuterRef, QuerySet, Subquery
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from zhenwu.core.actors import RESIDENT, Actor, is_system
from zhenwu.core.audit import audit_record
from zhenwu.core.notices import Draft, notices_send
from zhenwu.core.refusals import refuse_fields, require
from zhenwu.ledger.constants import (
    FOLLOWUP_COMMENT_MAX_CHARS,
    REOPEN_NOTE_MAX_CHARS,
    Action,
    LedgerAudit,
    ReopenStatus,
    Status,
    Verdict,
)
from zhenwu.ledger.models import FollowUp, Problem, ProblemTransition, ReopenRequest
from zhenwu.ledger.selectors import problems_visible_to
from zhenwu.ledger.services import problem_reopen
from zhenwu.lib.stats import percent
from zhenwu.org.models import User
from zhenwu.org.roles import is_office
from zhenwu.org.selectors import office_account_ids

# ---------------------------------------------------------------------------------------
# Channels: who is asked, registered by the modules


@dataclass(frozen=True)
class Channel:
    """A kind of respondent a module asks after closure (e.g. "suggestion": the residents).

    `desk_url` is the page where the office decides a reopen request from this channel (the
    notice links to it; the problem's page when None). `unanswered(start, end)` counts this
    channel's respondents asked about problems closed in the period who have not answered
    (see `unanswered_count`).
    """

    key: str
    label: str | Promise  # a lazy translation, read when shown
    desk_url: Callable[[ReopenRequest], str] | None = None
    unanswered: Callable[[date, date], int] | None = None


CHANNELS: dict[str, Channel] = {}


def register_channel(channel: Channel) -> Channel:
    CHANNELS[channel.key] = channel
    return channel


def _channel(key: str) -> Channel:
    found = CHANNELS.get(key)
    if found is None:  # a programming error, not a resident's: no module registered this channel
        raise ValueError(f"follow-up channel {key!r} is not registered")
    return found


# ---------------------------------------------------------------------------------------
# Which closure is asked about


@dataclass(frozen=True)
class Closure:
    """One closure of a problem: the n-th 验收销号, on `closed_on`."""

    problem_id: int
    number: int
    closed_on: date


def _closure_count(problem_id: int) -> int:
    return ProblemTransition.objects.filter(problem_id=problem_id, action=Action.ACCEPT).count()


def current_closure(problem: Problem) -> Closure | None:
    """The closure a closed problem is in now, or None while it is not closed."""
    if problem.status != Status.CLOSED or problem.closed_on is None:
        return None
    # Every closure is an 验收销号 step (the importer's and the demo's too); at least one.
    return Closure(problem.pk, max(_closure_count(problem.pk), 1), problem.closed_on)


def _current_closure_number(problem_ref: OuterRef) -> Subquery:
    """A problem's closures so far, as a subquery on an outer query's problem."""
    accepted = (
        ProblemTransition.objects.filter(problem=problem_ref, action=Action.ACCEPT)
        .order_by()
        .values("problem")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(accepted[:1])


def followup_answer(*, problem: Problem, channel: str, respondent_key: str) -> FollowUp | None:
    """This respondent's answer about the problem's current closure, if given."""
    closure = current_closure(problem)
    if closure is None:
        return None
    return FollowUp.objects.filter(
        problem=problem, closure=closure.number, channel=channel, respondent_key=respondent_key
    ).first()


def followup_askable(*, problem: Problem, channel: str, respondent_key: str) -> Closure | None:
    """The closure this respondent may answer about now: the problem is closed and they have not."""
    closure = current_closure(problem)
    if closure is None:
        return None
    answered = FollowUp.objects.filter(
        problem=problem, closure=closure.number, channel=channel, respondent_key=respondent_key
    ).exists()
    return None if answered else closure


# ---------------------------------------------------------------------------------------
# Writes: the answer, and the office's decision on a 不满意


def _too_long(label: str, text: str, maximum: int) -> str | None:
    if len(text) <= maximum:
        return None
    return _("%(label)s：不能超过%(n)s字（现为%(m)s字）") % {"label": label, "n": maximum, "m": len(text)}


def _already() -> str:
    return _("评价：您已对本次整改结果作出评价，不能重复评价")


@transaction.atomic
def followup_submit(
    *, actor: Actor, problem: Problem, channel: str, respondent_key: str, satisfaction: str, comment: str = ""
) -> FollowUp:
    """Record one respondent's answer about the problem's current closure.

    A 不满意 also opens a reopen request and tells every active office account.
    """
    require(is_system(actor, RESIDENT), _("回访评价只能由群众本人作出"))
    registered = _channel(channel)
    if not respondent_key:
        raise ValueError("a follow-up needs the respondent's key")
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    comment = (comment or "").strip()
    refuse_fields(
        {
            "satisfaction": _("评价：请选择满意、基本满意或不满意")
            if satisfaction not in Verdict.values
            else None,
            "comment": _too_long(_("意见"), comment, FOLLOWUP_COMMENT_MAX_CHARS),
        }
    )
    closure = current_closure(problem)
    if closure is None:
        raise ValidationError({"satisfaction": _("评价：对应问题尚未销号，暂不能评价")})
    key = {
        "problem": problem,
        "closure": closure.number,
        "channel": channel,
        "respondent_key": respondent_key,
    }
    if FollowUp.objects.filter(**key).exists():
        raise ValidationError({"satisfaction": _already()})
    answer = FollowUp(
        **key, closed_on=closure.closed_on, satisfaction=satisfaction, comment=comment, at=timezone.now()
    )
    answer.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            answer.save(force_insert=True)
    except IntegrityError as exc:  # the same answer sent twice at the same moment
        raise ValidationError({"satisfaction": _already()}) from exc
    audit_record(
        actor=actor,
        action=LedgerAudit.FEEDBACK_RECEIVED,
        obj=answer,
        after={"satisfaction": satisfaction, "channel": channel, "closure": closure.number},
    )
    if satisfaction == Verdict.UNSATISFIED:
        _reopen_request_open(answer=answer, problem=problem, channel=registered)
    return answer


def _reopen_request_open(*, answer: FollowUp, problem: Problem, channel: Channel) -> ReopenRequest:
    request = ReopenRequest.objects.create(follow_up=answer, problem=problem)
    url = (
        channel.desk_url(request) if channel.desk_url else reverse("ledger:problem_detail", args=[problem.pk])
    )
    office = office_account_ids(problem.town_id).get(problem.town_id, [])
    notices_send(
        [
            Draft(
                recipient_id=pk,
                key=f"reopen-request:{request.pk}:{pk}",
                subject=_("群众对%(number)s的整改结果不满意") % {"number": problem.number},
                body=answer.comment,
                url=url,
            )
            for pk in office
        ],
        reason="reopen-request",
    )
    return request


@transaction.atomic
def reopen_request_decide(*, actor: User, request: ReopenRequest, reopen: bool, note: str) -> ReopenRequest:
    """The office reopens the problem (through the ledger's own step) or keeps it closed with a note."""
    require(is_office(actor), _("只有党政办可以处理重新整改申请"))
    request = (
        ReopenRequest.objects.select_for_update(of=("self",))
        .select_related("follow_up", "problem")
        .get(pk=request.pk)
    )
    if request.status != ReopenStatus.PENDING:
        raise ValidationError(
            {"status": _("状态：该申请已处理（%(s)s）") % {"s": request.get_status_display()}}
        )
    note = (note or "").strip()
    refuse_fields({"note": _too_long(_("处理说明"), note, REOPEN_NOTE_MAX_CHARS)})
    if not reopen and not note:
        raise ValidationError({"note": _("%(label)s：不能为空") % {"label": _("处理说明")}})
    # Reopened by hand since the answer: the request is settled, the problem is not stepped again.
    if reopen and request.problem.status == Status.CLOSED:
        reason = _("群众评价不满意：%(comment)s") % {"comment": request.follow_up.comment or _("未填写意见")}
        problem_reopen(actor=actor, problem=request.problem, reason=f"{reason} {note}".strip())
    request.status = ReopenStatus.REOPENED if reopen else ReopenStatus.KEPT
    request.note, request.decided_by, request.decided_at = note, actor, timezone.now()
    request.full_clean()
    request.save()
    audit_record(
        actor=actor, action=LedgerAudit.REOPEN_DECIDED, obj=request, after={"status": request.status}
    )
    return request


# ---------------------------------------------------------------------------------------
# Reads: the office's queue and 解决突出问题群众满意率


def reopen_requests(user: Any, status: str | None = ReopenStatus.PENDING) -> QuerySet[ReopenRequest]:
    """Residents' reopen requests about the problems `user` may see (their town's)."""
    found = ReopenRequest.objects.filter(problem__in=problems_visible_to(user).values("pk"))
    found = found.select_related("problem", "follow_up")
    return found.filter(status=status) if status else found


def unanswered_count(
    respondents: QuerySet[Model], *, channel: str, start: date, end: date, problem_field: str = "problem"
) -> int:
    """Of a module's respondents (rows whose pk is their key), those whose problem was closed from
    `start` to `end` and who have not answered about its current closure: one query."""
    answered = FollowUp.objects.filter(
        problem=OuterRef(problem_field),
        channel=channel,
        respondent_key=Cast(OuterRef("pk"), output_field=CharField()),
        closure=OuterRef("_closure"),
    )
    return (
        respondents.filter(
            **{f"{problem_field}__status": Status.CLOSED, f"{problem_field}__closed_on__range": (start, end)}
        )
        .annotate(_closure=_current_closure_number(OuterRef(problem_field)))
        .filter(~Exists(answered))
        .count()
    )


@dataclass(frozen=True)
class Satisfaction:
    """解决突出问题群众满意率 for a period, with every count behind it."""

    start: date
    end: date
    counts: dict[str, int]  # satisfaction -> answers
    answers: int
    satisfied: int
    not_answered: int  # respondents asked (their problem closed in the period) who have not answered
    counted_as_satisfied: tuple[str, ...]

    @property
    def rate(self) -> float | None:
        return self.satisfied / self.answers if self.answers else None

    @property
    def percent(self) -> str:
        return percent(self.rate)

    @property
    def asked(self) -> int:
        return self.answers + self.not_answered

    def rows(self) -> list[tuple[str, str, int]]:
        return [(v.value, str(v.label), self.counts.get(v.value, 0)) for v in Verdict]


def satisfaction(start: date, end: date) -> Satisfaction:
    """Answers about problems closed from `start` to `end` (inclusive), over every channel:
    (满意 + 基本满意) ÷ answers. One GROUP BY, and one count per registered channel.

    Which answers count as satisfied is the ZHENWU_SATISFIED_VERDICTS setting.
    """
    counted = tuple(settings.ZHENWU_SATISFIED_VERDICTS)
    by_satisfaction = dict(
        FollowUp.objects.filter(closed_on__range=(start, end))
        .values_list("satisfaction")
        .annotate(n=Count("id"))
        .values_list("satisfaction", "n")
    )
    not_answered = sum(c.unanswered(start, end) for c in CHANNELS.values() if c.unanswered is not None)
    answers = sum(by_satisfaction.values())
    return Satisfaction(
        start=start,
        end=end,
        counts=by_satisfaction,
        answers=answers,
        satisfied=sum(n for v, n in by_satisfaction.items() if v in counted),
        not_answered=not_answered,
        counted_as_satisfied=counted,
    )
