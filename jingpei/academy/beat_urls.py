"""The heartbeat's own URLconf, for the lean request path (jingpei.core.leanwsgi; wired in jingpei.wsgi).

Only the heartbeat: the same view and pattern as in ``urls.py``. Errors answer in the API's JSON shape,
since the site's error pages reverse URLs this URLconf does not have."""

from django.http import JsonResponse
from django.urls import path

from jingpei.academy import views

# A request path the lean handler takes (full match); the same shape as the route below.
LEAN_ROUTE = r"/academy/play/[^/]+/beat"

urlpatterns = [path("academy/play/<str:token>/beat", views.heartbeat, name="beat")]


def _error(status: int, code: str):
    def view(request, exception=None):
        return JsonResponse({"error": {"code": code, "message": code, "fields": []}}, status=status)

    return view


handler400 = _error(400, "bad_request")
handler403 = _error(403, "forbidden")
handler404 = _error(404, "not_found")
handler500 = _error(500, "server_error")
