"""Failed logins move off the account (counted per username and address in core.ThrottleHit);
API tokens get an expiry, existing ones from their creation date."""

from datetime import timedelta

from django.conf import settings
from django.db import migrations, models


def expire_from_creation(apps, schema_editor):
    ApiToken = apps.get_model("org", "ApiToken")
    lifetime = timedelta(days=settings.ZHENWU_API_TOKEN_DAYS)
    for token in ApiToken.objects.filter(expires_at__isnull=True).only("created_at"):
        ApiToken.objects.filter(pk=token.pk).update(expires_at=token.created_at + lifetime)


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]

    operations = [
        migrations.RemoveField(model_name="user", name="failed_logins"),
        migrations.RemoveField(model_name="user", name="locked_until"),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="有效期至"),
        ),
        migrations.RunPython(expire_from_creation, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="有效期至"),
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="创建时间"),
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="last_used_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="最近使用"),
        ),
    ]
