"""The county's and towns' tables and the unit's town (issue 15, county plan step 1); the
upgrade of existing rows is 0004, in a transaction of its own (PostgreSQL refuses schema
changes on a table with row changes pending in the same transaction)."""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0002_login_throttle_token_expiry"),
    ]

    operations = [
        migrations.AlterField(
            model_name="unit",
            name="kind",
            field=models.CharField(
                choices=[
                    ("county", "县"),
                    ("town", "乡镇"),
                    ("town_committee", "镇党委"),
                    ("town_government", "镇人民政府"),
                    ("department", "镇政府部门"),
                    ("community_committee", "社区党委"),
                    ("general_branch", "党总支"),
                    ("branch", "党支部"),
                    ("village_committee", "村委会"),
                    ("residents_committee", "社区居委会"),
                    ("enterprise", "企业"),
                    ("institution", "事业单位"),
                    ("other", "其他"),
                ],
                db_index=True,
                max_length=30,
                verbose_name="类型",
            ),
        ),
        migrations.CreateModel(
            name="Town",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=50, unique=True, verbose_name="镇名")),
                ("short_name", models.CharField(blank=True, max_length=20, verbose_name="简称")),
                (
                    "code",
                    models.CharField(
                        max_length=6,
                        unique=True,
                        validators=[
                            django.core.validators.RegexValidator("^[A-Z]{2,6}$", "简码：须为2至6个大写字母")
                        ],
                        verbose_name="简码",
                    ),
                ),
                ("sort_order", models.PositiveIntegerField(default=0, verbose_name="排序")),
                ("is_active", models.BooleanField(default=True, verbose_name="有效")),
                ("settings", models.JSONField(blank=True, default=dict, verbose_name="本镇设置")),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "unit",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT, related_name="town_node", to="org.unit"
                    ),
                ),
            ],
            options={
                "verbose_name": "镇",
                "verbose_name_plural": "镇",
                "ordering": ["sort_order", "id"],
            },
        ),
        migrations.AddField(
            model_name="unit",
            name="town",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="units",
                to="org.town",
                verbose_name="所属镇",
            ),
        ),
        migrations.CreateModel(
            name="County",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=50, verbose_name="县名")),
                ("singleton", models.BooleanField(default=True, editable=False, unique=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "unit",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT, related_name="county_node", to="org.unit"
                    ),
                ),
            ],
            options={
                "verbose_name": "县",
                "verbose_name_plural": "县",
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("singleton", True)), name="county_is_one_row")
                ],
            },
        ),
    ]
