"""Choices of 测评: survey purposes and states, ballot channels, the built-in scales."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Purpose(models.TextChoices):
    SATISFACTION = "satisfaction", _("满意度测评")
    TEAM_REVIEW = "team_review", _("班子评议/民主测评")
    CADRE = "cadre", _("干部满意度")


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("测评中")
    CLOSED = "closed", _("已结束")
    PUBLISHED = "published", _("已公布")


# The survey's state machine: (from, action) -> to. Questions are frozen from "open" on;
# results are frozen (a stored snapshot) from "published" on.
class SurveyAction(models.TextChoices):
    OPEN = "open", _("开始测评")
    CLOSE = "close", _("结束测评")
    PUBLISH = "publish", _("公布结果")


SURVEY_STEPS: dict[tuple[str, str], str] = {
    (SurveyStatus.DRAFT, SurveyAction.OPEN): SurveyStatus.OPEN,
    (SurveyStatus.OPEN, SurveyAction.CLOSE): SurveyStatus.CLOSED,
    (SurveyStatus.CLOSED, SurveyAction.PUBLISH): SurveyStatus.PUBLISHED,
}
# What each state allows beyond its steps (services refuse the rest; pages offer only these).
VOTING = frozenset({SurveyStatus.OPEN})
CODES_CLOSED = frozenset({SurveyStatus.CLOSED, SurveyStatus.PUBLISHED})
RESULTS_FROZEN = frozenset({SurveyStatus.PUBLISHED})
STEP_LABELS = dict(SurveyAction.choices)


class Channel(models.TextChoices):
    ONLINE = "online", _("手机")
    PAPER = "paper", _("纸质")


class SheetStatus(models.TextChoices):
    ONE_ENTRY = "one", _("已录一遍")
    MATCHED = "matched", _("两遍一致，已计票")
    MISMATCH = "mismatch", _("两遍不一致，待核对")
    RECONCILED = "reconciled", _("已核对，已计票")


# The scales in use (china-conventions §1): label, counted as satisfied, counted as 好评.
# The office can add its own; these are created by a data migration.
BUILTIN_SCALES: list[tuple[str, list[tuple[str, bool, bool]]]] = [
    (
        "满意/比较满意/基本满意/不满意",
        [("满意", True, True), ("比较满意", True, True), ("基本满意", True, False), ("不满意", False, False)],
    ),
    ("满意/基本满意/不满意", [("满意", True, True), ("基本满意", True, False), ("不满意", False, False)]),
    (
        "好/较好/一般/差",
        [("好", True, True), ("较好", True, True), ("一般", False, False), ("差", False, False)],
    ),
    (
        "优秀/称职/基本称职/不称职",
        [("优秀", True, True), ("称职", True, True), ("基本称职", True, False), ("不称职", False, False)],
    ),
    (
        "优秀/合格/基本合格/不合格",
        [("优秀", True, True), ("合格", True, True), ("基本合格", True, False), ("不合格", False, False)],
    ),
    (
        "非常满意/满意/基本满意/不满意/非常不满意",
        [
            ("非常满意", True, True),
            ("满意", True, True),
            ("基本满意", True, False),
            ("不满意", False, False),
            ("非常不满意", False, False),
        ],
    ),
]
DEFAULT_CATEGORIES = [
    ("党员代表", 20),
    ("人大代表", 20),
    ("政协委员", 10),
    ("党政干部", 30),
    ("群众代表", 20),
]
CODE_BATCH_MAX = 2000  # codes per generation; slips print 12 to an A4 page
SLIPS_PER_PAGE = 12


class EvaluationAudit(models.TextChoices):
    """Audited actions of 测评 (registered with core.audit_actions)."""

    SURVEY_SAVED = "survey.saved", _("保存测评")
    SURVEY_STEP = "survey.step", _("测评状态变更")
    CODES_GENERATED = "survey.codes_generated", _("生成测评码")
    PAPER_ENTERED = "survey.paper_entered", _("录入纸质票")
    PAPER_RECONCILED = "survey.paper_reconciled", _("核对纸质票")
