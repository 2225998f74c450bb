import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zhenwu.core.audit import audit_verify
from zhenwu.org.constants import AccountRole, RoleKind, UnitKind
from zhenwu.org.models import Person, PersonRole, Unit, User
from zhenwu.org.selectors import registry_counts

pytestmark = pytest.mark.django_db


def test_the_demo_town_has_the_seeds_figures_from_its_records(capsys):
    call_command("seed_demo")
    office = User.objects.get(username="dangzhengban")
    counts = registry_counts(office)
    assert counts["party_organisations"] == 46
    assert (
        counts["community_committees"] == 1 and counts["general_branches"] == 1 and counts["branches"] == 44
    )
    assert counts["party_members"] == 2767
    assert counts["departments"] == 11
    assert Person.objects.filter(is_second_line=True).count() >= 4
    assert PersonRole.objects.filter(kind=RoleKind.BRANCH_SECRETARY).count() == 44
    assert set(User.objects.values_list("role", flat=True)) == set(AccountRole.values)
    assert all(u.must_change_password for u in User.objects.all())
    assert audit_verify().ok
    out = capsys.readouterr().out
    assert "dangzhengban" in out and "Zhenwu@2009" in out and "系统管理员" in out


def test_the_demo_is_reproducible():
    call_command("seed_demo")
    first = list(Person.objects.order_by("id").values_list("name", "id_number")[:50])
    assert Unit.objects.filter(kind=UnitKind.BRANCH).count() == 44
    # Every identifier passes the same validation as typed input.
    from zhenwu.lib.identity import normalize_id_number

    assert all(normalize_id_number(n) == n for _, n in first)
    import random

    from zhenwu.demo.names import person_name

    assert person_name(random.Random(1)) == person_name(random.Random(1))


def test_seeding_twice_is_refused_unless_told_to_skip(capsys):
    call_command("seed_demo")
    with pytest.raises(CommandError, match="已有数据"):
        call_command("seed_demo")
    call_command("seed_demo", if_empty=True)
    out = capsys.readouterr().out
    assert "跳过" in out and "dangzhengban" in out


@pytest.mark.django_db
def test_the_demo_ledger_has_182_problems_every_source_and_every_colour():
    import time_machine

    from zhenwu.core.calendar import work_calendar
    from zhenwu.ledger.constants import Source, Status
    from zhenwu.ledger.models import Problem, ProgressReport
    from zhenwu.ledger.rules import Today, warning_for

    with time_machine.travel("2026-11-25 09:00 +0800", tick=False):
        call_command("seed_demo")
        from django.utils import timezone

        today = Today.build(timezone.localdate(), work_calendar())
        problems = list(Problem.objects.all())
        assert len(problems) == 182
        assert {p.source for p in problems} == set(Source.values) - {Source.OTHER}
        assert {warning_for(p, today).colour for p in problems} >= {"red", "yellow", "blue", None}
        statuses = {p.status for p in problems}
        assert {Status.CLOSED, Status.IN_PROGRESS, Status.LONG_TERM, Status.PENDING} <= statuses
        assert ProgressReport.objects.filter(is_late=True).exists()
        assigned = [p for p in problems if p.status != Status.PENDING]
        assert all(p.leader_id and p.department_id and p.assignees.exists() for p in assigned[:20])
        _every_closure_has_evidence_to_open()
        _the_campaign_gives_the_reported_rate_from_individual_answers(today.day)
        _the_surveys_give_the_reported_rates_from_individual_ballots()
    assert audit_verify().ok


def _every_closure_has_evidence_to_open():
    """Closed and closure-requested problems carry photos and scanned forms, filed through the
    services with the application's date, and each one previews."""
    from zhenwu.ledger.constants import EvidenceKind, Status
    from zhenwu.ledger.models import Evidence, Problem
    from zhenwu.ledger.previews import preview_path

    closing = Problem.objects.filter(status__in=[Status.CLOSED, Status.CLOSURE_REQUESTED])
    assert closing.count() > 50
    assert not closing.exclude(evidence__kind=EvidenceKind.CLOSURE).exists()
    files = Evidence.objects.filter(kind=EvidenceKind.CLOSURE)
    assert set(files.values_list("content_type", flat=True)) == {"image/jpeg", "application/pdf"}
    for item in files.select_related("problem")[:20]:  # dated with the application, not the seeding
        applied = item.problem.transitions.filter(action="apply_close").values_list("at", flat=True)
        assert item.uploaded_at in set(applied) and item.uploaded_by is None
    for item in (files.filter(content_type=t).first() for t in ("image/jpeg", "application/pdf")):
        assert item is not None and item.size < 100_000 and preview_path(item) is not None


def _the_campaign_gives_the_reported_rate_from_individual_answers(today):
    from zhenwu.ledger.followup import satisfaction
    from zhenwu.ledger.models import FollowUp
    from zhenwu.suggestions.models import Campaign, RoutingModel, Suggestion, SuggestionFollowUp
    from zhenwu.suggestions.similarity import clusters

    campaign = Campaign.objects.get()
    result = satisfaction(campaign.starts_on, today)
    assert result.percent == "99.2%" and result.answers == FollowUp.objects.count() == 250
    assert SuggestionFollowUp.objects.count() == 250
    assert result.counts["unsatisfied"] == 2 and result.not_answered > 0
    assert Suggestion.objects.count() > 400
    assert Suggestion.objects.values("village").distinct().count() > 15
    statuses = set(Suggestion.objects.values_list("status", flat=True))
    assert statuses == {"received", "accepted", "merged", "answered", "declined"}
    # Every suggestion that fed a problem fed one that came from the campaign.
    linked = Suggestion.objects.filter(problem__isnull=False)
    assert set(linked.values_list("problem__source", flat=True)) == {"suggestion"}
    assert clusters() and max(len(c.members) for c in clusters()) >= 3
    assert RoutingModel.objects.get().top1 > 0.5


def _the_surveys_give_the_reported_rates_from_individual_ballots():
    from zhenwu.evaluation.models import Answer, Survey
    from zhenwu.evaluation.results import tally

    rates = {}
    for survey in Survey.objects.all():
        # Recount from the ballots (not the published snapshot) and compare with the snapshot.
        counted = tally(survey)
        rates[survey.title] = (counted.overall.text, counted.overall.n)
        if survey.snapshot:
            assert survey.snapshot["tally"]["overall"]["k"] == counted.overall.k
    assert rates["学习实践活动群众满意度测评"][0] == "99.1%" and rates["学习实践活动群众满意度测评"][1] > 2000
    assert rates["解决突出问题群众满意度测评"][0] == "99.2%" and rates["解决突出问题群众满意度测评"][1] > 2000
    assert rates["村(社区)干部群众满意度测评"][0] == "97.9%"
    review = Survey.objects.get(purpose="team_review")
    assert 95 <= review.ballots.count() <= 110
    assert review.categories.count() == 5 and review.questions.count() == 2
    assert review.questions.last().subjects.count() == 11  # each leader in office by name
    assert Answer.objects.filter(survey=review).values("subject").distinct().count() == 12
    assert Survey.objects.filter(status="open").exists()


def test_scale_data_writes_only_real_steps_and_its_problem_pages_open(client):
    """seed-scale's closed problems once carried a made-up "step" action: their page answered 500."""
    from zhenwu.ledger.constants import Action, Status
    from zhenwu.ledger.models import Problem, ProblemTransition

    call_command("seed_demo")
    call_command("seed_scale", problems=30)
    assert set(ProblemTransition.objects.values_list("action", flat=True)) <= set(Action.values)
    closed = Problem.objects.filter(number__startswith="S", status=Status.CLOSED).first()
    assert closed is not None
    assert list(closed.transitions.order_by("at").values_list("to_status", flat=True)) == [
        Status.IN_PROGRESS, Status.CLOSURE_REQUESTED, Status.CLOSED,
    ]  # fmt: skip
    User.objects.filter(username="dangzhengban").update(must_change_password=False)
    client.force_login(User.objects.get(username="dangzhengban"))
    assert client.get(f"/ledger/{closed.pk}/").status_code == 200
