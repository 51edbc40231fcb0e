"""The heartbeat's short request path through the real WSGI application (jingpei.wsgi): same answers,
CSRF still enforced, security headers still set; every other path takes the full stack."""

from __future__ import annotations

import io
import json

import pytest
from django.conf import settings
from django.core.signals import request_finished
from django.db import close_old_connections

from jingpei.academy import services
from jingpei.academy.models import Progress
from tests.academy.helpers import make_course

CSRF = "leanroutecsrftoken0123456789abcd"  # 32 characters: a valid unmasked secret


def call(path, *, method="POST", data=None, csrf=True, cookie="the-browser-session"):
    from jingpei.wsgi import application

    body = json.dumps(data or {}).encode()
    cookies = f"{settings.SESSION_COOKIE_NAME}={cookie}; {settings.CSRF_COOKIE_NAME}={CSRF}"
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "SERVER_NAME": "testserver", "SERVER_PORT": "80",
               "HTTP_HOST": "testserver", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
               "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": "application/json", "HTTP_COOKIE": cookies,
               "REMOTE_ADDR": "127.0.0.1"}
    if csrf:
        environ["HTTP_X_CSRFTOKEN"] = CSRF
    started = {}
    response = application(environ, lambda status, headers, *a: started.update(s=status, h=dict(headers)))
    content = b"".join(response)
    # Close it as a WSGI server does (request_finished resets the thread's URLconf, which the lean path
    # set; a job reversing a URL later on this thread would not find the site's namespaces), but keep
    # the test's connection open, as Django's test client does.
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    return int(started["s"].split()[0]), started["h"], content


@pytest.fixture
def play(cast):
    lesson = make_course(cast.district, seconds=(120,)).lessons.get()
    return services.start_lesson(person=cast.person_a, lesson=lesson, session_cookie="the-browser-session")


@pytest.mark.django_db(transaction=True)
def test_beats_through_the_lean_path_credit_and_carry_the_token(play):
    from jingpei.core import leanwsgi

    url = f"/academy/play/{play.token}/beat"
    status, headers, body = call(url, data={"seq": 1, "position": 0, "visible": True})
    first = json.loads(body)
    assert status == 200 and first["status"] == "anchored" and first["path"] == "slow"
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"
    assert headers["Content-Language"] == "zh-hans"
    status, _headers, body = call(url, data={"seq": 2, "position": 0.5, "visible": True, "state": first["state"]})
    assert status == 200 and json.loads(body)["path"] == "fast"
    assert Progress.objects.get().last_seq == 2
    assert "django.contrib.sessions.middleware.SessionMiddleware" not in leanwsgi.MIDDLEWARE


@pytest.mark.django_db(transaction=True)
def test_lean_path_still_enforces_csrf_and_the_session(play):
    url = f"/academy/play/{play.token}/beat"
    status, _headers, _body = call(url, data={"seq": 1, "position": 0}, csrf=False)
    assert status == 403
    status, _headers, body = call(url, data={"seq": 1, "position": 0}, cookie="another-browser")
    assert status == 403 and json.loads(body)["error"]["message"] == "学习会话与登录不符，请刷新页面。"
    status, _headers, body = call(url, method="GET")
    assert status == 405
    assert Progress.objects.get().last_seq == 0


@pytest.mark.django_db(transaction=True)
def test_other_paths_take_the_full_stack(play):
    status, headers, _body = call("/academy/play/x/beat/extra", method="GET")
    assert status == 404 and "text/html" in headers["Content-Type"]  # the site's own 404 page
    status, _headers, body = call("/healthz", method="GET")
    assert status == 200 and json.loads(body) == {"status": "ok"}
    status, _headers, _body = call(f"/academy/play/{play.token}/check", data={"code": "0000"}, csrf=False)
    assert status == 403  # CSRF on the full stack too


@pytest.mark.django_db(transaction=True)
def test_lean_healthz_takes_the_short_path_with_its_headers():
    status, headers, body = call("/healthz-lean", method="GET")
    assert status == 200 and json.loads(body) == {"status": "ok"}
    assert headers["X-Frame-Options"] == "DENY" and headers["Content-Language"] == "zh-hans"
    status, headers, body = call("/healthz-lean/x", method="GET")
    assert status == 404 and "text/html" in headers["Content-Type"]  # not a lean route: the site's page


@pytest.mark.django_db(transaction=True)
def test_fast_beat_outside_a_transaction_writes_straight_through_libpq(play):
    from django.db import connection

    from jingpei.academy import beatstore

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    url = f"/academy/play/{play.token}/beat"
    _status, _headers, body = call(url, data={"seq": 1, "position": 0, "visible": True})
    status, _headers, body = call(url, data={"seq": 2, "position": 0.5, "visible": True,
                                             "state": json.loads(body)["state"]})
    assert status == 200 and json.loads(body)["path"] == "fast"
    prepared, _dumper = beatstore._direct[connection.connection]
    assert b"jp_save_guarded_async" in prepared  # the guarded write, committed asynchronously
    progress = Progress.objects.get()
    assert progress.last_seq == 2 and progress.anchor_pos == 0.5
