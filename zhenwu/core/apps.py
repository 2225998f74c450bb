from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "zhenwu.core"
    verbose_name = "核心"
