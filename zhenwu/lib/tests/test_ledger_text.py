import pytest

from zhenwu.lib.ledger_text import (
    StatusWord,
    clean_text,
    is_footer_row,
    is_section_row,
    is_total_row,
    keep_text,
    person_names,
    row_identity,
    status_word,
    unit_names,
)


def test_names_are_split_and_padding_is_removed():
    assert person_names("李四、王五") == ["李四", "王五"]
    assert person_names("李四，王五;赵六") == ["李四", "王五", "赵六"]
    assert person_names("王　五") == ["王五"]
    assert person_names("刘　志强") == ["刘志强"]
    assert person_names("张三 李四") == ["张三", "李四"]
    assert person_names(None) == []


def test_units_are_split_and_notes_in_brackets_dropped():
    assert unit_names("村镇建设办（牵头）、财政所") == ["村镇建设办", "财政所"]
    assert unit_names("镇 党政办") == ["镇党政办"]


def test_parsed_cells_are_normalised_and_kept_cells_are_not():
    assert clean_text("１２") == "12" and clean_text(3.0) == "3"
    text = "道路破损，群众反映强烈：雨天无法通行；（三组）"
    assert keep_text(f"  {text}\r\n") == text
    assert keep_text("第一行\r第二行") == "第一行\n第二行"


@pytest.mark.parametrize(
    "cells, total",
    [
        (["合计", "", 182], True),
        (["合　计", None, "66项"], True),
        ([None, "小计：12项"], True),
        (["1", "道路破损"], False),
        (["3", "村级资金合计3万元未公开"], False),  # a description that mentions 合计
    ],
)
def test_total_rows_start_with_the_word(cells, total):
    assert is_total_row(cells) is total


@pytest.mark.parametrize(
    "cells",
    [
        ["审核人：　　　制表人："],
        [None, None, "填表人：王芳", None, "联系电话：0838-1234567"],
        ["（单位盖章）"],
        ["注：完成情况一栏填写已完成、正在整改或未启动"],
        ["联系电话"],
    ],
)
def test_signature_and_note_lines_are_footers(cells):
    assert is_footer_row(cells)


@pytest.mark.parametrize("cells", [["1", "审核人员不足"], ["2", "联系群众不够紧密"]])
def test_a_problem_about_reviewers_is_not_a_footer(cells):
    assert not is_footer_row(cells)


def test_group_titles_are_section_rows():
    assert is_section_row(["一、班子评议问题（12项）", None, None])
    assert is_section_row(["（二）群众献言献策", "（二）群众献言献策"])  # a merged row read back
    assert not is_section_row(["1", "一、道路破损"])


@pytest.mark.parametrize(
    "cell, word",
    [
        ("已完成", StatusWord.DONE),
        ("已销号", StatusWord.DONE),
        ("完成", StatusWord.DONE),
        ("已完成。投入资金3万元，硬化道路500米", StatusWord.DONE),
        ("正在整改", StatusWord.WORKING),
        ("推进中", StatusWord.WORKING),
        ("基本完成", StatusWord.WORKING),
        ("未完成", StatusWord.WORKING),
        ("未启动", StatusWord.NOT_STARTED),
        ("已完成设计，正在施工", None),
        ("道路已全部硬化", None),
        ("", None),
    ],
)
def test_status_words_are_read_from_the_start_of_the_cell(cell, word):
    assert status_word(cell) == word


def test_yes_and_no_answer_a_question_column_only():
    assert status_word("是", yes_no=True) == StatusWord.DONE
    assert status_word("否", yes_no=True) == StatusWord.WORKING
    assert status_word("是") is None


def test_a_rows_identity_ignores_spacing_and_width_but_not_wording():
    one = row_identity(serial="１", description="道路破损，雨天 无法通行", department_id=4)
    assert one == row_identity(serial="1", description="道路破损,雨天无法通行", department_id=4)
    assert one != row_identity(serial="1", description="道路破损", department_id=4)
    assert one != row_identity(serial="1", description="道路破损，雨天无法通行", department_id=5)
