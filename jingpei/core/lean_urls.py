"""``/healthz-lean``: the bare health view through the short request path (jingpei.core.leanwsgi).

The heartbeat benchmark's second baseline: the same lean handler, middleware and one-pattern URLconf as
the heartbeat, with no work of its own, so the figure can be read against both a bare endpoint behind
the full stack (``/healthz``) and one behind the short path. Public and read-only, like ``/healthz``."""

from django.urls import path

from jingpei.core import views
from jingpei.core.leanwsgi import handler400, handler403, handler404, handler500  # noqa: F401 - Django reads them here

LEAN_ROUTE = r"/healthz-lean"

urlpatterns = [path("healthz-lean", views.healthz, name="healthz-lean")]
