from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BulletinsConfig(AppConfig):
    name = "zhenwu.bulletins"
    verbose_name = _("通报与驾驶舱")

    def ready(self) -> None:
        _declare_towns()
        from zhenwu.bulletins.constants import BulletinAudit
        from zhenwu.bulletins.selectors import office_queue
        from zhenwu.core import navigation
        from zhenwu.core.audit_actions import register_actions
        from zhenwu.core.home import register_queue
        from zhenwu.org.roles import is_town_reader

        register_actions(BulletinAudit)
        register_queue(office_queue)
        navigation.register(
            navigation.NavEntry("dashboard", _("驾驶舱"), "bulletins:dashboard", 20, is_town_reader)
        )
        navigation.register(navigation.NavEntry("bulletins", _("通报"), "bulletins:list", 60, is_town_reader))


def _declare_towns() -> None:
    from zhenwu.org import towns

    towns.not_yet("bulletins.Bulletin", "town", "step 7: the town's 通报")
