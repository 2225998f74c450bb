from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "zhenwu.core"
    verbose_name = "核心"

    def ready(self) -> None:
        from zhenwu.core import (
            admin_audit,
            anchors,  # noqa: F401 - registers the daily anchor with tick
            home,
            navigation,
            retention,  # noqa: F401 - registers the sweep of residents' addresses with tick
            syscheck,  # noqa: F401 - registers the core's 系统检查 first
            throttle,  # noqa: F401 - registers the sweep with tick
            tick,
        )
        from zhenwu.core.audit_actions import register_actions
        from zhenwu.core.calendar import calendar_banner, calendar_check
        from zhenwu.core.constants import CoreAudit
        from zhenwu.org.roles import is_admin, is_office

        register_actions(CoreAudit)
        admin_audit.connect()
        home.register(calendar_banner)  # first: the office sees it above its work
        home.register(home.queue_panel)  # then its work queue, from the lines modules register
        tick.register("core.calendar_check")(calendar_check)
        navigation.register(navigation.NavEntry("home", _("工作台"), "home", 10))
        navigation.register(navigation.NavEntry("inbox", _("消息"), "core:inbox", 90))
        navigation.register(navigation.NavEntry("audit", _("审计日志"), "core:audit_list", 100, is_office))
        navigation.register(navigation.NavEntry("calendar", _("工作日历"), "core:calendar", 110, is_office))
        navigation.register(
            navigation.NavEntry("system_check", _("系统检查"), "core:system_check", 120, is_admin)
        )
