from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

SESSION_FLAG = "jingpei_must_change_password"


def password_change_exempt(view):
    """Mark a view that must not touch the session for this check (the academy heartbeat reads the
    session itself, in its one query). Like ``csrf_exempt``."""
    view.password_change_exempt = True
    return view


class PasswordChangeRequiredMiddleware:
    """An account given an initial or reset password must choose its own before doing anything else.

    The flag is copied into the session at login (``LoginView``), so the check costs no user lookup."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "password_change_exempt", False):
            return None
        session = getattr(request, "session", None)
        if session is None or not session.get(SESSION_FLAG):
            return None
        allowed = (reverse("accounts:password"), reverse("accounts:logout"), "/static/", "/i18n/")
        if request.path.startswith(allowed):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"error": {"code": "password_change_required", "message": "请先修改初始密码。", "fields": []}},
                status=403,
            )
        return redirect("accounts:password")
