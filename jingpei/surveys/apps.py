from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "jingpei.surveys"
    label = "surveys"
    verbose_name = "问卷调研"
