"""Modules ask org.roles what an account may do; none reads `.role` itself (county plan, step 3).

When an account works in a second town through a grant, its role there is the grant's, not
the account's own column: a module that read `user.role` would keep the home town's rights
everywhere (a county office that can write). So every module goes through org.roles and
org.scope, written once. Walks every module's source, not only today's: a module still to come
is covered without editing this file. core/ and org/ are the mechanism and are exempt, and so
are the demo's own builders.
"""

from __future__ import annotations

import ast
from pathlib import Path

ZHENWU = Path(__file__).resolve().parents[1]
MECHANISM = {"core", "org", "demo", "tests", "locale", "static", "templates", "lib", "e2e"}


def _module_files() -> list[Path]:
    return [
        path
        for app in sorted(p for p in ZHENWU.iterdir() if p.is_dir() and p.name not in MECHANISM)
        for path in app.rglob("*.py")
        if "tests" not in path.relative_to(app).parts and "migrations" not in path.relative_to(app).parts
    ]


def _role_reads(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if (isinstance(node, ast.Attribute) and node.attr == "role")
        # getattr(user, "role", …) is the same read in other words
        or (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "getattr"
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value == "role"
        )
    ]


def test_no_module_reads_an_accounts_role_itself():
    files = _module_files()
    assert len(files) > 20, "the walk found the modules"
    found = {str(p.relative_to(ZHENWU)): lines for p in files if (lines := _role_reads(p))}
    assert not found, f"ask org.roles (is_office, is_town_reader, …) instead of reading .role: {found}"


def test_the_check_sees_a_role_read(tmp_path):
    sample = tmp_path / "views.py"
    sample.write_text(
        "def v(request):\n    return request.user.role == 'office'\n"
        "def w(user):\n    return getattr(user, 'role', None)\n",
        encoding="utf-8",
    )
    assert sorted(_role_reads(sample)) == [2, 4]
