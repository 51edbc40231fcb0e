"""Carry the acting request's address to services, so audit rows record "from where" without every
service taking a request argument."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

_client_ip: ContextVar[str] = ContextVar("jingpei_client_ip", default="")


def client_ip() -> str:
    return _client_ip.get()


@contextmanager
def client_address(address: str):
    """Services called inside see ``address`` as ``client_ip()`` (for requests that skip the middleware)."""
    token = _client_ip.set(address)
    try:
        yield
    finally:
        _client_ip.reset(token)


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy sets it, which
        # the deployment configures at the proxy (docs/deploy.md).
        with client_address(request.META.get("REMOTE_ADDR", "")):
            return self.get_response(request)


class ChosenLanguageMiddleware:
    """Chinese unless the user chose another language (the cookie ``/i18n/setlang/`` sets).

    Replaces Django's LocaleMiddleware, which would follow the browser's Accept-Language: many office
    PCs run English-locale browsers, and a Chinese official must not land in an English interface.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self._languages: tuple = (None, frozenset())  # (settings.LANGUAGES it was built from, its codes)

    def _codes(self, languages) -> frozenset:
        # Built once, not per request (the heartbeat's hot path); rebuilt if tests override LANGUAGES.
        if self._languages[0] is not languages:
            self._languages = (languages, frozenset(code for code, _name in languages))
        return self._languages[1]

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in self._codes(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()
        response.headers.setdefault("Content-Language", language)
        patch_vary = response.headers.get("Vary", "")
        if "Cookie" not in patch_vary:
            response.headers["Vary"] = f"{patch_vary}, Cookie" if patch_vary else "Cookie"
        return response
