"""Ballots cannot be joined to the codes or paper sheets that made them (ADR 0005, issue 12 §1).

The attack of issue 12 read every ballot's code from the storage itself: the claim of the
code and the insert of the ballot shared a transaction id (`xmin`), used codes and ballots
lay in the heap (`ctid`, SQLite's `rowid`) and in id order by casting order, and the ballot
kept its minute. Here thirty voters, each with a comment of their own (so the truth is
known), and twelve paper sheets with a distinct mark each go through the real path: the
phone cast, two clerks keying, `tick` and closing. Then every join an attacker with read
access would try — equal `xmin`, and pairing the used codes in claim order with the ballots
in id, heap, answer and time order — must find nothing better than the batch of k.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django.test import override_settings

from zhenwu.core.tick import run_tick
from zhenwu.evaluation import services
from zhenwu.evaluation.models import Answer, Ballot, Survey
from zhenwu.evaluation.tests.conftest import open_with_codes

pytestmark = pytest.mark.django_db(transaction=True)

K = 5
START = datetime(2026, 11, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
ONLINE = {"党员代表": 24, "人大代表": 6}
SHEETS = 12  # keyed into 党员代表, on paper


def _vote(survey: Survey, office, clerks) -> tuple[list[tuple[str, str, str]], dict[int, tuple[int, ...]]]:
    """Cast through the real path, a minute apart, with two ticks on the way and the close at
    the end. Returns the casting order [(category, code, comment)] and each sheet's marks."""
    scale = survey.questions.get().scale
    for text in ("第二题", "第三题"):
        services.question_add(actor=office, survey=survey, text=text, scale=scale)
    codes = open_with_codes(survey, office, per_category=24)
    rows = services.ballot_rows(Survey.objects.get(pk=survey.pk))
    comment_key = f"c{rows[0].question.pk}"
    voters = [(name, code) for name, n in ONLINE.items() for code in codes[name][:n]]
    voters = voters[::2] + voters[1::2]  # the two categories interleaved
    sheet_marks = {n: (n % 4, n // 4 % 4, 3 - n % 3) for n in range(1, SHEETS + 1)}
    assert len(set(sheet_marks.values())) == SHEETS
    category = survey.categories.get(name="党员代表")
    cast: list[tuple[str, str, str]] = []
    at = START
    for i, (name, code) in enumerate(voters, start=1):
        at += timedelta(minutes=1)
        with time_machine.travel(at, tick=False):
            comment = f"第{i}位投票人"
            services.ballot_cast(
                code=code, marks={r.key: str(i % 4) for r in rows}, comments={comment_key: comment}
            )
            cast.append((name, code, comment))
            if i % 2 == 0 and i // 2 <= SHEETS:
                marks = {r.key: str(level) for r, level in zip(rows, sheet_marks[i // 2], strict=True)}
                for clerk in clerks[:2]:
                    services.paper_enter(
                        actor=clerk, survey=survey, category=category, sheet_no=i // 2, marks=marks
                    )
            if i in (12, 24):
                run_tick(at)
    with time_machine.travel(at + timedelta(minutes=30), tick=False):
        services.survey_step(actor=office, survey=Survey.objects.get(pk=survey.pk), action="close")
    return cast, sheet_marks


def _hits(pairs_a: list, pairs_b: list) -> int:
    """How many positions two equally long orders agree on."""
    return sum(1 for a, b in zip(pairs_a, pairs_b, strict=False) if a == b)


def _comments(survey: Survey) -> dict[int, str]:
    return {
        a.ballot_id: a.comment
        for a in Answer.objects.filter(survey=survey, ballot__channel="online").exclude(comment="")
    }


def _levels(survey: Survey) -> dict[int, tuple[int, ...]]:
    out: dict[int, list[int]] = {}
    for ballot_id, level in (
        Answer.objects.filter(survey=survey, ballot__channel="paper")
        .order_by("question__order")
        .values_list("ballot_id", "level")
    ):
        out.setdefault(ballot_id, []).append(level)
    return {b: tuple(levels) for b, levels in out.items()}


def _orders(survey: Survey, channel: str, category_id: int, system: str) -> dict[str, list[int]]:
    """The ballots of one category and channel in every order the storage offers."""
    with connection.cursor() as cursor:
        orders = {}
        for name, key in {
            "id": "b.id",
            "heap": f"b.{system}",
            "time": "b.at, b.id",
            "first answer id": "min(a.id)",
            "first answer in the heap": f"min(a.{system}::text)" if system == "ctid" else "min(a.rowid)",
        }.items():
            cursor.execute(
                f"SELECT b.id FROM evaluation_ballot b LEFT JOIN evaluation_answer a ON a.ballot_id = b.id "
                f"WHERE b.survey_id = %s AND b.channel = %s AND b.category_id = %s "
                f"GROUP BY b.id, b.{system}, b.at ORDER BY {key}",
                [survey.pk, channel, category_id],
            )
            orders[name] = [row[0] for row in cursor.fetchall()]
    return orders


def _each_batch_hides_k(survey: Survey, batch_key: str) -> None:
    """Ballots written together (one transaction, or one stored time) number at least k per
    category and channel: what the storage tells about a ballot is at best its batch."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT category_id, channel, {batch_key}, count(*) FROM evaluation_ballot WHERE survey_id = %s "
            f"GROUP BY category_id, channel, {batch_key}",
            [survey.pk],
        )
        groups = cursor.fetchall()
    totals = Counter()
    for category_id, channel, _batch, n in groups:
        totals[(category_id, channel)] += n
    small = [(c, ch, n) for c, ch, _b, n in groups if n < min(K, totals[(c, ch)])]
    assert not small, f"batches smaller than k={K} (category, channel, size): {small}"


def _order_attacks(survey: Survey, cast, sheet_marks, system: str, claim_order: dict[str, list[str]]) -> None:
    """Pair used codes (in claim order) and sheets (in keying order) with ballots in each order
    the storage has, and count the pairs that are right. The old path got all 42 right; batches
    shuffled before they are written leave about one right pair per batch (a random order's
    fixed points), so the 5 batches here give about 5, and half of 42 is out of reach of chance."""
    comments = _comments(survey)
    truth = {code: comment for _name, code, comment in cast}
    levels = _levels(survey)
    paper = survey.categories.get(name="党员代表")
    hits: Counter[str] = Counter()
    for category in survey.categories.filter(name__in=ONLINE):
        claimed = claim_order[category.name]
        assert len(claimed) == ONLINE[category.name]
        for name, ballots in _orders(survey, "online", category.pk, system).items():
            hits[name] += _hits([truth[c] for c in claimed], [comments[b] for b in ballots])
    for name, ballots in _orders(survey, "paper", paper.pk, system).items():
        hits[name] += _hits([sheet_marks[n] for n in range(1, SHEETS + 1)], [levels[b] for b in ballots])
    everyone = sum(ONLINE.values()) + SHEETS
    assert len(hits) == 5 and all(n < everyone / 2 for n in hits.values()), (
        f"right pairs of {everyone}, by the order of ballots' {dict(hits)}"
    )


@override_settings(ZHENWU_BALLOT_BATCH=K)
def test_postgresql_stores_nothing_that_joins_a_ballot_to_its_code_or_sheet(survey, office, clerks):
    if connection.vendor != "postgresql":
        pytest.skip("xmin and ctid are PostgreSQL's; SQLite's rowid is the test below")
    cast, sheet_marks = _vote(survey, office, clerks)
    with connection.cursor() as cursor:
        # 1. The query, and the same through answers and through paper sheets.
        for table, other in (
            ("evaluation_ballot", "evaluation_votingcode"),
            ("evaluation_answer", "evaluation_votingcode"),
            ("evaluation_ballot", "evaluation_papersheet"),
            ("evaluation_answer", "evaluation_papersheet"),
        ):
            cursor.execute(f"SELECT count(*) FROM {table} b JOIN {other} c ON c.xmin::text = b.xmin::text")
            assert cursor.fetchone()[0] == 0, f"{table} shares a transaction id with {other}"
        # 2. No row of any table of the app (or the audit log) was written by a voter's cast.
        cursor.execute("SELECT DISTINCT xmin::text FROM evaluation_votingcode WHERE used")
        casts = [row[0] for row in cursor.fetchall()]
        assert len(casts) == sum(ONLINE.values())
        for model in [*apps.get_app_config("evaluation").get_models(), apps.get_model("core", "AuditEvent")]:
            if model._meta.db_table == "evaluation_votingcode":
                continue
            cursor.execute(f"SELECT count(*) FROM {model._meta.db_table} WHERE xmin::text = ANY(%s)", [casts])
            assert cursor.fetchone()[0] == 0, f"{model._meta.db_table} keeps a row written by a cast"
        # 3. What the transaction ids do tell: the batch, at least k ballots of a category.
        _each_batch_hides_k(survey, "xmin::text")
        cursor.execute(
            "SELECT max(n) FROM (SELECT count(DISTINCT at) AS n FROM evaluation_ballot GROUP BY xmin::text) AS t"
        )
        assert cursor.fetchone()[0] == 1, "a ballot's time says more than its batch"
        # 4. Order: used codes in the order they were claimed (transaction id, then heap).
        claim_order: dict[str, list[str]] = {}
        for name in ONLINE:
            cursor.execute(
                "SELECT c.code FROM evaluation_votingcode c JOIN evaluation_respondentcategory r ON r.id = c.category_id "
                "WHERE c.used AND r.name = %s ORDER BY c.xmin::text::bigint, c.ctid",
                [name],
            )
            claim_order[name] = [row[0] for row in cursor.fetchall()]
        # The attacker's premise: the codes' transaction ids give the order they were used in.
        assert claim_order["党员代表"] == [code for n, code, _c in cast if n == "党员代表"]
    _order_attacks(survey, cast, sheet_marks, "ctid", claim_order)
    assert Ballot.objects.filter(survey=survey).count() == sum(ONLINE.values()) + SHEETS


@override_settings(ZHENWU_BALLOT_BATCH=K)
def test_sqlite_rowid_and_ids_carry_no_casting_order(survey, office, clerks):
    if connection.vendor != "sqlite":
        pytest.skip("rowid is SQLite's; PostgreSQL is the test above")
    cast, sheet_marks = _vote(survey, office, clerks)
    # SQLite keeps no transaction id; what an attacker knows of the claim order is the casting
    # order itself (a web server's log of who posted when), so the attack pairs with that.
    claim_order = {name: [code for n, code, _c in cast if n == name] for name in ONLINE}
    _each_batch_hides_k(survey, "at")
    _order_attacks(survey, cast, sheet_marks, "rowid", claim_order)
    assert Ballot.objects.filter(survey=survey).count() == sum(ONLINE.values()) + SHEETS
