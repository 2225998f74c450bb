"""The registry: units as a tree, people, the roles they hold, and accounts."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhenwu.lib.identity import mask_id_number, mask_phone
from zhenwu.org.constants import SCOPE_KINDS, AccountRole, Gender, RoleKind, UnitKind


class Unit(models.Model):
    """An organisation: the town committee, a department, a branch, a village committee…

    `path` is a materialised path of ancestor ids ("/1/7/12/") kept by the services, so a
    subtree (everything a branch secretary may see) is one indexed prefix match.
    """

    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    kind = models.CharField(_("类型"), max_length=30, choices=UnitKind.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("有效"), default=True)
    # The town the unit belongs to, set by the services from the parent and never changed
    # (ADR 0008 §2); NULL only for the county's root and the county's own offices.
    town = models.ForeignKey(
        "Town",
        verbose_name=_("所属镇"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="units",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="unit_unique_name_per_parent"),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="unit_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_scope_node(self) -> bool:
        """The county's root or a town's node: kept by the system, not on the unit form."""
        return self.kind in SCOPE_KINDS


class County(models.Model):
    """The installation's county: exactly one row (an installation *is* one county), tied to
    the root of the unit tree (ADR 0008 §1)."""

    unit = models.OneToOneField(Unit, on_delete=models.PROTECT, related_name="county_node")
    name = models.CharField(_("县名"), max_length=50)
    # Holds the one-row rule in the database: a second row would repeat `True`.
    singleton = models.BooleanField(default=True, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("县")
        verbose_name_plural = _("县")
        constraints = [models.CheckConstraint(condition=Q(singleton=True), name="county_is_one_row")]

    def __str__(self) -> str:
        return self.name


TOWN_CODE = RegexValidator(r"^[A-Z]{2,6}$", _("简码：须为2至6个大写字母"))


class Town(models.Model):
    """A town: the scope every town's row reaches (ADR 0008 §1), tied to its node in the tree.

    Rows point at a `Town`, never at the town's `Unit`: a key to `Town` can only name a town,
    and a town is then the same small number in every row, index and URL."""

    unit = models.OneToOneField(Unit, on_delete=models.PROTECT, related_name="town_node")
    name = models.CharField(_("镇名"), max_length=50, unique=True)
    short_name = models.CharField(_("简称"), max_length=20, blank=True)
    code = models.CharField(_("简码"), max_length=6, unique=True, validators=[TOWN_CODE])
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("有效"), default=True)
    # The values that differ from the defaults (ADR 0008 §4), and a number every edit bumps so
    # per-process memos know to reload.
    settings = models.JSONField(_("本镇设置"), default=dict, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("镇")
        verbose_name_plural = _("镇")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """A person the town deals with: member, cadre, leader, representative."""

    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    phone = models.CharField(_("手机号码"), max_length=20, blank=True)
    id_number = models.CharField(_("身份证号码"), max_length=18, null=True, blank=True, unique=True)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("所在单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    title = models.CharField(_("职务"), max_length=60, blank=True)
    is_second_line = models.BooleanField(_("二线领导"), default=False, db_index=True)
    name_pinyin = models.CharField(max_length=200, blank=True, editable=False, db_index=True)
    name_initials = models.CharField(max_length=50, blank=True, editable=False, db_index=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    # The town whose registry the person is in (their unit's, else the town that registered
    # them); NULL for the county's own staff. Set by the services (ADR 0008 §2).
    town = models.ForeignKey(
        "Town", verbose_name=_("所属镇"), null=True, blank=True, editable=False,
        on_delete=models.PROTECT, related_name="people",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["name_pinyin", "id"]
        indexes = [
            models.Index(fields=["name"], name="person_name_idx"),
            models.Index(fields=["town", "name_pinyin"], name="person_town_pinyin_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number or "")


class PersonRole(models.Model):
    """A role a person holds, often in a unit: 党员 of a branch, 村干部 of a village."""

    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField(_("身份"), max_length=30, choices=RoleKind.choices)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("所在组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_holders",
    )
    since = models.DateField(_("起始日期"), null=True, blank=True)
    # The town the role is held in: its unit's, else the person's (a 人大代表 without a unit).
    town = models.ForeignKey(
        "Town", verbose_name=_("所属镇"), null=True, blank=True, editable=False,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("身份")
        verbose_name_plural = _("身份")
        constraints = [
            models.UniqueConstraint(fields=["person", "kind", "unit"], name="role_unique_per_unit"),
        ]
        indexes = [models.Index(fields=["kind", "unit"], name="role_kind_unit_idx")]

    def __str__(self) -> str:
        where = f"（{self.unit}）" if self.unit_id else ""
        return f"{self.get_kind_display()}{where}"


class User(AbstractUser):
    """An account. Its role decides what it may do; its unit bounds what it may see."""

    role = models.CharField(
        _("系统角色"), max_length=20, choices=AccountRole.choices, default=AccountRole.DEPARTMENT
    )
    person = models.OneToOneField(
        Person,
        verbose_name=_("对应人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="account",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
        help_text=_("部门、支部、中心账号只能看到本单位及下级单位的数据"),
    )
    # The town the account works in (its unit's, else its person's); NULL for the county's
    # roles (the administrator). Its (town, role, unit) is the account's *home grant*; work in
    # another town comes with an AccountGrant (org.scope reads which one is active).
    town = models.ForeignKey(
        "Town", verbose_name=_("所属镇"), null=True, blank=True, editable=False,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    must_change_password = models.BooleanField(_("首次登录须修改密码"), default=False)
    # Failed logins are not counted here: they are counted per (username, address) in
    # core.ThrottleHit (org/logins.py), so an account cannot be locked from elsewhere.
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)

    objects = UserManager()  # type: ignore[misc, var-annotated]

    class Meta:
        verbose_name = _("账号")
        verbose_name_plural = _("账号")

    @property
    def display_name(self) -> str:
        if self.person_id and self.person:
            return self.person.name
        return self.get_full_name() or self.username


class AccountGrant(models.Model):
    """An account's work in a town other than its own (ADR 0008 §3): a cadre moved, a 督导组
    member lent to a neighbour. `role` and `unit` mean what `User.role` and `User.unit` mean,
    in `town`; the account's own columns stay its home grant. Never the county's roles: the
    administrator already works in every town."""

    user = models.ForeignKey(User, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="grants")
    town = models.ForeignKey(Town, verbose_name=_("所在镇"), on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("系统角色"), max_length=20, choices=AccountRole.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("所属单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("授权时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("跨镇授权")
        verbose_name_plural = _("跨镇授权")
        constraints = [
            models.UniqueConstraint(fields=["user", "town"], name="grant_one_per_town"),
            models.CheckConstraint(condition=~Q(role=AccountRole.ADMIN), name="grant_not_admin"),
        ]

    def __str__(self) -> str:
        return f"{self.town_id}:{self.role}"


class ApiToken(models.Model):
    """A bearer token for integrations. Only its SHA-256 is stored; the key is shown once."""

    user = models.ForeignKey(
        User, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("用途"), max_length=60)
    prefix = models.CharField(max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    expires_at = models.DateTimeField(_("有效期至"))
    revoked = models.BooleanField(_("已停用"), default=False)
    # The town the token works in: the grant it was made under (org.logins.token_user). NULL:
    # the account's home grant (the administrator's, the county's).
    town = models.ForeignKey(
        Town, verbose_name=_("所在镇"), null=True, blank=True, editable=False,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
