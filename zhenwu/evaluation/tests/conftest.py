"""Fixtures of 测评: a satisfaction survey with three categories, open, with codes."""

from __future__ import annotations

from datetime import date

import pytest

from zhenwu.conftest import PASSWORD
from zhenwu.core.actors import DEMO
from zhenwu.evaluation import pool, services
from zhenwu.evaluation.models import Survey
from zhenwu.org.constants import AccountRole
from zhenwu.org.services import account_create


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


@pytest.fixture
def clerks(town):
    """Three office accounts: two to key paper, a third to settle a mismatch."""
    return [
        account_create(
            actor=DEMO,
            username=f"clerk{i}",
            password=PASSWORD,
            role=AccountRole.OFFICE,
            unit=town.office_dept,
            must_change_password=False,
        )  # fmt: skip
        for i in (1, 2, 3)
    ]


def open_with_codes(survey: Survey, office, per_category: int = 5) -> dict[str, list[str]]:
    """Open the survey and make `per_category` codes for its first two categories."""
    services.survey_step(actor=office, survey=survey, action="open")
    codes: dict[str, list[str]] = {}
    for category in list(survey.categories.all())[:2]:
        batch = services.codes_generate(actor=office, survey=survey, category=category, count=per_category)
        codes[category.name] = list(survey.codes.filter(batch=batch).values_list("code", flat=True))
    return codes


def counted(survey: Survey) -> Survey:
    """Write every waiting ballot of the survey, as its close does (ADR 0005: a cast only
    claims its code and seals its ballot into the pool)."""
    survey = Survey.objects.get(pk=survey.pk)
    pool.flush(survey, everything=True)
    return survey


def key_of(survey: Survey, question_index: int = 0, subject_index: int | None = None) -> str:
    rows = services.ballot_rows(Survey.objects.get(pk=survey.pk))
    question_rows = [r for r in rows if r.number == question_index + 1]
    row = question_rows[subject_index or 0]
    return row.key
