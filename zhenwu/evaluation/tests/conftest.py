"""Fixtures of 测评: a satisfaction survey with three categories, open, with codes."""

from __future__ import annotations

from datetime import date

import pytest

from zhenwu.evaluation import services
from zhenwu.evaluation.models import Survey


@pytest.fixture
def survey(town, office) -> Survey:
    """满意度测评: one question on the 4-level scale; categories as preset."""
    return services.survey_create(
        actor=office, title="学习实践活动群众满意度测评", purpose="satisfaction",
        period_start=date(2026, 11, 1), period_end=date(2026, 11, 30),
    )  # fmt: skip


@pytest.fixture
def team_review(town, office) -> Survey:
    return services.survey_create(
        actor=office, title="镇领导班子民主测评", purpose="team_review",
        period_start=date(2026, 11, 1), period_end=date(2026, 11, 30), npc_members=10,
    )  # fmt: skip


def open_with_codes(survey: Survey, office, per_category: int = 5) -> dict[str, list[str]]:
    """Open the survey and make `per_category` codes for its first two categories."""
    services.survey_step(actor=office, survey=survey, action="open")
    codes: dict[str, list[str]] = {}
    for category in list(survey.categories.all())[:2]:
        batch = services.codes_generate(actor=office, survey=survey, category=category, count=per_category)
        codes[category.name] = list(survey.codes.filter(batch=batch).values_list("code", flat=True))
    return codes


def key_of(survey: Survey, question_index: int = 0, subject_index: int | None = None) -> str:
    rows = services.ballot_rows(Survey.objects.get(pk=survey.pk))
    question_rows = [r for r in rows if r.number == question_index + 1]
    row = question_rows[subject_index or 0]
    return row.key
