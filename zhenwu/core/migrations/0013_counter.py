"""Numbers per town, series and year (issue 15, county plan step 4; core.counters)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0012_towns_introduced"),
        ("org", "0006_people_accounts_town_rows"),
    ]

    operations = [
        migrations.CreateModel(
            name="Counter",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("series", models.CharField(max_length=40)),
                ("year", models.PositiveSmallIntegerField()),
                ("value", models.PositiveIntegerField(default=0)),
                (
                    "town",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="org.town"
                    ),
                ),
            ],
            options={
                "verbose_name": "编号计数",
                "verbose_name_plural": "编号计数",
                "constraints": [
                    models.UniqueConstraint(fields=("town", "series", "year"), name="counter_per_series")
                ],
            },
        ),
    ]
