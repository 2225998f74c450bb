"""Every survey now has its town (0006): the column is required."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0006_survey_town_rows")]

    operations = [
        migrations.AlterField(
            model_name="survey",
            name="town",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="org.town",
                verbose_name="所属镇",
            ),
        ),
    ]
