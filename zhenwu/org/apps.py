from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "zhenwu.org"
    verbose_name = "组织与人员"

    def ready(self) -> None:
        from zhenwu.core import navigation
        from zhenwu.core.api_base import register_field_labels, register_router
        from zhenwu.core.audit import register_town_of
        from zhenwu.core.audit_actions import register_actions
        from zhenwu.core.audit_display import register_key
        from zhenwu.org import api
        from zhenwu.org.constants import OrgAudit, RoleKind
        from zhenwu.org.roles import is_office
        from zhenwu.org.towns import town_of

        _declare_towns()
        register_town_of(town_of)  # each event's town, from its object's declared path

        register_actions(OrgAudit)
        register_key("org.person", "kind", _("身份"), RoleKind)
        register_key("org.user", "cleared", _("清除的登录失败记录（条）"))
        register_router("/", api.router)
        register_field_labels(api.FIELD_LABELS)
        navigation.register(navigation.NavEntry("units", _("组织机构"), "org:unit_tree", 70))
        navigation.register(navigation.NavEntry("people", _("人员"), "org:person_list", 80))
        navigation.register(navigation.NavEntry("accounts", _("账号"), "org:account_list", 120, is_office))


def _declare_towns() -> None:
    """How each model reaches its town (org/towns.py): the registry's own, and core's and
    Django's, which may not import org."""
    from zhenwu.org import towns

    towns.in_town("org.Unit")  # NULL: the county's root and the county's own offices
    for label in ("org.Person", "org.PersonRole", "org.User"):  # NULL: the county's own
        towns.in_town(label)
    towns.in_town("org.AccountGrant")
    towns.in_town("org.ApiToken", "town")  # NULL: the home grant of a county's account
    towns.county_wide("org.County", "the installation's one county")
    towns.county_wide("org.Town", "the scope itself")
    towns.in_town("core.AuditEvent")  # NULL: the county's and the system's, and rows below the marker
    towns.in_town("core.Counter")  # a series of one town (core.counters)
    for label, why in (
        ("core.CalendarYear", "the State Council's arrangement is national"),
        ("core.Holiday", "the State Council's arrangement is national"),
        ("core.TickRun", "one row per task of the installation; tasks loop over towns"),
        ("core.ThrottleHit", "counts per address or username across every town's pages"),
        ("core.Notice", "personal: a person's inbox, across the towns they work in"),
        ("core.AuditAddress", "technical: an address kept 184 days beside its event's seq"),
        ("admin.LogEntry", "Django's"),
        ("auth.Permission", "Django's"),
        ("auth.Group", "Django's (groups are not used)"),
        ("contenttypes.ContentType", "Django's"),
        ("sessions.Session", "Django's"),
    ):
        towns.county_wide(label, why)
