"""The `zhenwu` command: Django's manage.py, with hyphenated names for our own commands.

zhenwu serve | migrate | seed-demo | tick | audit verify | <any Django command>
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhenwu.settings")
    if len(args) > 1 and not args[1].startswith("-"):
        # Django command modules cannot contain hyphens; the command line reads better with them.
        args[1] = args[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
