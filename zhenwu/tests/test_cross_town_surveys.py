"""Two towns in one county: 测评 stays each town's (issue 15, county plan step 6).

A survey belongs to the town of the office that made it; a town's accounts never see or open
another town's survey, nor its questions, codes, paper sheets, results or ballots (404, as a
record that does not exist). A 班子评议 rates the leaders of its own town. Voting codes stay
unique in the whole county, so `/v/` needs no town: a code of town B's survey casts into B's
survey and counts there only. Ballots carry no town of their own (ADR 0005).
"""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from zhenwu.conftest import SYSTEM, client_for, their_leader
from zhenwu.core.models import AuditEvent
from zhenwu.evaluation import services
from zhenwu.evaluation.models import Ballot, PaperSheet, Survey, VotingCode
from zhenwu.evaluation.results import tally
from zhenwu.evaluation.selectors import surveys_visible_to
from zhenwu.evaluation.tests.conftest import counted
from zhenwu.org.constants import RoleKind
from zhenwu.org.services import person_create, person_role_grant

pytestmark = pytest.mark.django_db


def _survey(actor, purpose="satisfaction", title="群众满意度测评"):
    return services.survey_create(
        actor=actor,
        title=title,
        purpose=purpose,
        period_start=date(2026, 11, 1),
        period_end=date(2026, 11, 30),
    )


def _opened_with_codes(survey, office, count=2):
    services.survey_step(actor=office, survey=survey, action="open")
    category = survey.categories.first()
    batch = services.codes_generate(actor=office, survey=survey, category=category, count=count)
    return batch, list(survey.codes.filter(batch=batch).values_list("code", flat=True))


def _subjects(survey):
    """The people each question of the survey rates, by name (rows without a person left out)."""
    return [
        [s.person.name for s in q.subjects.select_related("person") if s.person]
        for q in survey.questions.order_by("order")
    ]


def test_a_survey_is_its_makers_towns_and_says_so_in_the_audit_log(town, office, other_town):
    ours, theirs = _survey(office), _survey(other_town.office, title="邻镇满意度测评")
    assert (ours.town_id, theirs.town_id) == (town.party.town_id, other_town.town.pk)
    saved = AuditEvent.objects.filter(action="survey.saved", object_id=str(theirs.pk)).latest("seq")
    assert saved.town_id == other_town.town.pk


def test_a_towns_accounts_never_see_or_open_another_towns_survey(town, office, leader, inspector, other_town):
    ours = _survey(office, title="本镇满意度测评")
    theirs = _survey(other_town.office, title="邻镇满意度测评")
    batch, _codes = _opened_with_codes(theirs, other_town.office)
    sheet = PaperSheet.objects.create(
        survey=theirs, category=theirs.categories.first(), sheet_no=1, entry_a={"rows": {}},
        entry_a_by=other_town.office, status="mismatch",
    )  # fmt: skip
    question = theirs.questions.get()
    assert list(surveys_visible_to(other_town.office)) == [theirs]
    pages = [
        ("get", reverse("evaluation:detail", args=[theirs.pk])),
        ("get", reverse("evaluation:results", args=[theirs.pk])),
        ("get", reverse("evaluation:results_xlsx", args=[theirs.pk])),
        ("get", reverse("evaluation:ballots", args=[theirs.pk])),
        ("get", reverse("evaluation:paper", args=[theirs.pk])),
        ("get", reverse("evaluation:paper_resolve", args=[theirs.pk, sheet.pk])),
        ("get", reverse("evaluation:slips", args=[theirs.pk, batch])),
        ("post", reverse("evaluation:step", args=[theirs.pk, "close"])),
        ("post", reverse("evaluation:question_change", args=[theirs.pk, question.pk, "delete"])),
        ("post", reverse("evaluation:codes", args=[theirs.pk])),
    ]
    for user in (office, leader, inspector):
        assert list(surveys_visible_to(user)) == [ours], user.username
        client = client_for(user)
        listing = client.get(reverse("evaluation:list")).content.decode()
        assert "本镇满意度测评" in listing and "邻镇满意度测评" not in listing
        for method, url in pages:
            assert getattr(client, method)(url).status_code == 404, (user.username, url)
    # Nothing of theirs moved: still open, the question kept, no second batch of codes.
    theirs.refresh_from_db()
    assert theirs.status == "open" and theirs.questions.exists()
    assert theirs.codes.values("batch").distinct().count() == 1


def test_a_team_review_rates_only_its_own_towns_leaders(town, office, other_town):
    leader_there = their_leader(other_town)
    # A cadre registered in 邻镇 who now holds a 镇领导 role here is one of this town's leaders.
    moved = person_create(actor=SYSTEM, name="调任干部", unit=other_town.government)
    person_role_grant(actor=SYSTEM, person=moved, kind=RoleKind.LEADER, unit=town.party)
    ours = _survey(office, purpose="team_review", title="本镇班子评议")
    theirs = _survey(other_town.office, purpose="team_review", title="邻镇班子评议")
    assert _subjects(ours) == [[], [town.leader_person.name, "调任干部"]]
    assert _subjects(theirs) == [[], [leader_there.name]]


def test_a_subject_of_another_town_is_refused_naming_the_field(town, office, other_town):
    ours = _survey(office)
    scale = services.builtin_scales()["优秀/称职/基本称职/不称职"]
    before = ours.questions.count()
    with pytest.raises(ValidationError) as caught:
        services._question(ours, "对村干部的评价", scale, [("邻镇党员", other_town.member)])
    assert caught.value.message_dict["subjects"] == ["测评对象：所选对象不属于本镇"]
    assert ours.questions.count() == before
    # Typed by name, a line names this town's person of that name; a namesake in 邻镇 is not
    # linked (the row rates a label, and the 邻镇 person is never told it is about them).
    their_leader(other_town, name="同名干部")
    ours_too = person_create(actor=SYSTEM, name="本镇干部", unit=town.government)
    question = services.question_add(
        actor=office, survey=ours, text="对干部的评价", scale=scale, subjects="同名干部\n本镇干部"
    )
    linked = {s.label: s.person_id for s in question.subjects.all()}
    assert linked == {"同名干部": None, "本镇干部": ours_too.pk}


def test_a_code_of_the_other_towns_survey_casts_into_that_town_only(town, office, other_town):
    ours = _survey(office, title="本镇满意度测评")
    theirs = _survey(other_town.office, title="邻镇满意度测评")
    _opened_with_codes(ours, office)
    _batch, codes = _opened_with_codes(theirs, other_town.office)
    voter = Client()  # `/v/` is the county's one address: no account, no town in the URL
    page = voter.post(reverse("evaluation:vote"), {"code": codes[0]})
    assert page.status_code == 200 and "邻镇满意度测评" in page.content.decode()
    marks = {row.key: "0" for row in services.ballot_rows(theirs)}
    cast = voter.post(reverse("evaluation:vote_cast"), {"code": codes[0], **marks})
    assert cast.status_code == 302, cast.content[:300]
    counted(theirs), counted(ours)
    assert (Ballot.objects.filter(survey=theirs).count(), Ballot.objects.filter(survey=ours).count()) == (
        1,
        0,
    )
    assert sum(tally(Survey.objects.get(pk=theirs.pk)).rows[0].counts) == 1
    assert sum(tally(Survey.objects.get(pk=ours.pk)).rows[0].counts) == 0
    # Codes are unique in the whole county: one town's code can never be another's.
    with pytest.raises(IntegrityError), transaction.atomic():
        VotingCode.objects.create(survey=ours, category=ours.categories.first(), code=codes[1])
