"""The 导入台账 pages as the office uses them: upload, answer the preview's questions, confirm."""

import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from zhenwu.conftest import client_for
from zhenwu.ledger.models import DepartmentAlias, Problem
from zhenwu.ledger.tests.sheets import TownLedger

pytestmark = pytest.mark.django_db


def _fields(page: str) -> dict[str, str]:
    """The hidden and chosen inputs of the preview's recheck form, as the browser would send them."""
    form = page.split('hx-indicator="#import-progress">', 1)[1].split("</form>", 1)[0]
    data = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    for name, options in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        if chosen := re.search(r'<option value="(\d+)" selected', options):
            data[name] = chosen.group(1)
    return data


def test_a_town_ledger_goes_from_upload_to_confirmation_with_its_questions_answered(ledger_town, office):
    client = client_for(office)
    upload = SimpleUploadedFile("镇台账.xls", TownLedger().xls().getvalue())
    page = client.post(reverse("ledger:import"), {"file": upload}).content.decode()
    # Results in Chinese; 整改措施 and the sheet's status shown; questions asked, nothing confirmable.
    assert "待确认" in page and "新增" in page and "表尾" in page and "确认导入" not in page
    assert "建立班子成员联系村（社区）制度；每月不少于4天驻村。" in page and "正在整改" in page
    assert "“建设办”" in page and "写“未启动”的1行导入为" in page and "“立行立改”的1行" in page
    assert "不写年份的日期按2009年计（表头“填报时间”为2009-04-02）" in page
    data = _fields(page)
    assert data["map-0-key"] == "建设办" and data["map-0-unit"] == str(ledger_town.building.pk)
    data.update({"not_started": "in_progress", "immediate_days": "5", "map-0-remember": "1"})
    checked = client.post(reverse("ledger:import"), data).content.decode()
    assert "确认导入（新增7个问题，更新0个）" in checked
    confirm = checked.split('name="confirm"')[0].rsplit("<form", 1)[1]
    sent = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', confirm))
    done = client.post(reverse("ledger:import"), {**sent, "confirm": "1"}, follow=True)
    assert "已导入7个问题，更新0个；已记住部门别名：建设办 → 村镇建设办" in done.content.decode()
    assert Problem.objects.count() == 7 and DepartmentAlias.objects.get().alias == "建设办"
    again = client.post(
        reverse("ledger:import"), {"file": SimpleUploadedFile("镇台账.xls", TownLedger().xls().getvalue())}
    )
    again_page = again.content.decode()
    assert "这份台账的7行此前都已导入" in again_page and "确认导入" not in again_page


def test_with_htmx_the_upload_answers_at_once_with_a_progress_bar_then_checks(ledger_town, office, settings):
    client = client_for(office)
    upload = SimpleUploadedFile("镇台账.xlsx", TownLedger().xlsx().getvalue())
    working = client.post(reverse("ledger:import"), {"file": upload, "year": "2009"}, HTTP_HX_REQUEST="true")
    page = working.content.decode()
    token = re.search(r'name="token" value="([0-9a-f]{32})"', page).group(1)
    assert 'hx-trigger="load"' in page and reverse("ledger:import_progress", args=[token]) in page
    assert '<input type="hidden" name="year" value="2009">' in page
    progress = settings.MEDIA_ROOT / "imports" / str(office.town_id) / f"{token}.progress"
    progress.write_text(json.dumps({"phase": "检查", "done": 40, "total": 160}))
    bar = client.get(reverse("ledger:import_progress", args=[token])).content.decode()
    assert "正在检查：40 / 160 行" in bar and "width: 25%" in bar
    preview = client.post(
        reverse("ledger:import"),
        {"token": token, "name": "镇台账.xlsx", "year": "2009"},
        HTTP_HX_REQUEST="true",
    )
    assert "不写年份的日期按2009年计（导入时选定）" in preview.content.decode()
    assert not progress.exists()  # the check cleans up after itself


def test_a_refused_file_sends_the_page_back_with_the_reason(ledger_town, office):
    client = client_for(office)
    fake = SimpleUploadedFile("台账.xls", b"<html><table><tr><td>1</td></tr></table></html>")
    page = client.post(reverse("ledger:import"), {"file": fake}, follow=True).content.decode()
    assert "文件是网页格式，不是真正的 Excel 表格" in page
    htmx = client.post(reverse("ledger:import"), {"file": fake}, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 204 and htmx["HX-Redirect"] == reverse("ledger:import")


def test_the_import_template_has_the_standard_columns_and_imports_when_filled(ledger_town, office):
    client = client_for(office)
    response = client.get(reverse("ledger:import_template"))
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["整改台账"]
    header = [c.value for c in sheet[3]]
    assert (
        header[:4] == ["序号", "问题来源", "问题类别", "问题描述"]
        and "整改措施" in header
        and "完成情况" in header
    )
    assert "村镇建设办" in [c.value for c in book["填写说明"][8]]
    sheet["D4"] = "排水沟堵塞，雨天积水"
    sheet["G4"], sheet["H4"], sheet["J4"], sheet["K4"] = "刘志强", "建设办", "王芳", "二〇〇九年十二月底"
    out = io.BytesIO()
    book.save(out)
    from zhenwu.ledger.importer import plan_import

    out.seek(0)
    plan = plan_import(out)
    [row] = [r for r in plan.rows if r.status != "skipped"]
    assert row.fields["deadline"] == "2009-12-31" and row.fields["status_text"] == "正在整改"


def test_the_alias_page_adds_refuses_a_second_department_and_deletes(ledger_town, office):
    client = client_for(office)
    url = reverse("ledger:aliases")
    client.post(url, {"alias": "建设办", "unit": ledger_town.building.pk})
    refused = client.post(url, {"alias": "建设办", "unit": ledger_town.finance.pk}).content.decode()
    assert "别名：“建设办”已对应“村镇建设办”，一个别名只能对应一个部门" in refused
    alias = DepartmentAlias.objects.get()
    assert alias.unit == ledger_town.building
    client.post(url, {"delete": alias.pk})
    assert not DepartmentAlias.objects.exists()


def test_a_large_sheet_lists_a_few_hundred_rows_and_counts_the_rest(ledger_town, office, monkeypatch):
    from zhenwu.ledger import import_views

    monkeypatch.setattr(import_views, "PREVIEW_ROWS", 2)
    rows = [["1", "自查", f"问题{n}", "", "刘志强", "村镇建设办", "王芳" if n % 2 else "钱多多", "年底前", "", "", "", ""]
            for n in range(8)]  # fmt: skip
    upload = SimpleUploadedFile("台账.xlsx", TownLedger(rows=rows).xlsx().getvalue())
    page = client_for(office).post(reverse("ledger:import"), {"file": upload}).content.decode()
    assert page.count('<tr class="import-') == 4
    assert "另有未列出的行：有错误2行，新增2行（命令行 zhenwu import-ledger 逐行列出全部）" in page


@pytest.mark.parametrize("sent", ["", "x", "1.5", "-1", str(2**63), "9" * 40])
def test_deleting_an_alias_that_is_not_one_is_not_found_and_deletes_nothing(ledger_town, office, sent):
    client = client_for(office)
    client.post(reverse("ledger:aliases"), {"alias": "建设办", "unit": ledger_town.building.pk})
    response = client.post(reverse("ledger:aliases"), {"delete": sent})
    assert response.status_code == 404
    assert DepartmentAlias.objects.count() == 1


def test_an_alias_is_found_only_for_the_office(ledger_town, office, department_staff):
    from django.http import Http404

    from zhenwu.ledger.selectors import get_alias_for_user
    from zhenwu.ledger.services import department_alias_save

    alias = department_alias_save(actor=office, alias="建设办", unit=ledger_town.building)
    assert get_alias_for_user(office, alias.pk) == alias
    for user, pk in ((department_staff, alias.pk), (office, alias.pk + 1), (office, None)):
        with pytest.raises(Http404):
            get_alias_for_user(user, pk)
