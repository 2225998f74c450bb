"""Fill the holiday table from chinesecalendar for every year it covers (2004 on)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from zhenwu.core.calendar import _chinesecalendar_days, chinesecalendar_years

    Holiday = apps.get_model("core", "Holiday")
    CalendarYear = apps.get_model("core", "CalendarYear")
    for year in chinesecalendar_years():
        Holiday.objects.bulk_create(
            [Holiday(date=d, kind=k, name=n) for d, k, n in _chinesecalendar_days(year)],
            ignore_conflicts=True,
        )
        CalendarYear.objects.get_or_create(year=year, defaults={"source": "chinesecalendar"})


class Migration(migrations.Migration):
    dependencies = [("core", "0003_audit_append_only")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
