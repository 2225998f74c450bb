"""An installation of today upgrades to the county's schema and keeps every figure (issue 15).

The committed one-town database (step 0, `one_town/`) is loaded into a database migrated to the
nodes the county plan started from, through the models *of those nodes*; then every migration
since runs, as `zhenwu migrate` would on the town's server. Afterwards every row of a model
that belongs to a town reaches the one town, and the figures dump is the stored one — except
for what the upgrade adds on purpose, listed in ADDED. Runs on SQLite and on PostgreSQL (CI).
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Q
from django.test import override_settings

from zhenwu.bulletins.dump import figures_dump_json
from zhenwu.core.audit import audit_verify
from zhenwu.core.models import AuditEvent
from zhenwu.org import towns
from zhenwu.org.constants import UnitKind
from zhenwu.org.models import County, Town, Unit
from zhenwu.tests.upgrade.loading import load_rows
from zhenwu.tests.upgrade.test_figures_dump import EXEMPT, TODAY, audit_key, dump, stored_figures

# Where the county plan started (step 0, commit 3e7143e): the newest migration of each app.
# Never edit: it is the schema the installations being upgraded have.
STEP_0_NODES = [
    ("admin", "0003_logentry_add_action_flag_choices"),
    ("auth", "0012_alter_user_first_name_max_length"),
    ("bulletins", "0002_audit_head"),
    ("contenttypes", "0002_remove_content_type_name"),
    ("core", "0010_audit_keyed"),
    ("evaluation", "0004_reshuffle_ballots"),
    ("ledger", "0011_import_aliases_and_rows"),
    ("org", "0002_login_throttle_token_expiry"),
    ("sessions", "0001_initial"),
    ("suggestions", "0007_similarity_facets"),
]

# What the upgrade adds to the row counts, per model: the county's root and the town's node,
# the audit log's marker where events start to carry their town, the problems' numbering
# counter (one series: the fixture's problems are all of 2026 without a prefix), and Django's
# content type and four permissions for each new model (Town, County, AccountGrant, Counter).
NEW_MODELS = 4
# New models a single town has no row of: an account works in a second town only by a grant.
NONE_IN_ONE_TOWN = {"org.AccountGrant"}
ADDED = {
    "core.AuditEvent": 1,
    "core.Counter": 1,
    "org.Unit": 2,
    "org.Town": 1,
    "org.County": 1,
    "contenttypes.ContentType": NEW_MODELS,
    "auth.Permission": 4 * NEW_MODELS,
}


@pytest.fixture
def upgraded(transactional_db):
    """The fixture loaded at step 0's schema, then migrated to the head."""
    executor = MigrationExecutor(connection)
    executor.migrate(STEP_0_NODES)
    executor.loader.build_graph()
    old_models = executor.loader.project_state(STEP_0_NODES).apps
    with override_settings(ZHENWU_AUDIT_KEY=audit_key()):
        loaded = load_rows(old_models)
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        yield loaded


def test_the_upgrade_puts_every_row_in_the_one_town_and_keeps_every_figure(upgraded):
    stored = stored_figures()
    the_town = Town.objects.select_related("unit").get()
    county = County.objects.select_related("unit").get()
    government = Unit.objects.get(kind=UnitKind.TOWN_GOVERNMENT)
    assert (government.name, the_town.name, the_town.code) == ("××镇人民政府", "××镇", "ZHEN")
    assert the_town.unit.parent_id == county.unit.pk and county.unit.kind == UnitKind.COUNTY

    # The tree: the old roots now sit under the town's node; paths and depths follow.
    for unit in Unit.objects.exclude(pk=county.unit.pk).select_related("parent"):
        parent_path = unit.parent.path if unit.parent else "/"
        assert unit.path == f"{parent_path}{unit.pk}/" and unit.depth == parent_path.count("/") - 1, unit
    roots = Unit.objects.filter(parent=the_town.unit).values_list("kind", flat=True)
    assert set(roots) == {UnitKind.TOWN_COMMITTEE, UnitKind.TOWN_GOVERNMENT}

    # Every row of a model in a town reaches this town, but the county's own: its root, and
    # the administrators (the county's role) and their tokens (NULL: the home grant).
    county_own = {
        "org.Unit": Q(kind=UnitKind.COUNTY),
        "org.User": Q(role="admin"),
        "org.ApiToken": Q(user__role="admin"),
    }
    for label, entry in towns.declared().items():
        # The audit log's rows keep no town below the marker (checked below): they are read as
        # the first town's, and rewriting them would be rewriting history.
        if entry.kind != "town" or label == "core.AuditEvent" or label in NONE_IN_ONE_TOWN:
            continue
        model = apps.get_model(label)
        rows = model._base_manager.exclude(county_own.get(label, Q(pk__in=[])))
        assert rows.count() == rows.filter(**{entry.path: the_town}).count() > 0, label

    # The figures are the town's of before; only the rows the upgrade adds are new.
    for label, n in upgraded.items():  # every dumped row went in
        assert stored["row_counts"][label] == n, label
    with override_settings(ZHENWU_AUDIT_KEY=audit_key()):
        first = dump()
        assert first == dump(), "two runs on the same database differ"
        assert first == figures_dump_json(date.fromisoformat(TODAY))
        after = json.loads(first)
        assert audit_verify().ok
    # The audit log: every row as it was, then the marker (keyed, chained, naming the town).
    marker = AuditEvent.objects.get(action="system.towns_introduced")
    old_head = stored["audit"]["head"]
    assert f"{marker.seq - 1}:{marker.prev_hash}" == old_head and marker.town_id is None
    assert marker.after == {"untowned_until": marker.seq - 1, "first_town": the_town.pk}
    assert not AuditEvent.objects.filter(seq__lt=marker.seq, town__isnull=False).exists()
    expected = dict(stored)
    expected["audit"] = {**stored["audit"], "checked": marker.seq, "head": f"{marker.seq}:{marker.hash}"}
    expected["row_counts"] = {
        label: stored["row_counts"].get(label, 0) + ADDED.get(label, 0) for label in after["row_counts"]
    }
    assert after["row_counts"] == expected["row_counts"]
    assert after == expected
    # The log is still append-only: the column came and went without rebuilding its table.
    # (SQLite's triggers refuse UPDATE; a DELETE there is caught by the chain, core 0003.)
    refused = ["UPDATE core_auditevent SET actor_label = 'x' WHERE seq = 1"]
    if connection.vendor == "postgresql":
        refused += ["DELETE FROM core_auditevent", "TRUNCATE core_auditevent"]
    for sql in refused:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    # Every model has rows once upgraded (the new ones from the upgrade itself).
    empty = sorted(
        label
        for label, n in after["row_counts"].items()
        if not n and label not in EXEMPT and label not in NONE_IN_ONE_TOWN
    )
    assert not empty, f"models with no row after the upgrade (add them to build_fixture): {empty}"


def test_the_upgrade_can_be_undone_on_one_town(upgraded):
    """The migration's reverse gives the tree back as it was (for a failed upgrade's rollback)."""
    before = {u.pk: (u.parent_id, u.path, u.depth) for u in Unit.objects.exclude(kind__in=["county", "town"])}
    executor = MigrationExecutor(connection)
    executor.migrate([("org", "0002_login_throttle_token_expiry")])
    old = executor.loader.project_state([("org", "0002_login_throttle_token_expiry")]).apps
    units = old.get_model("org", "Unit").objects.all()
    top = {u.pk for u in units if u.parent_id is None}
    restored = {u.pk: (u.parent_id, u.path, u.depth) for u in units}
    assert set(restored) == set(before)
    for pk, (parent, path, depth) in restored.items():
        old_parent, old_path, old_depth = before[pk]
        assert depth == old_depth - 2 and old_path.endswith(path)
        assert parent == (None if pk in top else old_parent)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
