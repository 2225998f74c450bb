"""An upgraded installation is one town (org 0004): every problem, alias and imported row is
its. An installation that had problems but not a single unit (so 0004 made no nodes) gets
its county and town here, named from the settings as a new installation's would be."""

import re
from importlib import import_module

from django.conf import settings
from django.db import migrations

from zhenwu.lib.place_names import town_code, town_short_name


# The county's and the town's nodes are made as the registry's upgrade made them.
_node = import_module("zhenwu.org.migrations.0004_county_and_town_nodes")._node


def _the_town(apps):
    Unit, Town, County = (apps.get_model("org", m) for m in ("Unit", "Town", "County"))
    towns = list(Town.objects.order_by("pk")[:2])
    if len(towns) > 1:
        raise RuntimeError("problems without a town in an installation of several towns")
    if towns:
        return towns[0]
    county = County.objects.select_related("unit").first()
    if county is None:
        root = _node(Unit, name=settings.ZHENWU_COUNTY_NAME, kind="county", parent=None)
        county = County.objects.create(unit=root, name=root.name)
    name = settings.ZHENWU_TOWN_NAME
    node = _node(Unit, name=name, kind="town", parent=county.unit)
    short = town_short_name(name)
    town = Town.objects.create(unit=node, name=name, short_name=short, code=town_code(short))
    Unit.objects.filter(pk=node.pk).update(town=town)
    return town


NUMBER = re.compile(r"([A-Z]*)(\d{4})-(\d+)")  # 2026-0001, DC2026-0001: ledger.services._number


def _counters(apps, town):
    """Each series goes on from the highest number the town has given (core.counters): the
    counter would find it by itself on first use, but the upgrade says it once, visibly."""
    Problem, Counter = apps.get_model("ledger", "Problem"), apps.get_model("core", "Counter")
    highest: dict[tuple[str, int], int] = {}
    for number in Problem.objects.filter(town=town).values_list("number", flat=True).iterator():
        if match := NUMBER.fullmatch(number):
            key = (match[1], int(match[2]))
            highest[key] = max(highest.get(key, 0), int(match[3]))
    Counter.objects.bulk_create(
        Counter(town=town, series=f"ledger.problem:{prefix}", year=year, value=value)
        for (prefix, year), value in sorted(highest.items())
    )


def forwards(apps, schema_editor):
    models = [apps.get_model("ledger", m) for m in ("Problem", "DepartmentAlias", "ImportedRow")]
    if not any(m.objects.filter(town__isnull=True).exists() for m in models):
        return
    town = _the_town(apps)
    for model in models:
        model.objects.filter(town__isnull=True).update(town=town)
    _counters(apps, town)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0012_problem_town"), ("core", "0013_counter")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
