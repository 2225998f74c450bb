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
from zhenwu.evaluation.models import Answer, Ballot, Subject, VotingCode
from zhenwu.evaluation.tests.conftest import key_of, open_with_codes
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
        if isinstance(f, ForeignKey | OneToOneField) and f.concrete and f.related_model is Ballot
    }
    assert pointing == {"evaluation.answer.ballot"}


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
    assert AuditEvent.objects.count() == before
    ballot = Ballot.objects.get()
    assert ballot.at.second == 0 and ballot.at.microsecond == 0


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
    assert Ballot.objects.count() == 10 and Answer.objects.count() == 10
