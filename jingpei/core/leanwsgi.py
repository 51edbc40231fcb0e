"""A short Django request path for the hottest JSON endpoint (the academy heartbeat).

A heartbeat arrives every 15 s from every learner and needs none of the page machinery: no session,
user, messages, htmx, static files or login lockout. Through the full middleware stack and the site's
URL resolver, that machinery cost a beat more CPU than its own work (docs/capabilities/academy.md). So
``jingpei.wsgi`` sends requests whose path matches a lean route to Django's own handler built with the
middleware such an endpoint does need — security headers and HTTPS redirect, the chosen language (error
messages), CSRF, the client address (audit rows) and clickjacking headers — and a one-pattern URLconf.
Everything else, and every path not matching exactly, goes to the normal application.
"""

from __future__ import annotations

import re

from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.http import JsonResponse
from django.utils.module_loading import import_string

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "jingpei.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "jingpei.core.middleware.RequestContextMiddleware",
]


class LeanHandler(WSGIHandler):
    """Django's WSGI handler with :data:`MIDDLEWARE` instead of ``settings.MIDDLEWARE`` and ``urlconf``
    instead of the site's (the URLconf must define the error handlers: the site's error pages reverse
    URLs it does not have)."""

    def __init__(self, urlconf: str):
        self.urlconf = urlconf
        super().__init__()

    def load_middleware(self, is_async: bool = False) -> None:
        # BaseHandler.load_middleware reads settings.MIDDLEWARE; every middleware here is synchronous.
        self._view_middleware: list = []
        self._template_response_middleware: list = []
        self._exception_middleware: list = []
        handler = convert_exception_to_response(self._get_response)  # type: ignore[attr-defined]
        for path in reversed(MIDDLEWARE):
            mw = import_string(path)(handler)
            if hasattr(mw, "process_view"):
                self._view_middleware.insert(0, mw.process_view)
            if hasattr(mw, "process_template_response"):
                self._template_response_middleware.append(mw.process_template_response)
            if hasattr(mw, "process_exception"):
                self._exception_middleware.append(mw.process_exception)
            handler = convert_exception_to_response(mw)
        self._middleware_chain = handler

    def get_response(self, request):
        request.urlconf = self.urlconf  # honoured by BaseHandler.resolve_request
        return super().get_response(request)


def with_lean_routes(application, routes: dict[str, str]):
    """Wrap ``application``: a request whose PATH_INFO fully matches a key (a regular expression) is served
    by a :class:`LeanHandler` for the URLconf module named by its value."""
    table = [(re.compile(pattern), LeanHandler(urlconf)) for pattern, urlconf in routes.items()]

    def dispatch(environ, start_response):
        path = environ.get("PATH_INFO", "")
        for pattern, handler in table:
            if pattern.fullmatch(path):
                return handler(environ, start_response)
        return application(environ, start_response)

    return dispatch


def json_error_view(status: int, code: str):
    """An error handler for a lean URLconf, in the API's JSON error shape (``handler404 = …``)."""

    def view(request, exception=None):
        return JsonResponse({"error": {"code": code, "message": code, "fields": []}}, status=status)

    return view


# Every lean URLconf answers errors in the API's JSON shape (the site's error pages reverse URLs a lean
# URLconf does not have): ``from jingpei.core.leanwsgi import handler400, handler403, handler404, handler500``.
handler400 = json_error_view(400, "bad_request")
handler403 = json_error_view(403, "forbidden")
handler404 = json_error_view(404, "not_found")
handler500 = json_error_view(500, "server_error")
