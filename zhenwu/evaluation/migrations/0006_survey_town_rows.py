"""An upgraded installation is one town (org 0004): every survey is its. An installation with
surveys but not a single unit gets its county and town as the ledger's upgrade makes them
(ledger 0013's `_the_town`, reused rather than copied: one rule for the upgrade's town)."""

from importlib import import_module

from django.db import migrations


def forwards(apps, schema_editor):
    Survey = apps.get_model("evaluation", "Survey")
    if not Survey.objects.filter(town__isnull=True).exists():
        return
    the_town = import_module("zhenwu.ledger.migrations.0013_problem_town_rows")._the_town
    Survey.objects.filter(town__isnull=True).update(town=the_town(apps))


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0005_survey_town"), ("ledger", "0013_problem_town_rows")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
