"""Reading an uploaded sheet (.xlsx or .xls) into rows of cell values, within known bounds.

A town's ledger is a few hundred rows and well under a megabyte; the 10,000-row bench sheet
is 1 MB unpacked. An .xlsx is a zip of XML, so a 40 KB upload can unpack to gigabytes (a zip
bomb killed a worker): its directory is read first, and its XML is parsed through defusedxml
(openpyxl uses it when installed: no external entities, no entity expansion). An .xls is a
binary compound document read by xlrd: no XML; its bound is the upload size, then the same
row and column limits as an .xlsx. Merged cells are filled from their top-left cell, so a
责任领导 merged down over five rows names the leader on each of them.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Generator
from dataclasses import dataclass, field
from time import monotonic
from typing import IO, Any

from defusedxml import DefusedXmlException
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

IMPORT_MAX_BYTES = 20 * 1024 * 1024  # the upload itself
IMPORT_MAX_UNPACKED = 200 * 1024 * 1024  # all members of the zip, unpacked
IMPORT_MAX_MEMBERS = 2000
IMPORT_MAX_ROWS = 20_000
IMPORT_MAX_COLUMNS = 60
IMPORT_MAX_SECONDS = 60
IMPORT_MAX_SHEETS = 10  # worksheets looked at for a header, in order
IMPORT_MAX_MERGES = 50_000
IMPORT_MAX_MERGED_CELLS = 2_000_000  # cells filled from merged ranges, all ranges together

_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE2 compound document


class SheetError(ValueError):
    """The file as a whole cannot be read (not Excel, too large, no header)."""


@dataclass
class Sheet:
    """One worksheet's cells; `merges` as (first row, first column, last row, last column), 0-based."""

    name: str
    rows: list[list[object]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)


def unreadable() -> SheetError:
    return SheetError(_("文件无法读取：请上传 Excel 台账（.xlsx 或 .xls）"))


def too_large() -> SheetError:
    """A file over IMPORT_MAX_BYTES: said by the upload page and by the reader alike."""
    return SheetError(_("文件：超过%(mb)sMB，不像是一份台账") % {"mb": IMPORT_MAX_BYTES // (1024 * 1024)})


def file_kind(source: IO[bytes]) -> str:
    """ "xlsx" or "xls" by the file's first bytes (its name may say anything)."""
    head = source.read(8)
    source.seek(0)
    if head.startswith(_XLSX_MAGIC):
        return "xlsx"
    if head == _XLS_MAGIC:
        return "xls"
    if head.lstrip().lower().startswith((b"<", b"\xef\xbb\xbf<")):
        raise SheetError(
            _("文件是网页格式，不是真正的 Excel 表格：请在 Excel 或 WPS 中打开后“另存为” .xlsx 再上传")
        )
    raise unreadable()


def read_sheets(source: IO[bytes]) -> Generator[Sheet, None, None]:
    """The workbook's worksheets in order (at most IMPORT_MAX_SHEETS), each within the bounds."""
    if file_kind(source) == "xls":
        yield from _read_xls(source)
    else:
        yield from _read_xlsx(source)


def _check_package(source: IO[bytes]) -> None:
    """Refuse an .xlsx by its zip directory before any XML is parsed."""
    try:
        with zipfile.ZipFile(source) as package:
            members = package.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise unreadable() from exc
    finally:
        source.seek(0)
    unpacked = sum(member.file_size for member in members)
    if len(members) > IMPORT_MAX_MEMBERS or unpacked > IMPORT_MAX_UNPACKED:
        raise SheetError(
            _("文件解压后过大（%(mb)sMB，上限%(limit)sMB），不像是一份台账，已拒绝")
            % {"mb": unpacked // (1024 * 1024), "limit": IMPORT_MAX_UNPACKED // (1024 * 1024)}
        )


def _too_many_rows() -> SheetError:
    return SheetError(_("台账超过%(n)s行，请分成几个文件导入") % {"n": IMPORT_MAX_ROWS})


def _too_slow() -> SheetError:
    return SheetError(_("文件读取超时，请检查文件或分成几个文件导入"))


def _read_xlsx(source: IO[bytes]) -> Generator[Sheet, None, None]:
    _check_package(source)
    started = monotonic()
    try:
        book = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not .xlsx
        raise _unreadable_xlsx(exc) from exc
    try:
        for worksheet in book.worksheets[:IMPORT_MAX_SHEETS]:
            rows: list[list[object]] = []
            for row in worksheet.iter_rows(values_only=True):
                rows.append(list(row[:IMPORT_MAX_COLUMNS]))
                if len(rows) > IMPORT_MAX_ROWS:
                    raise _too_many_rows()
                if len(rows) % 1000 == 0 and monotonic() - started > IMPORT_MAX_SECONDS:
                    raise _too_slow()
            merges = _xlsx_merges(worksheet) if hasattr(worksheet, "_get_source") else []
            yield _filled(Sheet(str(worksheet.title), rows, merges))
    except SheetError:
        raise
    except Exception as exc:
        raise _unreadable_xlsx(exc) from exc
    finally:
        book.close()


def _unreadable_xlsx(exc: BaseException) -> SheetError:
    if _caused_by(exc, DefusedXmlException):  # openpyxl wraps it in a ValueError
        return SheetError(_("文件含有不允许的XML内容（外部实体或实体扩展），已拒绝"))
    return unreadable()


_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]{1,3}[0-9]{1,7}:[A-Z]{1,3}[0-9]{1,7})\"")


def _xlsx_merges(worksheet: Any) -> list[tuple[int, int, int, int]]:
    """The sheet's merged ranges, found by scanning its XML for <mergeCell ref="A1:I1"/>.

    The read-only worksheet openpyxl streams does not keep them; a plain scan (no XML parser,
    so nothing to expand) costs a fraction of the parse that already happened."""
    found: list[tuple[int, int, int, int]] = []
    tail = b""
    with worksheet._get_source() as stream:
        while chunk := stream.read(1 << 20):
            data = tail + chunk
            for match in _MERGE.finditer(data):
                low_col, low_row, high_col, high_row = range_boundaries(match.group(1).decode())
                found.append((low_row - 1, low_col - 1, high_row - 1, high_col - 1))
                if len(found) > IMPORT_MAX_MERGES:
                    raise SheetError(
                        _("合并单元格过多（超过%(n)s处），不像是一份台账") % {"n": IMPORT_MAX_MERGES}
                    )
            cut = data.rfind(b"<")
            tail = data[cut:] if cut >= 0 and len(data) - cut < 200 else b""
    return sorted(set(found))


def _read_xls(source: IO[bytes]) -> Generator[Sheet, None, None]:
    import xlrd  # only for .xls uploads

    data = source.read(IMPORT_MAX_BYTES + 1)
    source.seek(0)
    if len(data) > IMPORT_MAX_BYTES:
        raise too_large()
    started = monotonic()
    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except xlrd.XLRDError as exc:
        if "encrypted" in str(exc).lower():
            raise SheetError(_("文件已加密：请在 Excel 中取消密码后再上传")) from exc
        raise unreadable() from exc
    except Exception as exc:  # xlrd raises assertion and index errors on damaged files
        raise unreadable() from exc
    try:
        for index in range(min(book.nsheets, IMPORT_MAX_SHEETS)):
            try:
                worksheet = book.sheet_by_index(index)
            except Exception as exc:
                raise unreadable() from exc
            if worksheet.nrows > IMPORT_MAX_ROWS:
                raise _too_many_rows()
            if len(worksheet.merged_cells) > IMPORT_MAX_MERGES:
                raise SheetError(
                    _("合并单元格过多（超过%(n)s处），不像是一份台账") % {"n": IMPORT_MAX_MERGES}
                )
            columns = min(worksheet.ncols, IMPORT_MAX_COLUMNS)
            rows = []
            for r in range(worksheet.nrows):
                rows.append(
                    [
                        _xls_value(worksheet.cell(r, c), book.datemode)
                        for c in range(min(columns, worksheet.row_len(r)))
                    ]
                )
                if r % 1000 == 999 and monotonic() - started > IMPORT_MAX_SECONDS:
                    raise _too_slow()
            merges = [(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in worksheet.merged_cells]
            yield _filled(Sheet(worksheet.name, rows, merges))
            book.unload_sheet(index)
    finally:
        book.release_resources()


def _xls_value(cell: Any, datemode: int) -> object:
    import xlrd

    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return None
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate_as_datetime(cell.value, datemode)
        except (ValueError, OverflowError):
            return cell.value
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype == xlrd.XL_CELL_NUMBER:
        return int(cell.value) if float(cell.value).is_integer() else cell.value
    return cell.value


def _filled(sheet: Sheet) -> Sheet:
    """Every cell of a merged range carries the range's value (its top-left cell's)."""
    rows = sheet.rows
    kept = []
    budget = IMPORT_MAX_MERGED_CELLS
    for r0, c0, r1, c1 in sheet.merges:
        if r0 >= len(rows) or c0 >= IMPORT_MAX_COLUMNS:
            continue
        r1, c1 = min(r1, len(rows) - 1), min(c1, IMPORT_MAX_COLUMNS - 1)
        budget -= (r1 - r0 + 1) * (c1 - c0 + 1)
        if budget < 0:
            raise SheetError(_("合并单元格过多，不像是一份台账"))
        value = rows[r0][c0] if c0 < len(rows[r0]) else None
        for r in range(r0, r1 + 1):
            row = rows[r]
            if len(row) <= c1:
                row.extend([None] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                row[c] = value
        kept.append((r0, c0, r1, c1))
    sheet.merges = kept
    return sheet


def _caused_by(exc: BaseException | None, kind: type[BaseException]) -> bool:
    seen = 0
    while exc is not None and seen < 20:
        if isinstance(exc, kind):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False
