from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuggestionsConfig(AppConfig):
    name = "zhenwu.suggestions"
    verbose_name = _("献言献策")

    def ready(self) -> None:
        from zhenwu.core.home import register
        from zhenwu.ledger.panels import register_problem_panel
        from zhenwu.suggestions import tasks  # noqa: F401 - registers the tick task
        from zhenwu.suggestions.panels import office_panel, problem_suggestions_panel

        register(office_panel)
        register_problem_panel(problem_suggestions_panel)
        _register_sources()


def _register_sources() -> None:
    """A problem raised from residents' suggestions: residents are asked after closure (回访)."""
    from zhenwu.ledger.constants import Source
    from zhenwu.ledger.policies import SourcePolicy, register_source

    register_source(
        SourcePolicy(key=Source.SUGGESTION.value, label=Source.SUGGESTION.label, asks_residents=True)
    )
