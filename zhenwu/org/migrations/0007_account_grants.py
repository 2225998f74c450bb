"""Grants: an account's work in another town, and the town an API token works in (issue 15,
county plan step 3). A single town has no grant rows; its tokens get their town in 0008."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0006_people_accounts_town_rows"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="town",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="org.town",
                verbose_name="所在镇",
            ),
        ),
        migrations.CreateModel(
            name="AccountGrant",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("office", "党政办"),
                            ("leader", "镇领导"),
                            ("department", "部门工作人员"),
                            ("branch", "支部书记"),
                            ("inspector", "督导组"),
                            ("service_center", "政务快捷服务中心窗口人员"),
                            ("resettlement", "失地农民服务中心工作人员"),
                            ("admin", "系统管理员"),
                        ],
                        max_length=20,
                        verbose_name="系统角色",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="授权时间")),
                (
                    "town",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="org.town",
                        verbose_name="所在镇",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="org.unit",
                        verbose_name="所属单位",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="grants",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="账号",
                    ),
                ),
            ],
            options={
                "verbose_name": "跨镇授权",
                "verbose_name_plural": "跨镇授权",
                "constraints": [
                    models.UniqueConstraint(fields=("user", "town"), name="grant_one_per_town"),
                    models.CheckConstraint(
                        condition=models.Q(("role", "admin"), _negated=True), name="grant_not_admin"
                    ),
                ],
            },
        ),
    ]
