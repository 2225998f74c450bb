from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "zhenwu.demo"
    verbose_name = "演示镇"
