"""Importing a town's real 整改台账: what the preview says of each row, and what the commit writes."""

import io
import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from zhenwu.core.actors import IMPORT
from zhenwu.core.audit import audit_verify
from zhenwu.core.models import AuditEvent
from zhenwu.ledger.constants import DeadlineBasis, NotStarted, RowStatus, Status
from zhenwu.ledger.importer import Choices, SheetError, commit_import, plan_import
from zhenwu.ledger.importer.directory import Directory
from zhenwu.ledger.models import DepartmentAlias, ImportedRow, Problem
from zhenwu.ledger.services import department_alias_save
from zhenwu.ledger.tests.sheets import TownLedger, messy_ledger
from zhenwu.org.models import Person

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def _rows(plan):
    """Sheet line → row result."""
    return {r.line: r for r in plan.rows}


def _settled(town):
    """The office's answers to the town ledger's questions, as the preview sends them."""
    key = Directory(town.party.town_id).key("建设办")
    return Choices(
        mappings={key: town.building.pk},
        remember={key},
        not_started=NotStarted.IN_PROGRESS,
        immediate_days=5,
    )


# ---------------------------------------------------------------------------------------
# Reading the sheet


def test_a_town_ledger_is_read_row_by_row(ledger_town):
    plan = plan_import(TownLedger().xlsx())
    assert plan.header_line == 4  # two header rows under the merged 责任主体
    assert plan.year.year == 2009 and "填报时间" in plan.year.why
    assert plan.start == date(2009, 4, 2)
    rows = _rows(plan)
    assert rows[5].status == RowStatus.SKIPPED and "分组标题" in rows[5].notes[0]
    first, second, third = rows[6], rows[7], rows[8]
    # What the clerk wrote is kept as written: full-width punctuation and all.
    assert (
        first.fields["description"]
        == "班子成员深入基层调研不够，对群众反映的问题（特别是道路、饮水）回应不及时。"
    )
    assert first.fields["measures"] == "建立班子成员联系村（社区）制度；每月不少于4天驻村。"
    # 镇党政办, 党政办公室 and 镇财政所 are the town's 党政办 and 财政所.
    assert [r.fields["department"] for r in (first, second, third)] == ["党政办", "党政办", "财政所"]
    # The leader's cell is merged down over rows 6–8: each row names him.
    assert [r.fields["leader"] for r in (first, second, third)] == ["刘志强"] * 3
    # 完成情况 is read beside 整改进展: 已完成 with its 销号日期; the others in progress.
    assert first.fields["outcome"] == "closed" and first.fields["closed_on"] == "2009-05-20"
    assert first.fields["completion"] == "已制定联系制度，4月起执行"
    assert second.fields["outcome"] == third.fields["outcome"] == "in_progress"
    # Short dates take the sheet's year and say so.
    assert first.fields["deadline"] == "2009-06-30" and "按2009年" in first.fields["deadline_shown"]
    assert second.fields["deadline"] == "2009-12-31"
    assert third.fields["deadline"] == "2009-09-30"
    assert rows[14].status == RowStatus.SKIPPED and rows[14].notes == ["合计行"]
    assert rows[16].status == RowStatus.SKIPPED and rows[16].notes[0].startswith("表尾")


def test_what_the_office_must_decide_is_asked_not_guessed(ledger_town):
    plan = plan_import(TownLedger().xlsx())
    rows = _rows(plan)
    building, lights = rows[10], rows[11]
    # 建设办 resembles 村镇建设办: offered, not taken.
    assert building.status == RowStatus.CONFIRM and "可能是“村镇建设办”" in building.questions[0]
    [question] = plan.departments
    assert question.text == "建设办" and question.chosen == ledger_town.building.pk and question.lines == [10]
    # 未启动 and 立行立改 wait for the office's choice; the lead of two units is the first.
    assert lights.status == RowStatus.CONFIRM
    assert any("未启动" in q for q in lights.questions) and any("立行立改" in q for q in lights.questions)
    assert lights.fields["department"] == "村镇建设办" and lights.fields["cooperating"] == ["财政所"]
    assert plan.not_started_rows == 1 and plan.immediate_rows == 1
    with pytest.raises(ValidationError, match="待确认"):
        commit_import(plan, actor=IMPORT)
    assert not Problem.objects.exists()


def test_deadlines_in_working_days_count_from_the_sheets_date(ledger_town):
    plan = plan_import(TownLedger().xlsx(), choices=_settled(ledger_town))
    rows = _rows(plan)
    # From Thu 2 April 2009: Fri 3 (1); 清明 Sat 4 – Mon 6 off; 7–10 (5); 13–17 (10); 20–24 (15).
    assert rows[10].fields["deadline"] == "2009-04-24" and rows[10].fields["deadline_days"] == 15
    assert rows[10].fields["deadline_basis"] == DeadlineBasis.WORKDAYS
    # 立行立改 gets the five working days the office set: 3, 7, 8, 9, 10 April.
    assert rows[11].fields["deadline"] == "2009-04-10" and "立行立改" in rows[11].fields["deadline_shown"]
    assert rows[13].fields["deadline_basis"] == DeadlineBasis.LONG_TERM
    assert plan.ok and plan.counts == {"ok": 7, "skipped": 5}


def test_an_xls_reads_as_the_same_sheet(ledger_town):
    new, old = plan_import(TownLedger().xlsx()), plan_import(TownLedger().xls())
    assert [(r.line, r.status, r.fields) for r in new.rows] == [
        (r.line, r.status, r.fields) for r in old.rows
    ]


# ---------------------------------------------------------------------------------------
# Committing


def test_commit_writes_each_row_through_the_services_with_its_history_dated(ledger_town):
    plan = plan_import(TownLedger().xlsx(), choices=_settled(ledger_town))
    before = AuditEvent.objects.count()
    outcome = commit_import(plan, actor=IMPORT, file_name="台账.xlsx")
    assert len(outcome.created) == 7 and outcome.aliases == ["建设办 → 村镇建设办"]
    statuses = dict(Problem.objects.values_list("remarks", "status"))
    assert sum(s == Status.CLOSED for s in statuses.values()) == 2
    assert Problem.objects.filter(status=Status.LONG_TERM).count() == 1
    closed = Problem.objects.get(description__startswith="班子成员深入基层调研不够")
    assert closed.closed_on == date(2009, 5, 20) and closed.assigned_on == date(2009, 4, 2)
    steps = list(closed.transitions.order_by("at", "id").values_list("action", "to_status", "at"))
    assert steps == [
        ("assign", Status.IN_PROGRESS, datetime(2009, 4, 2, 9, tzinfo=TZ)),
        ("apply_close", Status.CLOSURE_REQUESTED, datetime(2009, 5, 20, 17, tzinfo=TZ)),
        ("accept", Status.CLOSED, datetime(2009, 5, 20, 17, tzinfo=TZ)),
    ]
    assert closed.created_at == datetime(2009, 4, 2, 9, tzinfo=TZ) and closed.number.startswith("2009-")
    # The description kept its full-width punctuation all the way into the database.
    assert "（特别是道路、饮水）" in closed.description and "；" in closed.measures
    # Each problem has the events the single-row services write, then one for the import.
    events = AuditEvent.objects.filter(seq__gt=before)
    assert events.filter(action="problem.created").count() == 7
    assert events.filter(action="problem.assigned").count() == 7
    assert events.filter(action="problem.step_recorded").count() == 4  # two closed rows, two steps each
    assert events.filter(action="problem.imported").count() == 1
    assert events.filter(action="department_alias.saved").count() == 1
    assert audit_verify().ok
    assert DepartmentAlias.objects.get().unit == ledger_town.building
    assert ImportedRow.objects.count() == 7
    lights = Problem.objects.get(description__startswith="集镇路灯")
    assert {u.name for u in lights.cooperating_units.all()} == {"财政所"}
    assert lights.deadline == date(2009, 4, 10) and lights.deadline_days == 5


def test_a_row_marked_not_started_may_wait_unassigned_with_its_owners_noted(ledger_town):
    choices = _settled(ledger_town)
    choices.not_started = NotStarted.PENDING
    commit_import(plan_import(TownLedger().xlsx(), choices=choices), actor=IMPORT)
    lights = Problem.objects.get(description__startswith="集镇路灯")
    assert lights.status == Status.PENDING and lights.department is None
    assert "原台账责任领导：刘志强" in lights.remarks and "责任部门：村镇建设办" in lights.remarks


def test_the_remembered_alias_is_used_next_time_without_asking(ledger_town):
    commit_import(plan_import(TownLedger().xlsx(), choices=_settled(ledger_town)), actor=IMPORT)
    sheet = TownLedger(
        rows=[["1", "自查", "排水沟堵塞", "清淤", "刘志强", "建设办", "王芳", "年底前", "", "", "", ""]]
    )
    plan = plan_import(sheet.xlsx())
    [row] = [r for r in plan.rows if r.status != RowStatus.SKIPPED]
    assert row.status == RowStatus.OK and row.fields["department"] == "村镇建设办"
    assert "即“村镇建设办”" in row.notes[0]


# ---------------------------------------------------------------------------------------
# The same sheet again


def test_the_same_sheet_imported_again_adds_nothing_and_says_so(ledger_town):
    commit_import(plan_import(TownLedger().xlsx(), choices=_settled(ledger_town)), actor=IMPORT)
    again = plan_import(TownLedger().xlsx())
    assert again.counts == {"duplicate": 7, "skipped": 5}
    assert all("已导入为2009-" in r.notes[0] for r in again.rows if r.status == RowStatus.DUPLICATE)
    assert again.messages[0].startswith("这份台账的7行此前都已导入")
    with pytest.raises(ValidationError, match="此前都已导入"):
        commit_import(again, actor=IMPORT)
    assert Problem.objects.count() == 7


def test_progress_written_since_is_applied_as_an_update(ledger_town):
    commit_import(plan_import(TownLedger().xlsx(), choices=_settled(ledger_town)), actor=IMPORT)
    later = TownLedger(filed="2009年6月30日")
    later.rows[5][8:11] = ["道路已硬化并通过验收", "已完成", "2009年6月28日"]  # row 4 is done now
    later.rows[2][8] = "考勤制度已印发；整顿已开展两轮"
    plan = plan_import(later.xlsx())
    rows = _rows(plan)
    assert rows[10].status == RowStatus.UPDATE
    assert rows[10].changes[0] == "状态：整改中 → 已销号（2009-06-28）"
    assert rows[7].status == RowStatus.UPDATE and rows[7].changes == [
        "完成情况：更新为“考勤制度已印发；整顿已开展两轮”"
    ]
    assert plan.counts == {"duplicate": 5, "update": 2, "skipped": 5}
    outcome = commit_import(plan, actor=IMPORT)
    assert (len(outcome.created), len(outcome.updated)) == (0, 2)
    road = Problem.objects.get(description__startswith="红岩村三组道路")
    assert road.status == Status.CLOSED and road.closed_on == date(2009, 6, 28)
    assert road.completion == "道路已硬化并通过验收"
    assert Problem.objects.count() == 7 and audit_verify().ok


def test_a_completion_differing_only_in_spaces_is_not_written_again(ledger_town):
    from zhenwu.ledger.constants import LedgerAudit

    commit_import(plan_import(TownLedger().xlsx(), choices=_settled(ledger_town)), actor=IMPORT)
    later = TownLedger(filed="2009年6月30日")
    # Row 4 is closed now; its 整改进展 retyped with a full-width space, a trailing space.
    later.rows[5][8:11] = ["已完成　勘测设计 ", "已完成", "2009年6月28日"]
    plan = plan_import(later.xlsx())
    row = _rows(plan)[10]
    assert row.status == RowStatus.UPDATE and row.changes == ["状态：整改中 → 已销号（2009-06-28）"]
    commit_import(plan, actor=IMPORT)
    road = Problem.objects.get(description__startswith="红岩村三组道路")
    assert road.status == Status.CLOSED and road.completion == "已完成勘测设计"
    assert not AuditEvent.objects.filter(action=LedgerAudit.IMPORT_UPDATED).exists()


def test_the_offices_own_export_comes_back_recognised_by_its_numbers(ledger_town, office):
    from zhenwu.ledger.exports import ledger_workbook

    commit_import(plan_import(TownLedger().xlsx(), choices=_settled(ledger_town)), actor=IMPORT)
    exported = ledger_workbook(Problem.objects.order_by("number"), title="问题整改台账")
    plan = plan_import(io.BytesIO(exported), choices=Choices(year=2009))
    assert plan.counts.get("duplicate") == 7 and plan.work == 0


# ---------------------------------------------------------------------------------------
# Years


def test_a_sheet_without_a_date_takes_its_titles_year_or_its_rows(ledger_town):
    sheet = TownLedger(
        filed="　　年　月　日",
        rows=[["1", "自查", "排水沟堵塞", "清淤", "刘志强", "村镇建设办", "王芳", "6月底前", "", "", "", ""]],
    )
    assert plan_import(sheet.xlsx()).year.year == 2009  # the title says 2009
    sheet.title = "××镇问题整改台账"
    sheet.rows.append(
        ["2", "自查", "路灯不亮", "维修", "刘志强", "村镇建设办", "王芳", "2010年3月31日", "", "", "", ""]
    )
    plan = plan_import(sheet.xlsx())
    assert plan.year.year == 2010 and "其他行的日期都是2010年" in plan.year.why


def test_a_sheet_mixing_years_asks_for_the_year(ledger_town):
    sheet = TownLedger(title="××镇2009年整改台账", filed="2010年1月5日",
                       rows=[["1", "自查", "排水沟堵塞", "清淤", "刘志强", "村镇建设办", "王芳", "6月底前", "", "", "", ""]])  # fmt: skip
    plan = plan_import(sheet.xlsx())
    assert plan.year.year is None and not plan.ok
    assert "台账中的年份不一致（填报时间2010年；标题2009年）" in plan.messages[0]
    [row] = [r for r in plan.rows if r.status == RowStatus.ERROR]
    assert "“6月底前”没有写年份" in row.errors[0]
    chosen = plan_import(sheet.xlsx(), choices=Choices(year=2009))
    assert chosen.ok and _rows(chosen)[5].fields["deadline"] == "2009-06-30"


def test_a_sheet_without_any_year_uses_this_year_and_says_so(ledger_town):
    plan = plan_import(
        messy_ledger([["1", "自查", "河道垃圾", "", "刘志强", "经济发展办", "张明", "12月底", ""]]),
        today=date(2026, 11, 1),
    )
    assert plan.year.year == 2026  # from the sheet's 填报时间 (2026年11月20日)
    sheet = TownLedger(title="××镇问题整改台账", filed="", rows=[["1", "自查", "排水沟堵塞", "清淤", "刘志强", "村镇建设办", "王芳", "12月底", "", "", "", ""]])  # fmt: skip
    plan = plan_import(sheet.xlsx(), today=date(2026, 12, 1))
    assert plan.year.year == 2026 and "台账没有写年份" in plan.year.why


@time_machine.travel("2026-12-01 10:00 +0800", tick=False)
def test_working_days_into_an_unconfirmed_year_are_provisional(ledger_town):
    sheet = TownLedger(title="××镇整改台账", filed="2026年12月1日",
                       rows=[["1", "自查", "排水沟堵塞", "清淤", "刘志强", "村镇建设办", "王芳", "60个工作日内", "", "", "", ""]])  # fmt: skip
    plan = plan_import(sheet.xlsx())
    row = _rows(plan)[5]
    assert row.fields["deadline"] == "2027-02-26" and "暂定" in row.fields["deadline_shown"]
    [problem] = commit_import(plan, actor=IMPORT).created
    assert problem.deadline == date(2027, 2, 26) and problem.deadline_provisional is True


# ---------------------------------------------------------------------------------------
# Refusals


@pytest.mark.parametrize(
    "deadline, why",
    [
        ("尽快", "“尽快”无法识别；可写"),
        ("春节前", "“春节前”无法识别"),
        ("2009年2月30日", "不是有效日期"),
        ("", "为空"),
    ],
)
def test_a_deadline_not_understood_is_refused_naming_the_cell(ledger_town, deadline, why):
    sheet = TownLedger(
        rows=[["1", "自查", "排水沟堵塞", "清淤", "刘志强", "村镇建设办", "王芳", deadline, "", "", "", ""]]
    )
    plan = plan_import(sheet.xlsx())
    row = _rows(plan)[5]
    assert row.status == RowStatus.ERROR and row.errors[0].startswith("整改时限：") and why in row.errors[0]
    with pytest.raises(ValidationError, match="第5行"):
        commit_import(plan, actor=IMPORT)


def test_an_unknown_status_in_a_status_column_is_refused(ledger_town):
    book = messy_ledger([["1", "自查", "河道垃圾", "", "刘志强", "经济发展办", "张明", "2026-12-31", ""]])
    from openpyxl import load_workbook

    sheet = load_workbook(book)
    sheet.active["J3"], sheet.active["J4"] = "整改状态", "差不多了"
    out = io.BytesIO()
    sheet.save(out)
    out.seek(0)
    [row] = [r for r in plan_import(out).rows if r.status == RowStatus.ERROR]
    assert row.errors == ["整改状态：“差不多了”无法识别（可写 已完成、已销号、正在整改、推进中 或 未启动）"]


def test_a_closure_date_on_a_row_still_in_progress_is_refused(ledger_town):
    sheet = TownLedger(rows=[["1", "自查", "排水沟堵塞", "清淤", "刘志强", "村镇建设办", "王芳", "年底前", "", "正在整改", "2009年5月1日", ""]])  # fmt: skip
    row = _rows(plan_import(sheet.xlsx()))[5]
    assert "销号日期：台账写“正在整改”，却填了销号日期2009-05-01" in row.errors[0]


def test_an_alias_cannot_name_two_departments(ledger_town, office):
    department_alias_save(actor=office, alias="建设办", unit=ledger_town.building)
    with pytest.raises(ValidationError, match="“建设办”已对应“村镇建设办”，一个别名只能对应一个部门"):
        department_alias_save(actor=office, alias="建设办", unit=ledger_town.finance)
    with pytest.raises(ValidationError, match="“镇党政办”是部门“党政办”的名称，不能作为“财政所”的别名"):
        department_alias_save(actor=office, alias="镇党政办", unit=ledger_town.finance)
    assert DepartmentAlias.objects.count() == 1


def test_a_row_taken_by_someone_else_meanwhile_leaves_nothing_half_written(ledger_town):
    plan = plan_import(TownLedger().xlsx(), choices=_settled(ledger_town))
    other = Problem.objects.create(
        town_id=plan.town_id,
        number="2009-9999", source="self_check", category="other", description="x",
    )  # fmt: skip
    last = [r for r in plan.rows if r.status == RowStatus.OK][-1]
    ImportedRow.objects.create(
        town_id=other.town_id, key=last.fields["key"], problem=other, imported_at=other.created_at
    )
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="刚刚已被导入"):
        commit_import(plan, actor=IMPORT)
    assert Problem.objects.count() == 1 and AuditEvent.objects.count() == events
    assert not DepartmentAlias.objects.exists()


# ---------------------------------------------------------------------------------------
# The first importer's cases, on the short sheet


def test_a_messy_sheet_is_read_row_by_row(town):
    plan = plan_import(messy_ledger(), choices=Choices(year=2026))
    assert plan.header_line == 3
    assert plan.counts == {"ok": 3, "skipped": 2}
    first, blank, second, third, total = plan.rows
    assert first.fields["deadline"] == "2026-12-31" and first.fields["serial"] == "1"
    assert blank.notes == ["空行"] and total.notes == ["合计行"]
    assert second.fields["leader"] == "刘志强" and second.fields["department"] == "经济发展办"
    assert second.fields["assignees"] == ["张明", "赵丽"] and second.fields["deadline"] == "2026-12-15"
    assert third.fields["deadline_basis"] == DeadlineBasis.LONG_TERM


def test_commit_creates_every_problem_through_the_engine(town, office):
    outcome = commit_import(
        plan_import(messy_ledger(), choices=Choices(year=2026)), actor=office, file_name="台账.xlsx"
    )
    assert len(outcome.created) == 3
    assert {p.status for p in outcome.created} == {Status.IN_PROGRESS, Status.LONG_TERM}
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
    rows = _rows(plan_import(sheet, choices=Choices(year=2026)))
    assert rows[5].status == RowStatus.CONFIRM and "“宣传部”不在组织机构中" in rows[5].questions[0]
    assert "无法识别" in rows[6].errors[0]
    assert "不在人员名册中" in rows[7].errors[0]
    with pytest.raises(ValidationError, match="2行存在错误（第6、7行等）"):
        commit_import(plan_import(sheet, choices=Choices(year=2026)), actor=office)
    assert not Problem.objects.exists()


def test_missing_people_are_created_only_when_told_to(town, office):
    sheet = messy_ledger([["1", "自查", "新人负责", "", "刘志强", "经济发展办", "钱多多", "2026-12-31", ""]])
    plan = plan_import(sheet, choices=Choices(year=2026, create_missing=True))
    assert plan.ok and plan.to_create == ["钱多多"]
    commit_import(plan, actor=office)
    assert Person.objects.filter(name="钱多多").exists()


def test_a_sheet_without_a_header_is_refused(town):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["名单"])
    book.active.append(["张三", "李四"])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    with pytest.raises(SheetError, match="没有找到表头"):
        plan_import(out)
    with pytest.raises(SheetError, match="无法读取"):
        plan_import(io.BytesIO(b"not an excel file"))
    with pytest.raises(SheetError, match="网页格式"):
        plan_import(io.BytesIO("<html><table><tr><td>序号</td></tr></table></html>".encode()))


def test_a_signature_footer_no_longer_blocks_the_sheet(town, office):
    sheet = messy_ledger([["1", "自查", "河道垃圾", "", "刘志强", "经济发展办", "张明", "2026-12-31", ""],
                          ["审核人：　　制表人："], [None, None, "填表人：赵丽", None, "联系电话：0838-6221234"]])  # fmt: skip
    plan = plan_import(sheet, choices=Choices(year=2026))
    assert plan.ok and plan.counts == {"ok": 1, "skipped": 2}


def test_rows_under_one_merged_description_are_one_problem(town, office):
    from openpyxl import load_workbook

    book = load_workbook(messy_ledger([
        ["1", "自查", "集镇环境卫生差", "增设垃圾桶", "刘志强", "经济发展办", "张明", "2026-12-31", ""],
        [None, None, None, "落实保洁员", None, None, "赵丽", None, ""],
    ]))  # fmt: skip
    for column in "ABCEFH":
        book.active.merge_cells(f"{column}4:{column}5")
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    plan = plan_import(out, choices=Choices(year=2026))
    [row] = [r for r in plan.rows if r.status == RowStatus.OK]
    assert row.lines == "4–5" and row.fields["measures"] == "增设垃圾桶\n落实保洁员"
    assert row.fields["assignees"] == ["张明", "赵丽"]


# ---------------------------------------------------------------------------------------
# The command line


def test_the_command_line_prints_a_json_report_and_dry_run_writes_nothing(town, office, tmp_path, capsys):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(messy_ledger().getvalue())
    call_command("import_ledger", str(path), "--dry-run", "--json", "--year", "2026")
    report = json.loads(capsys.readouterr().out)
    assert report["counts"] == {"ok": 3, "skipped": 2} and report["results"] == {"新增": 3, "跳过": 2}
    assert report["rows"][0]["result"] == "新增"
    assert not Problem.objects.exists()
    call_command("import_ledger", str(path), "--year", "2026")
    assert Problem.objects.count() == 3


def test_the_command_line_answers_the_previews_questions(ledger_town, tmp_path, capsys):
    path = tmp_path / "台账.xls"
    path.write_bytes(TownLedger().xls().getvalue())
    with pytest.raises(CommandError, match="待确认"):
        call_command("import_ledger", str(path))
    assert "用 --map 建设办=部门名称 指定" in capsys.readouterr().out
    call_command(
        "import_ledger", str(path), "--map", "建设办=村镇建设办", "--remember", "--not-started", "in_progress",
        "--immediate-days", "5",
    )  # fmt: skip
    assert "已导入 7 个问题" in capsys.readouterr().out
    assert DepartmentAlias.objects.get().alias == "建设办"
    with pytest.raises(CommandError, match="此前都已导入"):
        call_command("import_ledger", str(path))


def test_the_command_line_refuses_a_sheet_with_errors(town, office, tmp_path, capsys):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(
        messy_ledger([["1", "自查", "x", "", "刘志强", "经济发展办", "张明", "尽快", ""]]).getvalue()
    )
    with pytest.raises(CommandError, match="存在错误"):
        call_command("import_ledger", str(path), "--year", "2026")
    assert "第4行 有错误" in capsys.readouterr().out
    assert not Problem.objects.exists()


# ---------------------------------------------------------------------------------------
# A sheet typed by hand (tests/data/handmade_2009.xls, written by xlwt, not by our code)

HANDMADE = __import__("pathlib").Path(__file__).with_name("data") / "handmade_2009.xls"


def test_a_hand_made_township_sheet_is_read_as_its_clerk_meant(ledger_town):
    with HANDMADE.open("rb") as sheet:
        plan = plan_import(sheet)
    assert plan.header_line == 3 and plan.year.year == 2009 and plan.start == date(2009, 11, 20)
    rows = _rows(plan)
    assert rows[4].notes == ["栏目编号行"] and "分组标题" in rows[5].notes[0]
    road, water, rubbish, manner, welfare = (rows[n] for n in (6, 7, 8, 9, 10))
    assert road.fields["description"] == "石桥村到集镇的道路坑洼不平（约3.5公里），\n雨天群众出行难；"
    assert road.fields["department"] == "村镇建设办" and road.fields["deadline"] == "2009-12-31"
    assert road.fields["outcome"] == "in_progress" and road.fields["serial"] == "1"
    # 建设办 resembles 村镇建设办 (asked); 财政所 cooperates; next year's June.
    assert water.status == RowStatus.CONFIRM and water.fields["cooperating"] == ["财政所"]
    assert water.fields["deadline"] == "2010-06-30" and water.fields["assignees"] == ["王芳", "李强"]
    # 是 under 是否完成: closed, on the day the sheet was sent (it has no 销号日期 column).
    assert rubbish.fields["department"] == "经济发展办" and rubbish.fields["assignees"] == ["张明"]
    assert rubbish.fields["outcome"] == "closed" and rubbish.fields["closed_on"] == "2009-11-20"
    assert manner.fields["deadline_basis"] == DeadlineBasis.LONG_TERM and manner.fields["outcome"] == "closed"
    assert "“社会事务办”不在组织机构中" in welfare.questions[0]
    assert rows[12].fields["department"] == "党政办" and rows[12].fields["deadline"] == "2009-12-31"
    assert [rows[n].status for n in (14, 16, 17)] == [RowStatus.SKIPPED] * 3  # 合计, signatures, 注
    choices = Choices(
        mappings={"建设办": ledger_town.building.pk, "社会事务办": ledger_town.office_dept.pk},
        immediate_days=3,
    )
    with HANDMADE.open("rb") as sheet:
        plan = plan_import(sheet, choices=choices)
    assert plan.ok, [r.questions + r.errors for r in plan.rows if r.questions or r.errors]
    # 10个工作日 from Fri 20 Nov 2009: 23–27 Nov (5), 30 Nov – 4 Dec (10).
    assert _rows(plan)[10].fields["deadline"] == "2009-12-04"
    outcome = commit_import(plan, actor=IMPORT, file_name=HANDMADE.name)
    assert (
        len(outcome.created) == 7 and not DepartmentAlias.objects.exists()
    )  # nothing asked to be remembered
    assert Problem.objects.filter(status=Status.CLOSED).count() == 3
    with HANDMADE.open("rb") as sheet:
        again = plan_import(sheet, choices=choices)
    assert again.counts.get("duplicate") == 7 and again.work == 0
