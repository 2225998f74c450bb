"""Surveys get their town (issue 15, county plan step 6): a nullable column first; the rows in
0006, required in 0007, each in its own transaction (PostgreSQL refuses to alter a table with
pending deferred-FK trigger events), as ledger 0012-0014. Only the survey: every other model
of 测评 reaches its town through it, and ballots keep ADR 0005's fields exactly."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0004_reshuffle_ballots"),
        ("org", "0006_people_accounts_town_rows"),
    ]

    operations = [
        migrations.AddField(
            model_name="survey",
            name="town",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="org.town",
                verbose_name="所属镇",
            ),
        ),
    ]
