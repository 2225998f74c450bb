from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuggestionsConfig(AppConfig):
    name = "zhenwu.suggestions"
    verbose_name = _("献言献策")

    def ready(self) -> None:
        from zhenwu.core.home import register
        from zhenwu.ledger.followup import register_channel
        from zhenwu.ledger.panels import register_problem_panel
        from zhenwu.suggestions import tasks  # noqa: F401 - registers the tick task
        from zhenwu.suggestions.panels import office_panel, problem_suggestions_panel
        from zhenwu.suggestions.services import FOLLOW_UP_CHANNEL

        register(office_panel)
        register_problem_panel(problem_suggestions_panel)
        register_channel(FOLLOW_UP_CHANNEL)  # residents are asked after closure (回访)
