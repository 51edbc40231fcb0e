from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "jingpei.core"
    label = "core"
    verbose_name = "核心"
