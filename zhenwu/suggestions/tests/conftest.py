"""Fixtures of 献言献策: a resident's suggestion, and closing a problem through the ledger."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhenwu.ledger.models import Problem
from zhenwu.ledger.services import problem_accept, problem_apply_close
from zhenwu.suggestions.services import suggestion_submit


@pytest.fixture
def suggestion(town):
    return suggestion_submit(
        text="红岩村三组的路灯坏了两个月了，晚上出门看不见路", village=town.village, phone="138 1234 5678"
    )


def close(problem: Problem, staff, office) -> Problem:
    """Apply for closure with evidence as the 责任人, then accept as the office."""
    pdf = SimpleUploadedFile("验收.pdf", b"%PDF-1.4 closure")
    problem_apply_close(actor=staff, problem=problem, completion="已修复", files=[pdf])
    return problem_accept(actor=office, problem=Problem.objects.get(pk=problem.pk))
