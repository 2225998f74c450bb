"""The county and its town in the unit tree (issue 15, county plan step 1): the rows.

An existing installation is one town: its roots (the town's 党委 and 人民政府, and whatever
else was made without a parent) move under a new town node, itself under a new county root;
every path gains the two ids in front, every unit gets the town. The town is named as a new
installation's first unit names it (org.services._first_town, lib.place_names). An empty
database gets nothing: its first unit makes the nodes. Reversible, for the upgrade test.
"""

from django.conf import settings
from django.db import migrations

from zhenwu.lib.place_names import town_code, town_name_of, town_short_name

TOWN_OWN_KINDS = ("town_government", "town_committee")  # the first names the town best


def _node(Unit, *, name, kind, parent):
    node = Unit.objects.create(name=name, kind=kind, parent=parent, path="/pending/", depth=0)
    node.path = f"{parent.path if parent else '/'}{node.pk}/"
    node.depth = node.path.count("/") - 2
    node.save(update_fields=["path", "depth"])
    return node


def add_county_and_town(apps, schema_editor):
    Unit, Town, County = (apps.get_model("org", m) for m in ("Unit", "Town", "County"))
    roots = list(Unit.objects.filter(parent=None).order_by("sort_order", "id"))
    if not roots:
        return
    named = sorted(roots, key=lambda u: (TOWN_OWN_KINDS + (u.kind,)).index(u.kind))
    name = next(filter(None, (town_name_of(u.name) for u in named)), None) or settings.ZHENWU_TOWN_NAME
    county_root = _node(Unit, name=settings.ZHENWU_COUNTY_NAME, kind="county", parent=None)
    County.objects.create(unit=county_root, name=county_root.name)
    node = _node(Unit, name=name, kind="town", parent=county_root)
    short = town_short_name(name)
    town = Town.objects.create(unit=node, name=name, short_name=short, code=town_code(short))
    prefix = node.path[:-1]  # "/C/T" + "/a/b/"
    units = list(Unit.objects.exclude(pk=county_root.pk))
    for unit in units:
        unit.town = town
        if unit.pk != node.pk:
            unit.path = prefix + unit.path
            unit.depth += 2
            if unit.parent_id is None:
                unit.parent = node
    Unit.objects.bulk_update(units, ["town", "path", "depth", "parent"], batch_size=500)


def remove_county_and_town(apps, schema_editor):
    Unit, Town, County = (apps.get_model("org", m) for m in ("Unit", "Town", "County"))
    county = County.objects.select_related("unit").first()
    if county is None:
        return
    towns = list(Town.objects.select_related("unit"))
    if len(towns) > 1:
        raise RuntimeError("several towns cannot be made into one again")
    nodes = [county.unit.pk, *(t.unit.pk for t in towns)]
    units = list(Unit.objects.exclude(pk__in=nodes))
    cut = len(towns[0].unit.path) - 1 if towns else len(county.unit.path) - 1
    for unit in units:
        unit.town = None
        unit.path = unit.path[cut:]
        unit.depth -= 2
        if unit.parent_id in nodes:
            unit.parent = None
    Unit.objects.bulk_update(units, ["town", "path", "depth", "parent"], batch_size=500)
    Unit.objects.filter(pk__in=nodes).update(town=None)
    Town.objects.all().delete()
    County.objects.all().delete()
    for pk in reversed(nodes):  # the towns' nodes, then the county's root (PROTECT on parent)
        Unit.objects.filter(pk=pk).delete()


class Migration(migrations.Migration):
    dependencies = [("org", "0003_county_and_towns")]

    operations = [migrations.RunPython(add_county_and_town, remove_county_and_town)]
