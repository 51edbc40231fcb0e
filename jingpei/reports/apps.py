from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "jingpei.reports"
    label = "reports"
    verbose_name = "统计报表"

    def ready(self):
        from jingpei.reports import jobs  # noqa: F401  (registers the background job)
