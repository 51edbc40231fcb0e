from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "jingpei.surveys"
    label = "surveys"
    verbose_name = "问卷调研"

    def ready(self):
        from datetime import time

        from django.utils.translation import gettext_lazy as _

        from jingpei.core import schedule
        from jingpei.surveys import jobs  # noqa: F401  registers the surveys' background tasks

        # those who have not answered are told, once, three days before a survey closes
        schedule.daily("surveys.reminders", at=time(9, 0), title=_("问卷截止提醒"))
