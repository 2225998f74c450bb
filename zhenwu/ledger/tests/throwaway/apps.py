from django.apps import AppConfig


class ThrowawayConfig(AppConfig):
    name = "zhenwu.ledger.tests.throwaway"
    label = "throwaway"
    verbose_name = "测试用模块"

    def ready(self) -> None:
        from zhenwu.ledger.tests.throwaway import sources

        sources.register()
