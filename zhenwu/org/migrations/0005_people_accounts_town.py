"""The town of people, roles and accounts (issue 15, county plan step 3); rows in 0006."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0004_county_and_town_nodes"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="town",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="people",
                to="org.town",
                verbose_name="所属镇",
            ),
        ),
        migrations.AddField(
            model_name="personrole",
            name="town",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="org.town",
                verbose_name="所属镇",
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="town",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="org.town",
                verbose_name="所属镇",
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["town", "name_pinyin"], name="person_town_pinyin_idx"),
        ),
    ]
