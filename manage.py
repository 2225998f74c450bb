#!/usr/bin/env python
"""Django's manage.py; the installed `zhenwu` command does the same."""

from zhenwu.__main__ import main

if __name__ == "__main__":
    main()
