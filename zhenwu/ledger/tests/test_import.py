import io
import json
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from zhenwu.core.models import AuditEvent
from zhenwu.ledger.constants import Status
from zhenwu.ledger.importer import SheetError, commit_import, plan_import
from zhenwu.ledger.models import Problem
from zhenwu.ledger.tests.sheets import messy_ledger
from zhenwu.org.models import Person

pytestmark = pytest.mark.django_db


def test_a_messy_sheet_is_read_row_by_row(town):
    plan = plan_import(messy_ledger(), default_year=2026)
    assert plan.header_line == 3
    assert plan.counts == {"ok": 3, "skipped": 2}
    first, blank, second, third, total = plan.rows
    assert first.fields["deadline"] == "2026-12-31" and first.fields["number"] == "1"
    assert blank.notes == ["空行"] and total.notes == ["合计行"]
    assert second.fields["leader"] == "刘志强" and second.fields["department"] == "经济发展办"
    assert second.fields["assignees"] == ["张明", "赵丽"] and second.fields["deadline"] == "2026-12-15"
    assert third.fields["long_term"] is True


def test_commit_creates_every_problem_through_the_engine(town, office):
    created = commit_import(
        plan_import(messy_ledger(), default_year=2026), actor=office, file_name="台账.xlsx"
    )
    assert len(created) == 3
    assert {p.status for p in created} == {Status.IN_PROGRESS, Status.LONG_TERM}
    assert Problem.objects.get(description="办事签字难").assignees.count() == 2
    assert AuditEvent.objects.filter(action="problem.imported").count() == 1


def test_bad_rows_are_listed_with_their_reasons_and_nothing_is_committed(town, office):
    sheet = messy_ledger(
        [
            ["1", "自查", "好行", "", "刘志强", "经济发展办", "张明", "2026-12-31", ""],
            ["2", "自查", "坏部门", "", "刘志强", "宣传部", "张明", "2026-12-31", ""],
            ["3", "自查", "坏日期", "", "刘志强", "经济发展办", "张明", "尽快", ""],
            ["4", "自查", "陌生人", "", "刘志强", "经济发展办", "钱多多", "2026-12-31", ""],
        ]
    )
    plan = plan_import(sheet, default_year=2026)
    errors = {r.line: r.errors for r in plan.rows}
    assert "不在组织机构中" in errors[5][0]
    assert "无法识别" in errors[6][0]
    assert "不在人员名册中" in errors[7][0]
    with pytest.raises(ValidationError, match="3行存在错误"):
        commit_import(plan, actor=office)
    assert not Problem.objects.exists()


def test_missing_people_are_created_only_when_told_to(town, office):
    sheet = messy_ledger([["1", "自查", "新人负责", "", "刘志强", "经济发展办", "钱多多", "2026-12-31", ""]])
    plan = plan_import(sheet, create_missing=True, default_year=2026)
    assert plan.ok and plan.to_create == ["钱多多"]
    commit_import(plan, actor=office)
    assert Person.objects.filter(name="钱多多").exists()


def test_a_sheet_without_a_header_is_refused(town):
    with pytest.raises(SheetError, match="没有找到表头"):
        plan_import(io.BytesIO(_no_header()))
    with pytest.raises(SheetError, match="无法读取"):
        plan_import(io.BytesIO(b"not an excel file"))


def _no_header() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["名单"])
    book.active.append(["张三", "李四"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_command_line_prints_a_json_report_and_dry_run_writes_nothing(town, office, tmp_path, capsys):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(messy_ledger().getvalue())
    call_command("import_ledger", str(path), "--dry-run", "--json", "--year", "2026")
    report = json.loads(capsys.readouterr().out)
    assert report["counts"] == {"ok": 3, "skipped": 2}
    assert not Problem.objects.exists()
    call_command("import_ledger", str(path), "--year", "2026")
    assert Problem.objects.count() == 3


def test_the_command_line_refuses_a_sheet_with_errors(town, office, tmp_path, capsys):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(
        messy_ledger([["1", "自查", "x", "", "刘志强", "宣传部", "张明", "2026-12-31", ""]]).getvalue()
    )
    with pytest.raises(CommandError, match="存在错误"):
        call_command("import_ledger", str(path))
    assert "第4行" in capsys.readouterr().out
    assert not Problem.objects.exists()


def test_closed_rows_replay_their_closure(town, office):
    sheet = messy_ledger([["1", "自查", "已办结", "", "刘志强", "经济发展办", "张明", "2026-10-31", ""]])
    plan = plan_import(sheet, default_year=2026)
    plan.rows[0].fields["closed_on"] = "2026-10-30"
    problem = commit_import(plan, actor=office)[0]
    assert problem.status == Status.CLOSED and problem.closed_on == date(2026, 10, 30)


def test_a_closed_row_imported_by_the_system_keeps_its_dates_in_the_history(town):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from zhenwu.core.actors import IMPORT

    sheet = messy_ledger([["1", "自查", "已办结", "", "刘志强", "经济发展办", "张明", "2026-10-31", ""]])
    plan = plan_import(sheet, default_year=2026)
    plan.rows[0].fields["closed_on"] = "2026-10-30"
    problem = commit_import(plan, actor=IMPORT)[0]
    tz = ZoneInfo("Asia/Shanghai")
    steps = list(problem.transitions.order_by("at", "id").values_list("action", "to_status", "at"))
    assert steps == [
        ("assign", Status.IN_PROGRESS, datetime(2026, 10, 30, 9, tzinfo=tz)),
        ("apply_close", Status.CLOSURE_REQUESTED, datetime(2026, 10, 30, 17, tzinfo=tz)),
        ("accept", Status.CLOSED, datetime(2026, 10, 30, 17, tzinfo=tz)),
    ]
    assert problem.assigned_on == date(2026, 10, 30) and problem.closed_on == date(2026, 10, 30)
