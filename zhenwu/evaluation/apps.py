from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "zhenwu.evaluation"
    verbose_name = _("测评")

    def ready(self) -> None:
        _declare_towns()
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


def _declare_towns() -> None:
    from zhenwu.org import towns

    # A shared library (built-ins and those any town made); keeps ADR 0005's reachability test:
    # Answer → Question → Scale must not reach org.*.
    towns.county_wide("evaluation.Scale", "a shared library of scales with no personal data")
    # Only the survey has a column: ballots carry no town of their own (ADR 0005's field lists
    # stay as pinned), they reach it through their survey.
    towns.in_town("evaluation.Survey")
    for name in ("RespondentCategory", "Question", "VotingCode", "Ballot", "PendingBallot", "CastMinute",
                 "PaperSheet", "Answer"):  # fmt: skip
        towns.in_town(f"evaluation.{name}", "survey__town")
    towns.in_town("evaluation.Subject", "question__survey__town")
