from django.apps import AppConfig


class ClassesConfig(AppConfig):
    name = "jingpei.classes"
    label = "classes"
    verbose_name = "培训班"

    def ready(self):
        from jingpei.classes import tasks  # noqa: F401 — registers the background jobs
