from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "jingpei.activities"
    label = "activities"
    verbose_name = "远程教育与以会代训"
