"""Secret ballots (ADR 0005): no query path leads from a ballot to a code, an account or a voter."""

from __future__ import annotations

import threading

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import ForeignKey, ManyToManyField, OneToOneField

from zhenwu.core.models import AuditEvent
from zhenwu.evaluation import services
from zhenwu.evaluation.models import Answer, Ballot, CastMinute, PendingBallot, Subject, VotingCode
from zhenwu.evaluation.tests.conftest import counted, key_of, open_with_codes
from zhenwu.org.models import Person, User

# What a ballot (and its answers) may point at, directly or through any chain of relations.
ALLOWED = {"evaluation.survey", "evaluation.respondentcategory", "evaluation.question", "evaluation.subject",
           "evaluation.scale", "evaluation.ballot"}  # fmt: skip


def _reachable(model, seen=None):
    """Every model reachable from `model` by following foreign keys forward, except through Survey
    (a survey has an owner account; the owner is not a voter) and Subject.person (the rated leader)."""
    seen = set() if seen is None else seen
    for field in model._meta.get_fields():
        if not isinstance(field, ForeignKey | OneToOneField | ManyToManyField) or not field.concrete:
            continue
        target = field.related_model
        label = target._meta.label_lower
        if (model, field.name) in {(Subject, "person")} or label in seen:
            continue
        seen.add(label)
        if label not in ("evaluation.survey",):
            _reachable(target, seen)
    return seen


def test_ballots_and_answers_reach_no_code_account_or_person():
    for model in (Ballot, Answer):
        reachable = _reachable(model)
        assert reachable <= ALLOWED, f"{model.__name__} reaches {reachable - ALLOWED}"


def test_nothing_points_at_a_ballot_but_its_answers():
    pointing = {
        f"{m._meta.label_lower}.{f.name}"
        for m in apps.get_models()
        for f in m._meta.get_fields()
        if isinstance(f, ForeignKey | OneToOneField)
        and f.concrete
        and f.related_model in (Ballot, PendingBallot)
    }
    assert pointing == {"evaluation.answer.ballot"}


def test_the_pool_and_the_minute_counts_hold_nothing_readable():
    """A pending ballot shares its code's transaction: it keeps only what the code says anyway
    (survey, category, channel) and a sealed blob. The per-minute counts keep counts."""
    assert {f.name for f in PendingBallot._meta.get_fields() if f.concrete} == {
        "id", "survey", "category", "channel", "sealed"
    }  # fmt: skip
    assert {f.name for f in CastMinute._meta.get_fields() if f.concrete} == {
        "id",
        "survey",
        "minute",
        "ballots",
    }
    for model in (Ballot, PendingBallot):
        assert not model._meta.get_field("id").auto_created, f"{model.__name__} ids come from a sequence"


def test_a_code_records_neither_time_nor_ballot():
    fields = {f.name for f in VotingCode._meta.get_fields() if f.concrete}
    assert fields == {"id", "survey", "category", "code", "batch", "used"}
    assert not any(f.name in ("user", "person", "ip") for f in Ballot._meta.get_fields())
    assert User and Person  # named to say what must not be reachable


@pytest.mark.django_db
def test_casting_writes_no_audit_event_and_the_minute_only(survey, office):
    code = open_with_codes(survey, office)["党员代表"][0]
    before = AuditEvent.objects.count()
    services.ballot_cast(code=code, marks={key_of(survey): "0"}, ip="10.0.0.9")
    counted(survey)
    assert AuditEvent.objects.count() == before
    ballot = Ballot.objects.get()
    assert ballot.at.second == 0 and ballot.at.microsecond == 0
    (minute,) = CastMinute.objects.all()
    assert minute.ballots == 1 and minute.minute.second == 0


@pytest.mark.django_db
def test_a_pending_ballot_is_sealed_and_padded(survey, office):
    """Casts with no comment and with the longest ones: their pool rows are the same length, none
    holds the comment, and another key (a copied database without the server's secret) opens none."""
    from django.test import override_settings

    from zhenwu.evaluation import pool

    codes = open_with_codes(survey, office)["党员代表"]
    question = survey.questions.get()
    services.ballot_cast(code=codes[0], marks={key_of(survey): "0"})
    services.ballot_cast(
        code=codes[1], marks={key_of(survey): "3"}, comments={f"c{question.pk}": "路灯" * 250}
    )
    # The longest a comment can be written in (500 control characters, six bytes each in JSON).
    services.ballot_cast(
        code=codes[2], marks={key_of(survey): "1"}, comments={f"c{question.pk}": "\x01" * 600}
    )
    rows = list(PendingBallot.objects.all())
    assert len(rows) == 3 and len({len(bytes(r.sealed)) for r in rows}) == 1
    assert all("路灯".encode() not in bytes(r.sealed) for r in rows)
    opened = pool.unseal(
        rows[0].sealed, survey_id=survey.pk, category_id=rows[0].category_id, channel="online"
    )
    assert opened["a"][0][2] in (0, 3) and opened["m"]
    with override_settings(SECRET_KEY="another-server-" * 4), pytest.raises(ValidationError) as caught:
        pool.unseal(rows[0].sealed, survey_id=survey.pk, category_id=rows[0].category_id, channel="online")
    assert "无法解开" in caught.value.messages[0]
    with pytest.raises(ValidationError):  # moved to another category, it no longer opens
        pool.unseal(
            rows[0].sealed, survey_id=survey.pk, category_id=rows[0].category_id + 1, channel="online"
        )


@pytest.mark.django_db(transaction=True)
def test_the_same_code_twice_at_once_makes_one_ballot(survey, office):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are PostgreSQL's case; SQLite serialises them")
    codes = open_with_codes(survey, office, per_category=10)["党员代表"]
    key = key_of(survey)
    outcomes: list[str] = []

    # Both submissions have looked the code up and seen it unused before either claims it:
    # the race is decided by the claim alone, ten times over.
    def cast(found, barrier: threading.Barrier) -> None:
        try:
            barrier.wait()
            services.ballot_cast_for(found, marks={key: "0"})
            outcomes.append("cast")
        except ValidationError as exc:
            outcomes.append(exc.messages[0])
        finally:
            connection.close()

    for code in codes:
        barrier = threading.Barrier(2)
        found = [services.code_lookup(code, ip=None) for _ in range(2)]
        threads = [threading.Thread(target=cast, args=(f, barrier)) for f in found]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted(outcomes) == ["cast"] * 10 + ["测评码：该测评码已经使用过，每个测评码只能投票一次"] * 10
    assert PendingBallot.objects.count() == 10
    counted(survey)
    assert Ballot.objects.count() == 10 and Answer.objects.count() == 10
