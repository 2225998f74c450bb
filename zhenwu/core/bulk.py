"""Inserting many rows of a plain table at once: a batch's history steps, links and keys.

Django's bulk_create compiles every value of every row through half a dozen calls; an import
of 10,000 rows writes about 40,000 such rows and spent seconds there. Here each field's own
get_db_prep_save still prepares what it must (dates, times, JSON), once per distinct value,
and plain text, numbers and ids go as they are — what is stored is what save() would store.
For tables without auto_now fields or defaults to fill: every column is given. No ids come back.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection, models

_AS_IS = (models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.ForeignKey)
_BATCH = 500


def insert_rows(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> int:
    """Insert `rows` (each: every concrete field's attname → value, the auto id aside) into
    `model`'s table, in the caller's transaction. Returns how many."""
    fields, values = _prepared(model, rows)
    insert_values(model._meta.db_table, [f.column for f in fields], values)
    return len(values)


def _prepared(
    model: type[models.Model], rows: Iterable[dict[str, Any]]
) -> tuple[list[models.Field[Any, Any]], list[tuple[Any, ...]]]:
    """The table's fields (the auto id aside) and each row's values as the database takes them."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    prepared = [_preparer(f) for f in fields]
    values = [tuple(prep(row[f.attname]) for f, prep in zip(fields, prepared, strict=True)) for row in rows]
    return fields, values


def insert_values(table: str, columns: list[str], values: list[tuple[Any, ...]]) -> None:
    """Rows already prepared for the database, into `table`. PostgreSQL takes them through COPY
    (its bulk path: one stream, no statement per row); SQLite, in process, row by row through
    executemany, which costs it nothing more."""
    if not values:
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg import sql

            copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
            )
            # The driver's own cursor (Django's has no COPY), its errors still turned into Django's.
            with connection.wrap_database_errors, cursor.cursor.copy(copy_sql) as copy:
                for row in values:
                    copy.write_row(row)
            return
        one = f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        for start in range(0, len(values), _BATCH):
            cursor.executemany(one, values[start : start + _BATCH])


def _preparer(field: models.Field) -> Any:
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    if isinstance(field, _AS_IS):
        return _same
    memo: dict[Any, Any] = {}  # dates and times: a batch shares a few moments

    def prepare(value: Any) -> Any:
        if value not in memo:
            memo[value] = field.get_db_prep_save(value, connection)
        return memo[value]

    return prepare


def _same(value: Any) -> Any:
    return value


def row_of(obj: models.Model) -> dict[str, Any]:
    """An unsaved instance as insert_rows takes it."""
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if not f.primary_key}


def insert_rows_with_ids(model: type[models.Model], rows: list[dict[str, Any]], *, key: str) -> list[int]:
    """insert_rows for a table whose new ids the caller needs, in the order of `rows`.

    PostgreSQL: the ids are drawn from the table's sequence first (nextval is atomic, so
    concurrent writers never share one), then the rows go in through COPY with them. SQLite:
    multi-row INSERT … RETURNING, each id matched to its row by `key` (a field whose values
    differ between the rows, such as a problem's number within its town), not by the order
    the rows come back in."""
    if not rows:
        return []
    pk = model._meta.pk
    assert pk is not None
    fields, values = _prepared(model, rows)
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk.column, len(rows)],
            )
            ids = [ident for (ident,) in cursor.fetchall()]
            with_ids = [(i, *v) for i, v in zip(ids, values, strict=True)]
            insert_values(table, [pk.column, *(f.column for f in fields)], with_ids)
            return ids
        quote = connection.ops.quote_name
        key_field = model._meta.get_field(key)
        assert isinstance(key_field, models.Field)
        if len({row[key_field.attname] for row in rows}) != len(rows):
            raise ValueError(f"insert_rows_with_ids: {key} repeats among the rows")
        head = f"INSERT INTO {quote(table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "  # noqa: S608
        one = f"({', '.join(['%s'] * len(fields))})"
        tail = f" RETURNING {quote(pk.column)}, {quote(key_field.column)}"
        per_statement = max(1, (connection.features.max_query_params or 999) // len(fields))
        found: dict[Any, int] = {}
        for start in range(0, len(values), per_statement):
            chunk = values[start : start + per_statement]
            cursor.execute(head + ", ".join([one] * len(chunk)) + tail, [v for row in chunk for v in row])
            found.update((key_field.to_python(value), ident) for ident, value in cursor.fetchall())
        return [found[key_field.to_python(row[key_field.attname])] for row in rows]
