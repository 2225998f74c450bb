"""Whole installations for backup tests: a database, var/ and media/ of their own.

The test database is in memory on SQLite, and a backup is about files: a source installation
gets a file database (a copy of the migrated test schema, made by SQLite's backup API), and a
restore target gets none at all. On PostgreSQL the source is the test database itself and a
target is a new, empty database on the same cluster. `use(...)` points the default alias,
VAR_DIR and MEDIA_ROOT at one installation, for this thread and for any thread started
inside (a thread opens its own connection from the settings).
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection, connections
from django.test import override_settings


@dataclass
class Installation:
    root: Path
    db: dict[str, Any]

    @property
    def var(self) -> Path:
        return self.root / "var"

    @property
    def media(self) -> Path:
        return self.root / "var" / "media"


def source(root: Path) -> Installation:
    """An installation with the migrated schema and no data yet (the default database on PostgreSQL)."""
    (root / "var").mkdir(parents=True)
    db = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        db["NAME"] = root / "var" / "zhenwu.sqlite3"
        memory = sqlite3.connect(str(connection.settings_dict["NAME"]), uri=True)
        copy = sqlite3.connect(db["NAME"])
        memory.backup(copy)
        copy.close()
        memory.close()
    return Installation(root, db)


@contextmanager
def empty_target(root: Path) -> Iterator[Installation]:
    """A fresh installation: nothing in var/, no database file, or an empty PostgreSQL database."""
    (root / "var").mkdir(parents=True)
    db = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        db["NAME"] = root / "var" / "zhenwu.sqlite3"
        yield Installation(root, db)
        return
    db["NAME"] = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{db["NAME"]}"')
    try:
        yield Installation(root, db)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}" WITH (FORCE)')


@contextmanager
def use(installation: Installation) -> Iterator[None]:
    previous, previous_settings = connections["default"], connections.settings["default"]
    connections.settings["default"] = installation.db
    current = connections.create_connection("default")
    connections["default"] = current
    try:
        with override_settings(VAR_DIR=installation.var, MEDIA_ROOT=installation.media):
            yield
    finally:
        current.close()
        connections["default"] = previous
        connections.settings["default"] = previous_settings
