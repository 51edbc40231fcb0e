from django.apps import AppConfig


class ClassesConfig(AppConfig):
    name = "jingpei.classes"
    label = "classes"
    verbose_name = "培训班"
