from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "zhenwu.demo"
    verbose_name = "演示镇"

    def ready(self) -> None:
        from zhenwu.core.audit_actions import register_actions
        from zhenwu.core.passwords import register_published_password
        from zhenwu.demo.constants import DEMO_PASSWORD, DemoAudit

        register_actions(DemoAudit)
        register_published_password(DEMO_PASSWORD)
