from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "zhenwu.core"
    verbose_name = "核心"

    def ready(self) -> None:
        from zhenwu.core import throttle  # noqa: F401 - registers the sweep with tick
