from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "zhenwu.ledger"
    verbose_name = _("整改台账")

    def ready(self) -> None:
        _declare_towns()
        from zhenwu.core import navigation
        from zhenwu.core.api_base import register_field_labels, register_router
        from zhenwu.core.audit_actions import register_actions
        from zhenwu.core.audit_display import register_key
        from zhenwu.core.calendar import on_year_confirmed
        from zhenwu.core.home import register, register_queue
        from zhenwu.ledger import tasks  # noqa: F401 - tasks registers the tick tasks
        from zhenwu.ledger.constants import API_FIELD_LABELS, Action, LedgerAudit
        from zhenwu.ledger.home import my_work_panel, office_queue
        from zhenwu.ledger.services import problems_recompute_provisional

        register(my_work_panel)
        register_queue(office_queue)
        on_year_confirmed(problems_recompute_provisional)
        register_actions(LedgerAudit)
        register_key("ledger.problem", "last_progress", _("最近报告进度（%）"))
        register_key("ledger.problem", "step", _("环节"), Action)
        # By name: the router's schemas list every registered source, so it is imported when the
        # API is assembled, after every app (献言献策, 测评, later modules) has registered its own.
        register_router("/", "zhenwu.ledger.api.router")
        register_field_labels(API_FIELD_LABELS)
        navigation.register(navigation.NavEntry("ledger", _("整改台账"), "ledger:problem_list", 30))
        _register_sources()
        _register_request_bodies()


def _register_request_bodies() -> None:
    """The largest uploads of the ledger, for nginx's body limit (core.deploy)."""
    from zhenwu.core.deploy import register_request_body
    from zhenwu.ledger.constants import EVIDENCE_MAX_BYTES, EVIDENCE_MAX_FILES
    from zhenwu.ledger.importer import IMPORT_MAX_BYTES

    register_request_body("ledger.evidence", _("佐证材料"), lambda: EVIDENCE_MAX_FILES * EVIDENCE_MAX_BYTES)
    register_request_body("ledger.import", _("导入台账"), lambda: IMPORT_MAX_BYTES)


def _register_sources() -> None:
    """The sources the ledger itself owns; 献言献策 and 测评 register theirs from their apps.

    All of them keep today's rules: raised by the office (and recorded by the importer and the
    demo), accepted by the office or the named 验收人, closed with evidence, numbered 2026-0001."""
    from zhenwu.ledger.constants import Source
    from zhenwu.ledger.policies import SourcePolicy, register_source

    for source in (Source.INSPECTION, Source.SUPERIOR, Source.SELF_CHECK, Source.OTHER):
        register_source(SourcePolicy(key=source.value, label=source.label))


def _declare_towns() -> None:
    from zhenwu.org import towns

    for label in ("ledger.Problem", "ledger.DepartmentAlias", "ledger.ImportedRow"):
        towns.in_town(label)
    for name in ("ProblemTransition", "ProgressReport", "Evidence", "Extension", "Suspension", "FollowUp",
                 "ReopenRequest"):  # fmt: skip
        towns.in_town(f"ledger.{name}", "problem__town")
