"""The scan landing page: what a phone sees for each kind of code."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import time_machine
from django.urls import reverse
from django.utils import timezone

from jingpei.classes import services, signin
from jingpei.classes.models import Attendance
from jingpei.classes.signin_views import USED_COOKIE
from tests.classes.conftest import enrol
from tests.factories import make_user


def url(token):
    return reverse("classes:scan", kwargs={"token": token})


def test_scan_signs_in_once(cast, klass, session, client_as):
    enrol(cast, klass, cast.person_a)
    client = client_as(cast.trainee)
    token = signin.make_token(session.pk, timezone.now())
    r = client.get(url(token))
    assert r.status_code == 200 and "签到成功" in r.content.decode()
    r = client.get(url(token))
    assert "无需重复扫码" in r.content.decode()
    assert Attendance.objects.count() == 1


def test_anonymous_scan_keeps_code_through_login(cast, klass, session, client):
    enrol(cast, klass, cast.person_a)
    token = signin.make_token(session.pk, timezone.now())
    r = client.get(url(token), HTTP_USER_AGENT="Mozilla/5.0 MicroMessenger/8.0.40")
    assert r.status_code == 302 and r["Location"] == f"/accounts/login/?next={quote(url(token))}"
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):  # slow typing: the code has rotated
        client.post("/accounts/login/", {"username": "trainee", "password": "Secret-pass-2026"})
        r = client.get(url(token))
    assert "签到成功" in r.content.decode()
    assert Attendance.objects.get().signed_at < session.starts_at + timedelta(minutes=10)


def test_copied_code_opened_later_elsewhere_is_expired(cast, klass, session, client_as):
    enrol(cast, klass, cast.person_a)
    token = signin.make_token(session.pk, timezone.now() - timedelta(minutes=1))
    r = client_as(cast.trainee).get(url(token))
    assert r.status_code == 400 and "二维码已过期" in r.content.decode()
    assert not Attendance.objects.exists()


def test_forged_code(cast, klass, session, client_as):
    r = client_as(cast.trainee).get(url(f"{session.pk}.{signin.slot_of(timezone.now())}:forgedsig"))
    assert r.status_code == 400 and "二维码无效（校验失败）" in r.content.decode()


def test_not_enrolled_learns_nothing(cast, klass, session, client_as):
    user_b = make_user("zhao", person=cast.person_b)
    r = client_as(user_b).get(url(signin.make_token(session.pk, timezone.now())))
    body = r.content.decode()
    assert r.status_code == 403 and "不能签到" in body and klass.title not in body


def test_future_session_refused(cast, klass, client_as):
    enrol(cast, klass, cast.person_a)
    later = timezone.now() + timedelta(hours=3)
    # three hours on may be tomorrow in China (an evening run): the class runs until then
    klass.end_date = timezone.localdate(later)
    klass.save(update_fields=["end_date"])
    future = services.add_session(actor=cast.officer, klass=klass, starts_at=later,
                                  ends_at=later + timedelta(hours=1), subject="明日课", hours=1)
    r = client_as(cast.trainee).get(url(signin.make_token(future.pk, timezone.now())))
    assert r.status_code == 400 and "尚未开始" in r.content.decode()


def test_same_device_cannot_sign_in_a_second_person(cast, klass, session, client):
    enrol(cast, klass, cast.person_a)
    enrol(cast, klass, cast.person_a2)
    token = signin.make_token(session.pk, timezone.now())
    client.force_login(cast.trainee)
    client.get(url(token))
    device_cookie = client.cookies[USED_COOKIE]
    client.logout()  # the test client forgets every cookie here; a phone keeps its own
    client.cookies[USED_COOKIE] = device_cookie.value
    client.force_login(cast.person_a2.user)
    r = client.get(url(token))
    assert r.status_code == 409 and "禁止代签" in r.content.decode()
    assert Attendance.objects.count() == 1


def test_projector_shows_current_code_to_head_only(cast, klass, session, head, client_as):
    r = client_as(head).get(reverse("classes:projector", args=[session.pk]))
    assert r.status_code == 200 and 'data-scan-url="http://testserver/classes/scan/' in r.content.decode()
    assert client_as(cast.liaison_a).get(reverse("classes:projector_code", args=[session.pk])).status_code == 403
    # B has a quota in this district class, so B sees it, but may not run it
    assert client_as(cast.liaison_b).get(reverse("classes:projector", args=[session.pk])).status_code == 403
