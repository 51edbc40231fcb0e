from django.apps import AppConfig


class ClassesConfig(AppConfig):
    name = "jingpei.classes"
    label = "classes"
    verbose_name = "培训班"

    def ready(self):
        from jingpei.classes import records, tasks  # noqa: F401 — register the record's sections, the background jobs
