"""No arrow runs from core/ or org/ up to a module.

The core and the organisation registry are what every module builds on; a module plugs into
them through registries (navigation, audit actions, API routers and field names, home
panels, tick tasks). This walks the syntax tree of every file under zhenwu/core and
zhenwu/org, tests included: a core test that needs the ledger is a test of the ledger or of
the whole project, and lives in that app's tests or in zhenwu/tests. Tests may also use the
project's shared personas (zhenwu.conftest), which pytest loads for every test anyway.

The rule is an allow-list, so a module still to come is covered without editing this file.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]  # the zhenwu package
BELOW_THE_MODULES = ("zhenwu.core", "zhenwu.org", "zhenwu.lib", "zhenwu.settings")
TEST_HARNESS = ("zhenwu.conftest",)
# A dotted path passed as a string (import_module("zhenwu.ledger.x"), include("zhenwu.ledger.urls")).
DOTTED = re.compile(r"^zhenwu(\.\w+)+$")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_test(path: Path) -> bool:
    return "tests" in path.relative_to(ROOT).parts


def _allowed(target: str, allowed: tuple[str, ...]) -> bool:
    return not target.startswith("zhenwu.") or any(
        target == prefix or target.startswith(prefix + ".") for prefix in allowed
    )


def imported_modules(path: Path, name: str | None = None) -> list[tuple[int, str]]:
    """(line, module) of every import in the file (module `name`), relative ones resolved,
    plus dotted paths of the package passed as strings to a call."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    name = name or _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            if module == "zhenwu":  # `from zhenwu import ledger` names the module in the alias
                found += [(node.lineno, f"zhenwu.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, module))
        elif isinstance(node, ast.Call):
            found += [
                (arg.lineno, arg.value)
                for arg in node.args
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and _names_a_module(arg.value)
            ]
    return found


def _names_a_module(text: str) -> bool:
    """A dotted path into one of the package's own modules, not a logger's name ("zhenwu.request")."""
    if not DOTTED.match(text):
        return False
    top = text.split(".")[1]
    return (ROOT / top).is_dir() or (ROOT / f"{top}.py").is_file()


def _files() -> list[Path]:
    return sorted(p for folder in ("core", "org") for p in (ROOT / folder).rglob("*.py"))


def test_the_walk_sees_the_files_it_guards():
    files = _files()
    assert ROOT / "core" / "api_base.py" in files
    assert ROOT / "org" / "tests" / "test_views.py" in files


@pytest.mark.parametrize("path", _files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_core_and_org_import_nothing_above_them(path):
    allowed = BELOW_THE_MODULES + (TEST_HARNESS if _is_test(path) else ())
    upward = [
        f"line {line}: {module}" for line, module in imported_modules(path) if not _allowed(module, allowed)
    ]
    assert upward == [], f"{path.relative_to(ROOT)} reaches up to a module"


def test_the_check_catches_each_way_of_reaching_up(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import zhenwu.ledger.models\n"
        "from zhenwu.suggestions import services\n"
        "from zhenwu import bulletins\n"
        "from ..evaluation import models\n"
        "from importlib import import_module\n"
        "import_module('zhenwu.demo.town')\n"
        "logging.getLogger('zhenwu.request')\n"
        "from zhenwu.core import audit\n",
        encoding="utf-8",
    )
    found = imported_modules(probe, name="zhenwu.core.probe")
    upward = [module for _line, module in found if not _allowed(module, BELOW_THE_MODULES)]
    assert upward == [
        "zhenwu.ledger.models",
        "zhenwu.suggestions",
        "zhenwu.bulletins",
        "zhenwu.evaluation",
        "zhenwu.demo.town",
    ]
