"""Carry the acting request's address to services, so audit rows record "from where" without every
service taking a request argument."""

from __future__ import annotations

from contextvars import ContextVar

_client_ip: ContextVar[str] = ContextVar("jingpei_client_ip", default="")


def client_ip() -> str:
    return _client_ip.get()


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy sets it, which
        # the deployment configures at the proxy (docs/deploy.md).
        token = _client_ip.set(request.META.get("REMOTE_ADDR", ""))
        try:
            return self.get_response(request)
        finally:
            _client_ip.reset(token)
