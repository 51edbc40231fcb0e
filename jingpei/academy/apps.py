from django.apps import AppConfig


class AcademyConfig(AppConfig):
    name = "jingpei.academy"
    label = "academy"
    verbose_name = "网络学院"
