"""Composition only: every Jingpei app with a ``urls`` module brings its own routes."""

from django.urls import include, path

from jingpei.api import api
from jingpei.core.appmodules import app_modules


def _app_urls():
    return [path("", include(module)) for _config, module in app_modules("urls")]


urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    *_app_urls(),
]

handler404 = "jingpei.core.views.not_found"
