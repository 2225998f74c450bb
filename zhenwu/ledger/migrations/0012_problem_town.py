"""Problems, department aliases and imported rows get their town (issue 15, county plan
step 4): nullable columns first; the rows in 0013, the constraints in 0014, each in its own
transaction (PostgreSQL refuses to alter a table with pending deferred-FK trigger events)."""

import django.db.models.deletion
from django.db import migrations, models


def _town(**extra):
    return models.ForeignKey(
        null=True, editable=False, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="org.town",
        **extra,
    )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0011_import_aliases_and_rows"),
        ("org", "0006_people_accounts_town_rows"),
    ]

    operations = [
        migrations.AddField(model_name="problem", name="town", field=_town(verbose_name="所属镇")),
        migrations.AddField(model_name="departmentalias", name="town", field=_town(verbose_name="所属镇")),
        migrations.AddField(model_name="importedrow", name="town", field=_town()),
    ]
