from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "jingpei.funds"
    label = "funds"
    verbose_name = "培训经费"
