from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "zhenwu.evaluation"
    verbose_name = _("测评")

    def ready(self) -> None:
        from zhenwu.core import navigation
        from zhenwu.core.audit_actions import register_actions
        from zhenwu.evaluation import pool  # noqa: F401 - pool registers the tick task that writes ballot batches
        from zhenwu.evaluation.constants import EvaluationAudit
        from zhenwu.org.roles import is_town_reader

        register_actions(EvaluationAudit)
        navigation.register(
            navigation.NavEntry("evaluation", _("测评"), "evaluation:list", 50, is_town_reader)
        )

        # Problems found by a 满意度测评 or a 班子评议 belong to this module's sources.
        from zhenwu.ledger.constants import Source
        from zhenwu.ledger.policies import SourcePolicy, register_source

        for source in (Source.LEADERSHIP_REVIEW, Source.SATISFACTION_SURVEY):
            register_source(SourcePolicy(key=source.value, label=source.label))
