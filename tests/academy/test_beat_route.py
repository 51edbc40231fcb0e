"""The heartbeat's fast route (jingpei.academy.beat_wsgi) through the real WSGI application: ordinary beats
are answered by it with the same answers and headers as Django's; everything else goes to Django."""

from __future__ import annotations

import io
import json
import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.signals import request_finished
from django.db import close_old_connections
from django.test import override_settings

from jingpei.academy import beat_wsgi, services
from jingpei.academy.models import Progress
from jingpei.core.models import AuditLog
from jingpei.ledger.models import LedgerEntry
from jingpei.wsgi import application, django_application
from tests.academy.helpers import make_course

# Imported at collection on purpose: the first import of jingpei.wsgi runs django.setup(), whose logging
# configuration replaces the root logger's handlers, caplog's among them, if it happens inside a test.

CSRF = "beatroutecsrftoken0123456789abcd"  # 32 characters: a valid unmasked secret
SESSION = "the-browser-session"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def environ_for(path, *, method="POST", data=None, csrf=True, cookie=SESSION, extra_cookies="", **headers):
    body = data if isinstance(data, bytes) else json.dumps(data or {}).encode()
    cookies = f"{settings.SESSION_COOKIE_NAME}={cookie}; {settings.CSRF_COOKIE_NAME}={CSRF}{extra_cookies}"
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "SERVER_NAME": "testserver", "SERVER_PORT": "80",
               "HTTP_HOST": "testserver", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
               "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": "application/json", "HTTP_COOKIE": cookies,
               "REMOTE_ADDR": "10.1.2.3", **headers}
    if csrf:
        environ["HTTP_X_CSRFTOKEN"] = CSRF
    return environ


def call(path, *, app=None, **kw):
    """(status, headers, body, answered by the fast route?) for one request through the WSGI application."""

    taken = []
    seen = beat_wsgi._answer

    def spy(*args):
        taken.append(True)
        return seen(*args)

    started = {}
    # Close the response as a WSGI server does, but keep the test's connection open, as Django's test
    # client does (request_finished would close it).
    request_finished.disconnect(close_old_connections)
    try:
        beat_wsgi._answer = spy
        response = (app or application)(environ_for(path, **kw),
                                        lambda status, headers, *a: started.update(s=status, h=dict(headers)))
        content = b"".join(response)
        if hasattr(response, "close"):
            response.close()
    finally:
        beat_wsgi._answer = seen
        request_finished.connect(close_old_connections)
    assert app is None or app is django_application or not taken
    return int(started["s"].split()[0]), started["h"], content, bool(taken)


@pytest.fixture(autouse=True)
def connections_stay_open(monkeypatch):
    # The route runs Django's connection upkeep itself; in a test that would close the test's connection.
    monkeypatch.setattr(beat_wsgi, "close_old_connections", lambda: None)


@pytest.fixture
def play(cast):
    lesson = make_course(cast.district, seconds=(120,)).lessons.get()
    return services.start_lesson(person=cast.person_a, lesson=lesson, session_cookie=SESSION)


@pytest.mark.django_db(transaction=True)
def test_ordinary_beats_take_the_route_credit_and_carry_the_token(play):
    url = f"/academy/play/{play.token}/beat"
    status, headers, body, fast_route = call(url, data={"seq": 1, "position": 0, "visible": True})
    first = json.loads(body)
    assert fast_route and status == 200 and first["status"] == "anchored" and first["path"] == "slow"
    status, _headers, body, fast_route = call(url, data={"seq": 2, "position": 0.5, "visible": True,
                                                         "state": first["state"]})
    assert fast_route and status == 200 and json.loads(body)["path"] == "fast"
    assert Progress.objects.get().last_seq == 2


@pytest.mark.django_db(transaction=True)
def test_the_route_answers_with_the_headers_django_would(play):
    from jingpei.wsgi import django_application

    url = f"/academy/play/{play.token}/beat"
    status, fast, body, fast_route = call(url, data={"seq": 1, "position": 0})
    assert fast_route and status == 200
    status, slow, _body, _route = call(url, app=django_application, data={"seq": 2, "position": 0})
    assert status == 200
    assert fast["Content-Length"] == str(len(body))
    expected = {k: v for k, v in slow.items() if k not in {"Content-Length", "Set-Cookie"}}
    assert {k: v for k, v in fast.items() if k != "Content-Length"} == expected
    assert fast["X-Content-Type-Options"] == "nosniff" and fast["X-Frame-Options"] == "DENY"
    assert fast["Content-Language"] == "zh-hans" and fast["Content-Type"] == "application/json"


@pytest.mark.django_db(transaction=True)
def test_errors_on_the_route_are_the_apis_and_write_nothing(play):
    url = f"/academy/play/{play.token}/beat"
    status, _h, body, fast_route = call(url, data={"seq": 1, "position": 0}, cookie="another-browser")
    assert fast_route and status == 403
    assert json.loads(body)["error"]["message"] == "学习会话与登录不符，请刷新页面。"
    status, _h, body, fast_route = call(url, data=b"{not json")
    assert fast_route and status == 400 and json.loads(body)["error"]["message"] == "心跳数据格式错误。"
    status, _h, body, fast_route = call(url, data={"seq": 1, "position": "12"})
    assert fast_route and status == 400
    assert json.loads(body)["error"]["fields"] == [{"field": "position", "message": "心跳字段 position 必须是数字。"}]
    status, _h, body, fast_route = call("/academy/play/no-such-play/beat", data={"seq": 1, "position": 0})
    assert fast_route and status == 409 and json.loads(body)["error"]["code"] == "superseded"
    assert Progress.objects.get().last_seq == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("headers", "status"), [
    ({"csrf": False}, 403),  # Django's CSRF check refuses it
    ({"HTTP_ORIGIN": "http://evil.example"}, 403),  # likewise
    ({"HTTP_HOST": "evil.example"}, 400),  # DisallowedHost
    ({"HTTP_SEC_FETCH_SITE": "cross-site"}, 200),  # Django lets the matching CSRF token decide
], ids=["no csrf header", "cross origin", "unknown host", "cross-site fetch"])
def test_requests_a_browser_could_send_cross_site_go_to_django(play, headers, status):
    answer, _h, _body, fast_route = call(f"/academy/play/{play.token}/beat", data={"seq": 1, "position": 0},
                                         **headers)
    assert not fast_route and answer == status
    assert Progress.objects.get().last_seq == (1 if status == 200 else 0)


@pytest.mark.django_db(transaction=True)
def test_form_posts_wrong_methods_and_big_bodies_go_to_django(play):
    url = f"/academy/play/{play.token}/beat"
    status, _h, _body, fast_route = call(url, data=b"seq=1", CONTENT_TYPE="application/x-www-form-urlencoded")
    assert not fast_route and status == 400  # Django's view: not JSON
    status, _h, _body, fast_route = call(url, method="GET")
    assert not fast_route and status == 405
    big = json.dumps({"seq": 1, "position": 0, "pad": "x" * 20_000}).encode()
    status, _h, _body, fast_route = call(url, data=big)
    assert not fast_route and status == 200  # Django's view takes it; the route keeps to small bodies
    status, headers, _body, fast_route = call(f"{url}/extra", method="GET")
    assert not fast_route and status == 404 and "text/html" in headers["Content-Type"]  # the site's 404 page


@pytest.mark.django_db(transaction=True)
def test_a_learner_who_chose_english_gets_djangos_answer_in_english(play):
    status, headers, body, fast_route = call(f"/academy/play/{play.token}/beat", data={"seq": 1, "position": 0},
                                             cookie="another-browser",
                                             extra_cookies=f"; {settings.LANGUAGE_COOKIE_NAME}=en")
    assert not fast_route and status == 403 and headers["Content-Language"] == "en"
    assert "session" in json.loads(body)["error"]["message"].lower()


@pytest.mark.django_db(transaction=True)
def test_https_redirect_and_debug_leave_the_route(play):
    url = f"/academy/play/{play.token}/beat"
    with override_settings(SECURE_SSL_REDIRECT=True):
        _status, _h, _body, fast_route = call(url, data={"seq": 1, "position": 0})
        assert not fast_route  # Django's SecurityMiddleware redirects (it read the setting at start-up)
        status, headers, _body, fast_route = call(url, data={"seq": 1, "position": 0}, **{"wsgi.url_scheme": "https"})
        assert fast_route and status == 200
    with override_settings(SECURE_HSTS_SECONDS=3600):
        _status, headers, _body, fast_route = call(url, data={"seq": 2, "position": 0}, **{"wsgi.url_scheme": "https"})
        assert fast_route and headers["Strict-Transport-Security"] == "max-age=3600"
    with override_settings(DEBUG=True):
        _status, _h, _body, fast_route = call(url, data={"seq": 3, "position": 0})
        assert not fast_route


@pytest.mark.django_db(transaction=True)
def test_an_unexpected_failure_answers_500_in_json_and_is_logged(play, monkeypatch, caplog):
    def broken(**_kw):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "heartbeat", broken)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        status, _h, body, fast_route = call(f"/academy/play/{play.token}/beat", data={"seq": 1, "position": 0})
    assert fast_route and status == 500 and json.loads(body)["error"]["code"] == "server_error"
    assert "RuntimeError: the database went away" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_course_completed_on_the_route_records_the_learners_address(cast):
    lesson = make_course(cast.district, seconds=(20,)).lessons.get()
    with time_machine.travel(T0, tick=False) as clock:
        play = services.start_lesson(person=cast.person_a, lesson=lesson, session_cookie=SESSION)
        url = f"/academy/play/{play.token}/beat"
        state = ""
        for seq, second in enumerate((0, 10, 20), start=1):
            clock.move_to(T0 + timedelta(seconds=second))
            _status, _h, body, fast_route = call(url, data={"seq": seq, "position": second, "visible": True,
                                                            "state": state})
            state = json.loads(body)["state"]
            assert fast_route
    assert json.loads(body)["course_completed"] is True
    entry = LedgerEntry.objects.get()
    assert AuditLog.objects.get(action="ledger.credit", object_id=str(entry.pk)).ip == "10.1.2.3"


@pytest.mark.django_db(transaction=True)
def test_fast_beat_outside_a_transaction_writes_straight_through_libpq(play):
    from django.db import connection

    from jingpei.academy import beatstore

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    url = f"/academy/play/{play.token}/beat"
    _status, _headers, body, _route = call(url, data={"seq": 1, "position": 0, "visible": True})
    status, _headers, body, _route = call(url, data={"seq": 2, "position": 0.5, "visible": True,
                                                     "state": json.loads(body)["state"]})
    assert status == 200 and json.loads(body)["path"] == "fast"
    prepared, _dumper = beatstore._direct[connection.connection]
    assert b"jp_save_guarded_async" in prepared  # the guarded write, committed asynchronously
    progress = Progress.objects.get()
    assert progress.last_seq == 2 and progress.anchor_pos == 0.5
