from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "zhenwu.ledger"
    verbose_name = _("整改台账")

    def ready(self) -> None:
        from zhenwu.core import navigation
        from zhenwu.core.api_base import register_field_labels, register_router
        from zhenwu.core.audit_actions import register_actions
        from zhenwu.core.home import register
        from zhenwu.ledger import api, tasks  # noqa: F401 - tasks registers the tick tasks
        from zhenwu.ledger.constants import LedgerAudit
        from zhenwu.ledger.home import my_work_panel

        register(my_work_panel)
        register_actions(LedgerAudit)
        register_router("/", api.router)
        register_field_labels(api.FIELD_LABELS)
        navigation.register(navigation.NavEntry("ledger", _("整改台账"), "ledger:problem_list", 30))
