"""The old answer tables go, once 0003 has copied them into the ledger."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("suggestions", "0003_followup_copy"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="reopenrequest",
            name="feedback",
        ),
        migrations.RemoveField(
            model_name="reopenrequest",
            name="decided_by",
        ),
        migrations.RemoveField(
            model_name="reopenrequest",
            name="problem",
        ),
        migrations.DeleteModel(
            name="Feedback",
        ),
        migrations.DeleteModel(
            name="ReopenRequest",
        ),
    ]
