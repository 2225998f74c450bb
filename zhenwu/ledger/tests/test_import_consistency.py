"""The importer says the same whatever the clerk's language, and the commit writes what the
preview showed: one decision per row, made in planning, carried out by the services."""

import io

import pytest
from django.utils import translation
from openpyxl import Workbook

from zhenwu.core.actors import IMPORT
from zhenwu.ledger.constants import Category, Source
from zhenwu.ledger.importer import commit_import, plan_import
from zhenwu.ledger.policies import sheet_labels

pytestmark = pytest.mark.django_db

HEADER = ["序号", "问题来源", "问题类别", "问题描述", "整改措施", "责任领导", "责任单位", "责任人", "整改时限",
          "完成情况", "销号日期"]  # fmt: skip


def _sheet(rows: list[list[object]], filed: str = "2026年11月20日") -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(["××镇问题整改台账"])
    sheet.append(["填报单位：党政办", None, None, None, f"填报时间：{filed}"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def _row(n: int, **cells: object) -> list[object]:
    values = {
        "序号": str(n), "问题来源": "班子评议", "问题类别": "干部作风", "问题描述": f"第{n}个问题：办事推诿",
        "整改措施": "作风整顿", "责任领导": "刘志强", "责任单位": "经济发展办", "责任人": "张明",
        "整改时限": "2026年12月31日", "完成情况": "正在整改", "销号日期": None,
    } | cells  # fmt: skip
    return [values[h] for h in HEADER]


def test_the_sheets_sources_and_categories_are_read_in_the_towns_language(town):
    with translation.override("en"):
        labels = sheet_labels()
        plan = plan_import(_sheet([_row(1), _row(2, 问题来源="群众献言献策", 问题类别="基础设施")]))
    assert labels.sources["班子评议"] == Source.LEADERSHIP_REVIEW
    first, second = (r for r in plan.rows if r.fields.get("description"))
    assert (first.fields["source"], first.fields["category"]) == (Source.LEADERSHIP_REVIEW, Category.CONDUCT)
    assert (second.fields["source"], second.fields["category"]) == (
        Source.SUGGESTION,
        Category.INFRASTRUCTURE,
    )
    assert not any("未识别" in note for r in plan.rows for note in r.notes)


@pytest.mark.parametrize("column", ["deadline", "closed_on"])
def test_a_date_without_a_year_asks_for_the_year_in_english_too(ledger_town, column):
    from zhenwu.ledger.tests.sheets import TownLedger

    deadline, closed_on = ("6月底前", "") if column == "deadline" else ("2009年12月31日", "5月20日")
    row = [
        "1",
        "自查",
        "排水沟堵塞",
        "清淤",
        "刘志强",
        "村镇建设办",
        "王芳",
        deadline,
        "",
        "已完成",
        closed_on,
        "",
    ]
    sheet = TownLedger(title="××镇2009年整改台账", filed="2010年1月5日", rows=[row])
    with translation.override("en"):
        plan = plan_import(sheet.xlsx())
    assert plan.year.year is None and not plan.ok
    # The sheet-wide message that says to choose the year (in English here, so by its figures).
    assert len(plan.messages) == 1 and "2010" in plan.messages[0] and "2009" in plan.messages[0]


def test_the_commit_assigns_on_the_day_the_preview_showed(town):
    rows = [
        _row(1, 整改时限="2026年10月31日"),  # a fixed deadline before the sheet's 填报时间
        _row(2, 整改时限="2026年12月31日", 完成情况="已完成", 销号日期="2026年11月5日"),
        _row(3, 整改时限="10个工作日内"),
        _row(4),
    ]
    plan = plan_import(_sheet(rows))
    shown = {r.fields["serial"]: r.fields["assigned_on"] for r in plan.rows if r.fields.get("serial")}
    assert shown == {"1": "2026-10-31", "2": "2026-11-05", "3": "2026-11-20", "4": "2026-11-20"}
    assert "分派日期记为2026-10-31" in "".join(next(r for r in plan.rows if r.line == 4).notes)
    created = commit_import(plan, actor=IMPORT).created
    assert {p.imported_rows.get().serial: p.assigned_on.isoformat() for p in created} == shown


def _imported(town, **cells):
    [problem] = commit_import(plan_import(_sheet([_row(1, **cells)])), actor=IMPORT).created
    return problem


def test_recording_a_closure_takes_the_steps_from_where_the_problem_stands(town):
    from datetime import date

    from zhenwu.core.models import AuditEvent
    from zhenwu.ledger.constants import Action, LedgerAudit, Status
    from zhenwu.ledger.services import problem_record_closure, problem_record_step

    problem = _imported(town)
    assert problem.status == Status.IN_PROGRESS
    closed = problem_record_closure(
        actor=IMPORT, problem=problem, closed_on=date(2026, 11, 25), note="原台账"
    )
    assert closed.status == Status.CLOSED and closed.closed_on == date(2026, 11, 25)
    steps = list(closed.transitions.order_by("at", "id").values_list("action", flat=True))
    assert steps == [Action.ASSIGN, Action.APPLY_CLOSE, Action.ACCEPT]
    recorded = AuditEvent.objects.filter(action=LedgerAudit.STEP_RECORDED, object_id=str(problem.pk))
    assert sorted(e.after["step"] for e in recorded) == [Action.ACCEPT, Action.APPLY_CLOSE]

    applied = _imported(town, 序号="2", 问题描述="另一个问题")
    applied = problem_record_step(
        actor=IMPORT, problem=applied, action=Action.APPLY_CLOSE, at=closed.transitions.last().at
    )
    closed = problem_record_closure(actor=IMPORT, problem=applied, closed_on=date(2026, 11, 25))
    assert list(closed.transitions.order_by("at", "id").values_list("action", flat=True))[-2:] == [
        Action.APPLY_CLOSE,
        Action.ACCEPT,
    ]
    assert closed.transitions.filter(action=Action.APPLY_CLOSE).count() == 1


def test_a_closure_dated_before_the_problems_last_step_is_refused_not_moved(town):
    from datetime import date

    from django.core.exceptions import ValidationError

    from zhenwu.ledger.constants import Status
    from zhenwu.ledger.services import problem_record_closure

    problem = _imported(town)  # assigned on the sheet's 2026-11-20
    with pytest.raises(ValidationError, match="销号日期：2026-11-19早于该问题上一步办理的时间"):
        problem_record_closure(actor=IMPORT, problem=problem, closed_on=date(2026, 11, 19))
    problem.refresh_from_db()
    assert problem.status == Status.IN_PROGRESS
    # The same day as the last step: the sheet names the day, not the hour.
    closed = problem_record_closure(actor=IMPORT, problem=problem, closed_on=date(2026, 11, 20))
    assert closed.status == Status.CLOSED and closed.closed_on == date(2026, 11, 20)


def test_a_reimported_closure_before_the_last_step_is_an_error_in_the_preview(town):
    from zhenwu.ledger.constants import RowStatus, Status

    problem = _imported(town)
    plan = plan_import(
        _sheet([_row(1, 完成情况="已完成", 销号日期="2026年11月10日")], filed="2026年11月28日")
    )
    [row] = [r for r in plan.rows if r.fields.get("serial")]
    assert row.status == RowStatus.ERROR and "销号日期：2026-11-10早于系统中" in row.errors[0]
    with pytest.raises(Exception, match="存在错误"):
        commit_import(plan, actor=IMPORT)
    problem.refresh_from_db()
    assert problem.status == Status.IN_PROGRESS


# ---------------------------------------------------------------------------------------
# Queries: the preview and the commit cost the same whatever the sheet's length (batches of
# 500 rows aside); an update costs its services' writes and nothing more.


def _many(n: int, *, closed_every: int = 3, closed_on: str = "2026年11月25日") -> list[list[object]]:
    return [
        _row(i, 问题描述=f"问题{i}", 完成情况="已完成", 销号日期=closed_on)
        if i % closed_every == 0
        else _row(i, 问题描述=f"问题{i}")
        for i in range(1, n + 1)
    ]


# The numbers come from the town's counter (core.counters): an UPDATE and a SELECT per series,
# and, the first time, the highest number so far and the counter's row in a savepoint.
@pytest.mark.parametrize(("n", "sqlite_commit"), [(50, 26), (500, 43)])
def test_preview_and_commit_do_not_query_per_row(town, django_assert_num_queries, n, sqlite_commit):
    from django.db import connection

    town_id = town.party.town_id  # as the page passes it (the account's town, no query)
    with django_assert_num_queries(6):
        plan = plan_import(_sheet(_many(n)), town_id=town_id)
    # SQLite inserts in batches (one more batch a 500 rows, not a query a row); PostgreSQL
    # copies each table in one statement (core.bulk), whatever the size.
    commit_queries = 23 if connection.vendor == "postgresql" else sqlite_commit
    with django_assert_num_queries(commit_queries):
        commit_import(plan, actor=IMPORT)
    # Re-imported, every row now closed: recognised in the same few queries.
    with django_assert_num_queries(8):
        again = plan_import(
            _sheet(_many(n, closed_every=1, closed_on="2026年11月28日"), filed="2026年11月30日"),
            town_id=town_id,
        )
    updates = again.counts["update"]
    assert updates == n - n // 3
    # Each update is two services (完成情况, then the closure), each locking and auditing its
    # problem: 20 queries a row (22 on PostgreSQL, whose row locks and audit chain lock are
    # statements of their own), and no Problem fetched or last step asked beforehand.
    base, per_row = (16, 22) if connection.vendor == "postgresql" else (15, 20)
    with django_assert_num_queries(base + per_row * updates):
        commit_import(again, actor=IMPORT)


def test_the_alias_page_lists_any_number_of_aliases_in_the_same_queries(ledger_town, office):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from zhenwu.conftest import client_for
    from zhenwu.ledger.services import department_alias_save

    client = client_for(office)
    client.get(reverse("ledger:aliases"))  # the session's first request loads what it caches
    counts = []
    for alias in ("建设办", "村建所", "城建办", "规划办", "建管站"):
        department_alias_save(actor=office, alias=alias, unit=ledger_town.building)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("ledger:aliases")).content.decode()
        assert alias in page
        counts.append(len(queries))
    assert counts == [5] * 5


def test_what_a_row_becomes_is_named_by_the_ledgers_own_enums(ledger_town):
    from zhenwu.ledger.constants import Status
    from zhenwu.ledger.importer.directory import Directory, MatchHow, PersonMatch
    from zhenwu.ledger.tests.sheets import TownLedger

    plan = plan_import(TownLedger().xlsx())
    outcomes = {r.fields["outcome"] for r in plan.rows if r.fields.get("outcome")}
    assert outcomes and all(isinstance(o, Status) for o in outcomes)
    closed = next(r for r in plan.rows if r.fields.get("outcome") == Status.CLOSED)
    with translation.override("en"):
        assert closed.outcome == f"{Status.CLOSED.label} {closed.fields['closed_on']}"
    directory = Directory(plan.town_id)
    assert directory.department("镇党政办").how is MatchHow.NAME
    assert directory.person("没这个人", None)[1] is PersonMatch.MISSING


# ---------------------------------------------------------------------------------------
# The office's choices: one range each, checked in one place for the page and the command line


def test_a_year_or_period_out_of_range_is_refused_by_the_page_and_the_command_line(town, office, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.core.management.base import CommandError
    from django.urls import reverse
    from django.utils import timezone

    from zhenwu.conftest import client_for
    from zhenwu.core.calendar import FIRST_YEAR
    from zhenwu.ledger.importer import IMMEDIATE_MAX_DAYS, choice_years

    this = timezone.localdate().year
    assert list(choice_years(timezone.localdate()))[::-1] == list(range(FIRST_YEAR, this + 1))
    client = client_for(office)
    for sent, said in (
        ({"year": str(FIRST_YEAR - 1)}, f"年份：应为{FIRST_YEAR}到{this}年"),
        ({"year": str(this + 1)}, f"年份：应为{FIRST_YEAR}到{this}年"),
        (
            {"immediate_days": str(IMMEDIATE_MAX_DAYS + 1)},
            f"立行立改的期限：应为1到{IMMEDIATE_MAX_DAYS}个工作日",
        ),
    ):
        upload = SimpleUploadedFile("台账.xlsx", _sheet([_row(1)]).getvalue())
        page = client.post(reverse("ledger:import"), {"file": upload, **sent}, follow=True).content.decode()
        assert said in page, sent
    path = tmp_path / "台账.xlsx"
    path.write_bytes(_sheet([_row(1)]).getvalue())
    with pytest.raises(CommandError, match=f"--immediate-days 立行立改的期限：应为1到{IMMEDIATE_MAX_DAYS}"):
        call_command("import_ledger", str(path), "--dry-run", "--immediate-days", str(IMMEDIATE_MAX_DAYS + 1))
    with pytest.raises(CommandError, match="--year 年份：应为"):
        call_command("import_ledger", str(path), "--dry-run", "--year", "1999")
    call_command("import_ledger", str(path), "--dry-run", "--immediate-days", str(IMMEDIATE_MAX_DAYS))


@pytest.mark.parametrize(
    ("cell", "basis", "days", "deadline"),
    [
        ("999周内", "calendar_days", 999 * 7, None),  # nineteen years on
        ("2050年6月30日", "date", None, "2050-06-30"),
    ],
)
def test_a_deadline_the_service_would_refuse_is_refused_in_its_words(town, cell, basis, days, deadline):
    from datetime import date

    from django.core.exceptions import ValidationError

    from zhenwu.ledger.services import compute_deadline

    plan = plan_import(_sheet([_row(1, 整改时限=cell)]))
    [row] = [r for r in plan.rows if r.fields.get("serial")]
    with pytest.raises(ValidationError) as refused:
        compute_deadline(
            basis=basis,
            assigned_on=date(2026, 11, 20),
            deadline=date.fromisoformat(deadline) if deadline else None,
            days=days,
        )
    assert row.errors == [refused.value.messages[0]]


def test_deadlines_from_the_sheet_are_the_services_deadlines(town):
    from datetime import date

    from zhenwu.ledger.services import compute_deadline

    cells = ["15个工作日内", "30天内", "3个月内", "2026年12月31日", "长期坚持"]
    plan = plan_import(_sheet([_row(n, 整改时限=cell) for n, cell in enumerate(cells, start=1)]))
    rows = [r for r in plan.rows if r.fields.get("serial")]
    assert [r.fields["deadline"] for r in rows] == [
        compute_deadline(
            basis="workdays", assigned_on=date(2026, 11, 20), deadline=None, days=15
        ).day.isoformat(),
        "2026-12-20",
        "2027-02-20",
        "2026-12-31",
        "",
    ]
    assert [r.fields["deadline_basis"] for r in rows] == [
        "workdays",
        "calendar_days",
        "date",
        "date",
        "long_term",
    ]
