from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "zhenwu.org"
    verbose_name = "组织与人员"

    def ready(self) -> None:
        from zhenwu.core import navigation
        from zhenwu.core.api_base import register_field_labels, register_router
        from zhenwu.core.audit_actions import register_actions
        from zhenwu.core.audit_display import register_key
        from zhenwu.org import api
        from zhenwu.org.constants import OrgAudit, RoleKind
        from zhenwu.org.roles import is_office

        register_actions(OrgAudit)
        register_key("org.person", "kind", _("身份"), RoleKind)
        register_key("org.user", "cleared", _("清除的登录失败记录（条）"))
        register_router("/", api.router)
        register_field_labels(api.FIELD_LABELS)
        navigation.register(navigation.NavEntry("units", _("组织机构"), "org:unit_tree", 70))
        navigation.register(navigation.NavEntry("people", _("人员"), "org:person_list", 80))
        navigation.register(navigation.NavEntry("accounts", _("账号"), "org:account_list", 120, is_office))
