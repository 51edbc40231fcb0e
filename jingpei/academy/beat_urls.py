"""The heartbeat's own URLconf, for the lean request path (jingpei.core.leanwsgi; wired in jingpei.wsgi).

Only the heartbeat: the same view and pattern as in ``urls.py``. Errors answer in the API's JSON shape,
since the site's error pages reverse URLs this URLconf does not have."""

from django.urls import path

from jingpei.academy import views
from jingpei.core.leanwsgi import handler400, handler403, handler404, handler500  # noqa: F401 - Django reads them here

# A request path the lean handler takes (full match); the same shape as the route below.
LEAN_ROUTE = r"/academy/play/[^/]+/beat"

urlpatterns = [path("academy/play/<str:token>/beat", views.heartbeat, name="beat")]
