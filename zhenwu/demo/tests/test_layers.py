"""The demo's imports run one way: town.py calls the parts, the parts build on base.py.

Walks every import of every demo module (those inside functions too, which is how the old
circle between town.py and ledger.py/suggestions.py was hidden) and fails on any cycle.
"""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

DEMO = Path(__file__).resolve().parents[1]


def _name(path: Path) -> str:
    parts = path.relative_to(DEMO.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(p): p for p in DEMO.rglob("*.py") if "tests" not in p.relative_to(DEMO).parts}


def demo_imports(path: Path) -> set[str]:
    """The demo modules this file imports (`from zhenwu.demo import names` names one too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            targets = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        found |= {t for t in targets if t in MODULES and t != "zhenwu.demo"}
    return found - {_name(path)}


def test_the_demo_has_no_import_circle():
    graph = {name: demo_imports(path) for name, path in MODULES.items()}
    assert graph["zhenwu.demo.town"] >= {"zhenwu.demo.ledger", "zhenwu.demo.suggestions"}
    try:
        list(TopologicalSorter(graph).static_order())
    except CycleError as error:
        raise AssertionError(f"the demo's imports run in a circle: {error.args[1]}") from None


def test_the_shared_base_imports_no_other_part_of_the_demo():
    assert demo_imports(MODULES["zhenwu.demo.base"]) == set()
