"""The API's registries: apps add routers and the names of their fields; the core lists none."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.utils import translation
from ninja import Router

from zhenwu.core import api_base
from zhenwu.core.api_base import describe_input_error, register_field_labels, register_router


@pytest.fixture
def restore_registries():
    routers, labels = list(api_base.ROUTERS), dict(api_base.FIELD_LABELS)
    yield
    api_base.ROUTERS[:] = routers
    api_base.FIELD_LABELS.clear()
    api_base.FIELD_LABELS.update(labels)


def test_the_core_itself_names_only_the_generic_fields():
    tree = ast.parse(Path(api_base.__file__).read_text(encoding="utf-8"))
    literal = next(
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "FIELD_LABELS"
    )
    assert isinstance(literal, ast.Dict)
    assert [key.value for key in literal.keys if isinstance(key, ast.Constant)] == ["q", "page", "page_size"]


def test_an_app_registers_the_names_of_its_fields(restore_registries):
    register_field_labels({"throwaway_id": "临时编号"})
    with translation.override("zh-hans"):
        described = describe_input_error({"loc": ["query", "throwaway_id"], "type": "int_parsing"})
    assert described["message"] == "临时编号：应为整数"


def test_a_field_may_be_named_twice_alike_but_not_differently(restore_registries):
    register_field_labels({"status": "状态"})
    with pytest.raises(ValueError, match="status"):
        register_field_labels({"status": "办理状态"})


def test_an_unnamed_field_is_refused_under_its_own_name():
    described = describe_input_error({"loc": ["query", "nobody_named_me"], "type": "missing"})
    assert described["message"].startswith("nobody_named_me：")


def test_a_router_is_registered_once(restore_registries):
    router = Router()
    register_router("/throwaway/", router)
    assert ("/throwaway/", router) in api_base.ROUTERS
    with pytest.raises(ValueError):
        register_router("/again/", router)
