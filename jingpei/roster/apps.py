from django.apps import AppConfig


class RosterConfig(AppConfig):
    name = "jingpei.roster"
    label = "roster"
    verbose_name = "花名册导入导出"

    def ready(self):
        from jingpei.roster import tasks  # noqa: F401  (registers the background jobs)
