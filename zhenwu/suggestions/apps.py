from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuggestionsConfig(AppConfig):
    name = "zhenwu.suggestions"
    verbose_name = _("献言献策")

    def ready(self) -> None:
        _declare_towns()
        from zhenwu.core import navigation
        from zhenwu.core.api_base import register_field_labels, register_router
        from zhenwu.core.audit_actions import register_actions
        from zhenwu.core.home import register_queue
        from zhenwu.ledger.followup import register_channel
        from zhenwu.ledger.panels import register_problem_panel
        from zhenwu.org.roles import is_town_reader
        from zhenwu.suggestions import api, tasks  # noqa: F401 - tasks registers the tick task
        from zhenwu.suggestions.constants import SuggestionAudit
        from zhenwu.suggestions.panels import office_queue, problem_suggestions_panel
        from zhenwu.suggestions.services import FOLLOW_UP_CHANNEL

        register_queue(office_queue)
        register_problem_panel(problem_suggestions_panel)
        register_actions(SuggestionAudit)
        register_router("/", api.router)
        register_router("/public/", api.public_router)
        register_field_labels(api.FIELD_LABELS)
        navigation.register(
            navigation.NavEntry("suggestions", _("献言献策"), "suggestions:inbox", 40, is_town_reader)
        )
        register_channel(FOLLOW_UP_CHANNEL)  # residents are asked after closure (回访)
        _register_sources()
        _register_request_bodies()
        _register_audit_keys()


def _register_audit_keys() -> None:
    """The audit log's words for what training and seeding record (figures, not model fields)."""
    from zhenwu.core.audit_display import register_key

    for key, label in (
        ("examples", _("训练样本数")), ("held_out", _("留出检验数")), ("top1", _("首选命中率")),
    ):  # fmt: skip
        register_key("suggestions.routingmodel", key, label)
    for key, label in (
        ("created", _("新增类别数")), ("matched", _("已对应部门的类别数")), ("placed", _("本次对应的部门")),
        ("refreshed", _("按新版目录更新的类别")),
        ("unmatched", _("未对应部门的类别")), ("shipped", _("随附目录版本")),
    ):  # fmt: skip
        register_key("suggestions.routingcatalogue", key, label)


def _register_request_bodies() -> None:
    """A resident's photos, for nginx's body limit (core.deploy); the setting is read each time."""
    from django.conf import settings

    from zhenwu.core.deploy import register_request_body
    from zhenwu.suggestions.constants import PHOTO_MAX_COUNT

    register_request_body(
        "suggestions.photos",
        _("群众建议照片"),
        lambda: PHOTO_MAX_COUNT * settings.ZHENWU_PHOTO_MAX_MB * 1024 * 1024,
    )


def _register_sources() -> None:
    """A problem raised from residents' suggestions: residents are asked after closure (回访)."""
    from zhenwu.ledger.constants import Source
    from zhenwu.ledger.policies import SourcePolicy, register_source

    register_source(
        SourcePolicy(key=Source.SUGGESTION.value, label=Source.SUGGESTION.label, asks_residents=True)
    )


def _declare_towns() -> None:
    from zhenwu.org import towns

    step = "step 5: suggestions in their town"
    for name in ("Campaign", "Suggestion", "RoutingModel", "RoutingCatalogue", "RoutingTopic"):
        towns.not_yet(f"suggestions.{name}", "town", step)
    for name in ("SuggestionPhoto", "SuggestionFollowUp", "SimilarityFacets"):
        towns.not_yet(f"suggestions.{name}", "suggestion__town", step)
