"""``/healthz-lean``: the bare health view through the short request path (jingpei.core.leanwsgi).

The heartbeat benchmark's second baseline: the same lean handler, middleware and one-pattern URLconf as
the heartbeat, with no work of its own, so the figure can be read against both a bare endpoint behind
the full stack (``/healthz``) and one behind the short path. Public and read-only, like ``/healthz``."""

from django.urls import path

from jingpei.core import views
from jingpei.core.leanwsgi import json_error_view

LEAN_ROUTE = r"/healthz-lean"

urlpatterns = [path("healthz-lean", views.healthz, name="healthz-lean")]

handler400 = json_error_view(400, "bad_request")
handler403 = json_error_view(403, "forbidden")
handler404 = json_error_view(404, "not_found")
handler500 = json_error_view(500, "server_error")
