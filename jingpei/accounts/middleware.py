from django.shortcuts import redirect
from django.urls import reverse


class PasswordChangeRequiredMiddleware:
    """An account given an initial or reset password must choose its own before doing anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            allowed = (reverse("accounts:password"), reverse("accounts:logout"), "/static/", "/i18n/")
            if not request.path.startswith(allowed):
                if request.path.startswith("/api/"):
                    from django.http import JsonResponse

                    return JsonResponse(
                        {
                            "error": {
                                "code": "password_change_required",
                                "message": "请先修改初始密码。",
                                "fields": [],
                            }
                        },
                        status=403,
                    )
                return redirect("accounts:password")
        return self.get_response(request)
