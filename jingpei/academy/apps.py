from django.apps import AppConfig


class AcademyConfig(AppConfig):
    name = "jingpei.academy"
    label = "academy"
    verbose_name = "网络学院"

    def ready(self):
        from jingpei.academy import exports  # noqa: F401 - registers the export job
