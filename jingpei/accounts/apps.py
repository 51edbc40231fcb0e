from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "jingpei.accounts"
    label = "accounts"
    verbose_name = "账号与授权"
