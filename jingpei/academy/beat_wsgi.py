"""The heartbeat's fast route under ``jingpei serve``: a WSGI callable in front of Django's handler.

Every learner's player posts a beat every 15 s. Through Django's handler even a short middleware chain
cost a beat about as much CPU as judging and recording it (docs/capabilities/academy.md), so an
*ordinary* beat is answered here: the same ``beat_http.beat`` the Django view calls, with the same
security headers, client address for audit rows, and database-connection upkeep as a request through
Django. Anything not ordinary goes to the full Django application, which answers it with all its
middleware: another method, no JSON body or no CSRF header, a cross-site or unknown-host request, a
chosen language other than the default, an HTTPS redirect due, DEBUG, or a body over ``MAX_BODY``.

Why no CSRF token check here: a beat is authorised by the play token in its URL, a secret issued to the
player page, together with the browser session it was issued to (SameSite=Lax, so a cross-site POST
does not carry it). The route also takes only requests a browser cannot send cross-site without a CORS
preflight the site never grants: a JSON content type and a custom ``X-CSRFToken`` header. A request
that names another origin goes to Django, whose CSRF check refuses it.
"""

from __future__ import annotations

import logging
import re
from http import HTTPStatus

from django.conf import settings
from django.core.signals import setting_changed
from django.db import close_old_connections
from django.http.cookie import parse_cookie
from django.http.request import split_domain_port, validate_host
from django.utils.translation import gettext as _

from jingpei.academy import beat_http
from jingpei.core.errors import DomainError
from jingpei.core.middleware import client_address

ROUTE = re.compile(r"/academy/play/([^/]+)/beat")  # the same shape as the view's URL pattern
logger = logging.getLogger("django.request")
_STATUS = {s.value: f"{s.value} {s.phrase}" for s in HTTPStatus}


class _Settings:
    """What the route reads from settings, built once per process (rebuilt when tests change settings)."""

    def __init__(self):
        s = settings
        self.enabled = not s.DEBUG  # DEBUG: Django's handler, with its debug pages and query log
        self.session_cookie, self.language_cookie = s.SESSION_COOKIE_NAME, s.LANGUAGE_COOKIE_NAME
        self.language = s.LANGUAGE_CODE
        self.csrf_header = s.CSRF_HEADER_NAME
        self.ssl_redirect, self.proxy_ssl = s.SECURE_SSL_REDIRECT, s.SECURE_PROXY_SSL_HEADER
        self.allowed_hosts = list(s.ALLOWED_HOSTS)
        self.hosts_ok: dict[str, bool] = {}
        # SecurityMiddleware's and XFrameOptionsMiddleware's headers, and ChosenLanguageMiddleware's
        headers = [("Content-Type", "application/json"), ("Content-Language", s.LANGUAGE_CODE), ("Vary", "Cookie")]
        if s.SECURE_CONTENT_TYPE_NOSNIFF:
            headers.append(("X-Content-Type-Options", "nosniff"))
        if s.SECURE_REFERRER_POLICY:
            policy = s.SECURE_REFERRER_POLICY
            headers.append(("Referrer-Policy", policy if isinstance(policy, str) else ",".join(policy)))
        if s.SECURE_CROSS_ORIGIN_OPENER_POLICY:
            headers.append(("Cross-Origin-Opener-Policy", s.SECURE_CROSS_ORIGIN_OPENER_POLICY))
        headers.append(("X-Frame-Options", s.X_FRAME_OPTIONS.upper()))
        self.headers = headers
        self.hsts = None
        if s.SECURE_HSTS_SECONDS:
            value = f"max-age={s.SECURE_HSTS_SECONDS}"
            value += "; includeSubDomains" if s.SECURE_HSTS_INCLUDE_SUBDOMAINS else ""
            value += "; preload" if s.SECURE_HSTS_PRELOAD else ""
            self.hsts = ("Strict-Transport-Security", value)

    def host_allowed(self, host: str) -> bool:
        known = self.hosts_ok.get(host)
        if known is None:
            domain, _port = split_domain_port(host)
            known = bool(domain) and validate_host(domain, self.allowed_hosts)
            if len(self.hosts_ok) < 100:  # Host is client-controlled: do not let it grow the cache
                self.hosts_ok[host] = known
        return known


_conf: _Settings | None = None


def _settings() -> _Settings:
    global _conf
    if _conf is None:
        _conf = _Settings()
    return _conf


def _reset(**_kwargs) -> None:
    global _conf
    _conf = None


setting_changed.connect(_reset)


def _secure(environ, conf: _Settings) -> bool:
    if conf.proxy_ssl:
        header, value = conf.proxy_ssl
        return environ.get(header) == value
    return environ.get("wsgi.url_scheme") == "https"


def _ordinary(environ, conf: _Settings) -> tuple[int, bool] | None:
    """(body length, secure) if this request is an ordinary beat the route may answer, else None."""
    if not conf.enabled or environ.get("REQUEST_METHOD") != "POST" or conf.csrf_header not in environ:
        return None
    if not environ.get("CONTENT_TYPE", "").startswith("application/json"):
        return None
    try:
        length = int(environ.get("CONTENT_LENGTH") or "")
    except ValueError:  # absent (chunked) or malformed
        return None
    if not 0 <= length <= beat_http.MAX_BODY:
        return None
    secure = _secure(environ, conf)
    if conf.ssl_redirect and not secure:
        return None
    host = environ.get("HTTP_HOST", "")
    if not conf.host_allowed(host):
        return None
    origin = environ.get("HTTP_ORIGIN")
    if origin is not None and origin != ("https://" if secure else "http://") + host:
        return None
    if environ.get("HTTP_SEC_FETCH_SITE", "same-origin") != "same-origin":
        return None
    return length, secure


def fast_route(application):
    """Wrap the Django WSGI ``application``: ordinary beats are answered here, every other request by it."""

    def dispatch(environ, start_response):
        match = ROUTE.fullmatch(environ.get("PATH_INFO", ""))
        if match is None:
            return application(environ, start_response)
        conf = _settings()
        ordinary = _ordinary(environ, conf)
        if ordinary is None:
            return application(environ, start_response)
        cookies = parse_cookie(environ.get("HTTP_COOKIE", ""))
        if cookies.get(conf.language_cookie, conf.language) != conf.language:
            return application(environ, start_response)  # messages in the chosen language: Django's middleware
        length, secure = ordinary
        return _answer(match[1], length, secure, cookies.get(conf.session_cookie, ""), environ, start_response, conf)

    return dispatch


def _answer(token, length, secure, session_cookie, environ, start_response, conf: _Settings):
    close_old_connections()  # as Django does when a request starts and when it finishes
    try:
        with client_address(environ.get("REMOTE_ADDR", "")):
            status, body = beat_http.beat(token, environ["wsgi.input"].read(length), session_cookie)
    except Exception:
        logger.exception("Internal Server Error: %s", environ.get("PATH_INFO"), extra={"status_code": 500})
        status, body = 500, beat_http.error_body(
            DomainError(_("服务器出错，本次学习进度未能记录，请稍后重试。"), code="server_error"))
    finally:
        close_old_connections()
    headers = [*conf.headers, ("Content-Length", str(len(body)))]
    if secure and conf.hsts:
        headers.append(conf.hsts)
    start_response(_STATUS[status], headers)
    return [body]
