"""Composition only: every Jingpei app with a ``urls`` module brings its own routes."""

from importlib import import_module

from django.apps import apps
from django.urls import include, path

from jingpei.api import api


def _app_urls():
    patterns = []
    for config in apps.get_app_configs():
        if not config.name.startswith("jingpei."):
            continue
        try:
            import_module(f"{config.name}.urls")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.urls":
                raise
            continue
        patterns.append(path("", include(f"{config.name}.urls")))
    return patterns


urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    *_app_urls(),
]

handler404 = "jingpei.core.views.not_found"
