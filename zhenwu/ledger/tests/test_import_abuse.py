"""Hostile sheets at the import door: zip bombs, XML entity tricks, endless rows, abandoned uploads."""

import io
import os
import time
import zipfile

import pytest
from django.core.management import call_command

from zhenwu.ledger import importer
from zhenwu.ledger.importer import SheetError, plan_import, reading
from zhenwu.ledger.tests.sheets import TownLedger, messy_ledger

pytestmark = pytest.mark.django_db


def _xlsx_with(member: str, body: bytes, *, base: io.BytesIO | None = None) -> io.BytesIO:
    """A real workbook with one member replaced (or added)."""
    source = zipfile.ZipFile(base or messy_ledger())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != member:
                target.writestr(item, source.read(item.filename))
        target.writestr(member, body)
    out.seek(0)
    return out


def test_a_zip_bomb_is_refused_by_its_directory_before_parsing():
    bomb = _xlsx_with("xl/media/padding.bin", b"\0" * (importer.IMPORT_MAX_UNPACKED + 1))
    assert len(bomb.getvalue()) < 1024 * 1024  # small on the wire
    with pytest.raises(SheetError, match="解压后过大"):
        plan_import(bomb)


def test_external_entities_and_entity_expansion_are_refused(town):
    def sheet(doctype: str, entity: str) -> bytes:
        return (
            f'<?xml version="1.0"?>{doctype}<worksheet xmlns="http://schemas.openxmlformats.org/'
            f'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>{entity}'
            "</t></is></c></row></sheetData></worksheet>"
        ).encode()

    xxe = sheet('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>', "&e;")
    laughs = sheet(
        '<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>',
        "&d;",
    )
    for body in (xxe, laughs):
        with pytest.raises(SheetError, match="不允许的XML内容"):
            plan_import(_xlsx_with("xl/worksheets/sheet1.xml", body))


def test_a_sheet_beyond_the_row_limit_is_refused(monkeypatch, town):
    monkeypatch.setattr(reading, "IMPORT_MAX_ROWS", 5)
    rows = [
        ["1", "自查", f"问题{i}", "", "刘志强", "经济发展办", "张明", "2026-12-31", ""] for i in range(10)
    ]
    with pytest.raises(SheetError, match="超过5行"):
        plan_import(messy_ledger(rows))
    with pytest.raises(SheetError, match="超过5行"):
        plan_import(TownLedger(rows=rows).xls())


def test_an_xls_larger_than_an_upload_may_be_is_refused(monkeypatch, town):
    monkeypatch.setattr(reading, "IMPORT_MAX_BYTES", 1000)
    with pytest.raises(SheetError, match="超过"):
        plan_import(TownLedger().xls())


def test_a_damaged_xls_is_refused_not_crashed_on(town):
    data = TownLedger().xls().getvalue()
    with pytest.raises(SheetError, match="无法读取"):
        plan_import(io.BytesIO(data[:600]))


def test_a_merge_over_a_whole_sheet_is_refused(monkeypatch, town):
    monkeypatch.setattr(reading, "IMPORT_MAX_MERGED_CELLS", 100)
    from openpyxl import load_workbook

    book = load_workbook(messy_ledger())
    book.active.merge_cells("A20:Z2000")
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    with pytest.raises(SheetError, match="合并单元格过多"):
        plan_import(out)


def test_abandoned_uploads_are_deleted_by_tick_after_a_day(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    folder = tmp_path / importer.IMPORTS_FOLDER
    (folder / "7").mkdir(parents=True)  # a town's folder; the top holds uploads from before the towns
    old, fresh = folder / "7" / ("a" * 32 + ".xlsx"), folder / "7" / ("b" * 32 + ".xlsx")
    old_xls, old_top = folder / "7" / ("c" * 32 + ".xls"), folder / ("d" * 32 + ".xlsx")
    for path in (old, fresh, old_xls, old_top):
        path.write_bytes(b"x")
    two_days_ago = time.time() - 48 * 3600
    for path in (old, old_xls, old_top):
        os.utime(path, (two_days_ago, two_days_ago))
    call_command("tick")
    assert not old.exists() and not old_xls.exists() and not old_top.exists() and fresh.exists()
