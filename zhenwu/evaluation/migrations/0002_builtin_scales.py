"""The scales in use (china-conventions §1), so a new survey can be set up at once."""

from django.db import migrations

from zhenwu.evaluation.constants import BUILTIN_SCALES


def create(apps, schema_editor):
    Scale = apps.get_model("evaluation", "Scale")
    for name, levels in BUILTIN_SCALES:
        Scale.objects.update_or_create(
            name=name,
            defaults={
                "builtin": True,
                "levels": [{"label": label, "satisfied": sat, "good": good} for label, sat, good in levels],
            },
        )


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
