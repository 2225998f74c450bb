"""Put the committed one-town rows into a database, through any set of models.

Step 1's upgrade test migrates an empty database to the nodes before its migrations and
loads the fixture through *those* models (`MigrationExecutor(...).loader.project_state(nodes)
.apps`): `loaddata` cannot, it uses the current models, whose new columns the old tables
lack. So this reads the dump itself and inserts each row as it is — primary keys, hashes and
all. Audit rows need nothing special: an INSERT is what the append-only triggers allow
(they refuse UPDATE, and DELETE/TRUNCATE on PostgreSQL), and the chain then verifies under
the key it was written with (one_town/audit_key). The log must be empty first.
"""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.apps.registry import Apps
from django.core.management.color import no_style
from django.db import connections, transaction

FIXTURE = Path(__file__).resolve().parent / "one_town" / "data.json.gz"


def fixture_rows() -> list[dict[str, Any]]:
    return json.loads(gzip.decompress(FIXTURE.read_bytes()))


@contextmanager
def _stored_times(registry: Apps, labels: Iterable[str]) -> Iterator[None]:
    """auto_now / auto_now_add fields keep the dumped moment: a save would stamp the clock's
    (loaddata saves raw, which skips them; bulk_create and save do not)."""
    switched = [
        (field, field.auto_now, field.auto_now_add)
        for label in labels
        for field in registry.get_model(label)._meta.concrete_fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]
    for field, _now, _add in switched:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, now, add in switched:
            field.auto_now, field.auto_now_add = now, add


def load_rows(registry: Apps, *, using: str = "default") -> dict[str, int]:
    """Insert every dumped row through `registry`'s models; returns rows per model label."""
    rows: dict[str, list[Any]] = defaultdict(list)
    links: dict[tuple[str, str], list[tuple[Any, list[Any]]]] = defaultdict(list)
    for item in fixture_rows():
        model = registry.get_model(item["model"])
        values: dict[str, Any] = {model._meta.pk.attname: item["pk"]}
        for name, value in item["fields"].items():
            field = model._meta.get_field(name)
            if field.many_to_many:
                links[(item["model"], name)].append((item["pk"], value))
            elif field.is_relation:
                values[field.attname] = value  # type: ignore[union-attr]
            else:
                values[field.attname] = field.to_python(value)  # type: ignore[union-attr]
        rows[item["model"]].append(model(**values))
    counts: dict[str, int] = {}
    connection = connections[using]
    with transaction.atomic(using=using), _stored_times(registry, rows):
        for label, objects in rows.items():
            manager = registry.get_model(label)._base_manager.using(using)
            # Rows a migration wrote (the work calendar of core 0004) are there already: they
            # take the dumped values; every other row is new.
            there = set(manager.filter(pk__in=[o.pk for o in objects]).values_list("pk", flat=True))
            for obj in objects:
                if obj.pk in there:
                    obj.save(using=using, force_update=True)
            manager.bulk_create([o for o in objects if o.pk not in there], batch_size=500)
            counts[manager.model._meta.label] = len(objects)
        touched = [registry.get_model(label) for label in rows]
        for (label, name), pairs in links.items():
            field = registry.get_model(label)._meta.get_field(name)
            through = field.remote_field.through  # type: ignore[union-attr]
            own, other = field.m2m_field_name(), field.m2m_reverse_field_name()  # type: ignore[union-attr]
            made = [
                through(**{f"{own}_id": pk, f"{other}_id": target}) for pk, ids in pairs for target in ids
            ]
            through._base_manager.using(using).bulk_create(made, batch_size=500)
            counts[through._meta.label] = len(made)
            touched.append(through)
        # As loaddata does: the foreign keys checked now, and PostgreSQL's sequences moved past
        # the loaded ids (the next row a service creates must not take a loaded row's id).
        connection.check_constraints(table_names=[m._meta.db_table for m in touched])
        statements = connection.ops.sequence_reset_sql(no_style(), touched)
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
    return counts
