"""Each existing API token works in its account's town, as it did (issue 15, step 3).

A token made before grants was its account's home grant's; it keeps that town. The county's
accounts (the administrator) have no town: their tokens stay NULL, the home grant. Its own
transaction, as 0004 and 0006 (PostgreSQL and pending row triggers).
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def forwards(apps, schema_editor):
    ApiToken, User = (apps.get_model("org", m) for m in ("ApiToken", "User"))
    user_town = Subquery(User.objects.filter(pk=OuterRef("user_id")).values("town_id")[:1])
    ApiToken.objects.filter(town__isnull=True).update(town=user_town)


class Migration(migrations.Migration):
    dependencies = [("org", "0007_account_grants")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
