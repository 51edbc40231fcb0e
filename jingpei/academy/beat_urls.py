"""The heartbeat's own URLconf, for the lean request path (jingpei.core.leanwsgi; wired in jingpei.wsgi).

Only the heartbeat: the same view and pattern as in ``urls.py``. Errors answer in the API's JSON shape,
since the site's error pages reverse URLs this URLconf does not have."""

from django.urls import path

from jingpei.academy import views
from jingpei.core.leanwsgi import json_error_view

# A request path the lean handler takes (full match); the same shape as the route below.
LEAN_ROUTE = r"/academy/play/[^/]+/beat"

urlpatterns = [path("academy/play/<str:token>/beat", views.heartbeat, name="beat")]


handler400 = json_error_view(400, "bad_request")
handler403 = json_error_view(403, "forbidden")
handler404 = json_error_view(404, "not_found")
handler500 = json_error_view(500, "server_error")
