"""People, their roles and accounts get their town (issue 15, county plan step 3).

An upgraded installation is one town (org 0004): every person is in its registry (by their
unit, else as registered there), a role is held where its unit is (else where its person is),
an account works in its unit's town (else its person's, else the one town); the administrator
is the county's. Its own transaction, as 0004 (PostgreSQL and pending row triggers).
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def forwards(apps, schema_editor):
    Town, Unit, Person, PersonRole, User = (
        apps.get_model("org", m) for m in ("Town", "Unit", "Person", "PersonRole", "User")
    )
    towns = list(Town.objects.values_list("id", flat=True)[:2])
    only = towns[0] if len(towns) == 1 else None
    unit_town = Subquery(Unit.objects.filter(pk=OuterRef("unit_id")).values("town_id")[:1])
    person_town = Subquery(Person.objects.filter(pk=OuterRef("person_id")).values("town_id")[:1])
    Person.objects.filter(unit__isnull=False).update(town=unit_town)
    if only is not None:
        Person.objects.filter(town__isnull=True).update(town=only)
    PersonRole.objects.filter(unit__isnull=False).update(town=unit_town)
    PersonRole.objects.filter(unit__isnull=True).update(town=person_town)
    accounts = User.objects.exclude(role="admin").exclude(is_superuser=True)
    accounts.filter(unit__isnull=False).update(town=unit_town)
    accounts.filter(town__isnull=True, person__isnull=False).update(town=person_town)
    if only is not None:
        accounts.filter(town__isnull=True).update(town=only)


class Migration(migrations.Migration):
    dependencies = [("org", "0005_people_accounts_town")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
