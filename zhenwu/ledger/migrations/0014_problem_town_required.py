"""Every problem, alias and imported row now has its town (0013): the column is required,
numbers and keys are unique per town, and the status-led indexes lead with the town."""

import django.db.models.deletion
from django.db import migrations, models


def _town(**extra):
    return models.ForeignKey(
        editable=False, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="org.town", **extra
    )


class Migration(migrations.Migration):
    dependencies = [("ledger", "0013_problem_town_rows")]

    operations = [
        migrations.AlterField(model_name="problem", name="town", field=_town(verbose_name="所属镇")),
        migrations.AlterField(model_name="departmentalias", name="town", field=_town(verbose_name="所属镇")),
        migrations.AlterField(model_name="importedrow", name="town", field=_town()),
        migrations.AlterField(
            model_name="problem", name="number", field=models.CharField(max_length=20, verbose_name="编号")
        ),
        migrations.AlterField(
            model_name="departmentalias",
            name="key",
            field=models.CharField(max_length=100, verbose_name="别名"),
        ),
        migrations.AlterField(model_name="importedrow", name="key", field=models.CharField(max_length=64)),
        migrations.AddConstraint(
            model_name="problem",
            constraint=models.UniqueConstraint(fields=("town", "number"), name="problem_number_per_town"),
        ),
        migrations.AddConstraint(
            model_name="departmentalias",
            constraint=models.UniqueConstraint(fields=("town", "key"), name="alias_key_per_town"),
        ),
        migrations.AddConstraint(
            model_name="importedrow",
            constraint=models.UniqueConstraint(fields=("town", "key"), name="imported_row_key_per_town"),
        ),
        migrations.RemoveIndex(model_name="problem", name="problem_status_deadline"),
        migrations.RemoveIndex(model_name="problem", name="problem_status_report"),
        migrations.RemoveIndex(model_name="problem", name="problem_status_slip"),
        migrations.RemoveIndex(model_name="problem", name="problem_status_number"),
        migrations.AddIndex(
            model_name="problem",
            index=models.Index(fields=["town", "status", "deadline"], name="problem_town_status_deadline"),
        ),
        migrations.AddIndex(
            model_name="problem",
            index=models.Index(fields=["town", "status", "number"], name="problem_town_status_number"),
        ),
        migrations.AddIndex(
            model_name="problem",
            index=models.Index(
                fields=["town", "status", "last_report_period"], name="problem_town_status_report"
            ),
        ),
        migrations.AddIndex(
            model_name="problem",
            index=models.Index(
                fields=["town", "status", "progress_slip_on"], name="problem_town_status_slip"
            ),
        ),
    ]
