"""Every model says how it reaches its town (org/towns.py, ADR 0008 §2).

This is the first test a new module meets: its models must be declared, and a new model may
not be "not yet" (its first migration carries the town, issue 15). Many-to-many tables go with
the model that owns the field and are not declared on their own.
"""

from __future__ import annotations

import pytest
from django.apps import apps

from zhenwu.org import towns
from zhenwu.org.models import Town, Unit

# The models of the day the county plan was written (docs/county-plan.md §1) that are still
# waiting for their step. It may only shrink: a module's new model is never pending.
PENDING_AT_THE_START = {
    "org.Person", "org.PersonRole", "org.User", "org.ApiToken", "core.AuditEvent",
    "ledger.Problem", "ledger.DepartmentAlias", "ledger.ImportedRow", "ledger.ProblemTransition",
    "ledger.ProgressReport", "ledger.Evidence", "ledger.Extension", "ledger.Suspension",
    "ledger.FollowUp", "ledger.ReopenRequest",
    "suggestions.Campaign", "suggestions.Suggestion", "suggestions.RoutingModel",
    "suggestions.RoutingCatalogue", "suggestions.RoutingTopic", "suggestions.SuggestionPhoto",
    "suggestions.SuggestionFollowUp", "suggestions.SimilarityFacets",
    "evaluation.Survey", "evaluation.RespondentCategory", "evaluation.Question",
    "evaluation.Subject", "evaluation.VotingCode", "evaluation.Ballot", "evaluation.PendingBallot",
    "evaluation.CastMinute", "evaluation.Answer", "evaluation.PaperSheet",
    "bulletins.Bulletin",
}  # fmt: skip


def _models() -> dict[str, type]:
    return {
        m._meta.label: m
        for m in apps.get_models(include_auto_created=True)
        if not m._meta.proxy and not m._meta.auto_created
    }


def test_every_model_declares_its_town():
    declared = towns.declared()
    missing = sorted(set(_models()) - set(declared))
    assert not missing, f"models that do not say how they reach their town (org/towns.py): {missing}"
    assert not set(declared) - set(_models()), "declarations for models that do not exist"


@pytest.mark.parametrize("label", sorted(k for k, d in towns.declared().items() if d.kind == "town"))
def test_a_path_ends_at_the_town(label):
    path = towns.declared()[label].path
    assert path and towns.resolve(path, _models()[label]) is Town


def test_pending_models_are_only_todays_and_wait_for_their_step():
    pending = {label: d for label, d in towns.declared().items() if d.kind == "pending"}
    assert set(pending) <= PENDING_AT_THE_START, "a new model must carry its town from its first migration"
    for label, entry in pending.items():
        assert entry.why.startswith("step "), label
        with pytest.raises(LookupError):  # the path works once the step lands: declare it in_town
            assert towns.resolve(entry.path or "", _models()[label]) is not Town
        with pytest.raises(LookupError):
            towns.town_path(_models()[label])


def test_county_wide_models_say_why():
    for label, entry in towns.declared().items():
        if entry.kind == "county":
            assert entry.why, label
            assert towns.town_path(_models()[label]) is None


def test_a_declaration_cannot_be_changed_by_a_second_one():
    with pytest.raises(ValueError):
        towns.county_wide("org.Unit", "no")
    towns.in_town("org.Unit")  # the same declaration again is harmless
    assert towns.town_path(Unit) == "town"
