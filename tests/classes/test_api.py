from __future__ import annotations

from django.utils import timezone

from jingpei.classes import signin
from jingpei.classes.models import Attendance, Enrolment
from tests.classes.conftest import enrol
from tests.classes.leaks import make_objects

API = "/api/v1/classes"


def test_nominate_respond_decide_via_api(cast, klass, head, client_as):
    client = client_as(cast.liaison_a)
    r = client.post(f"{API}/{klass.pk}/nominations", {"person_id": cast.person_a.pk}, content_type="application/json")
    assert r.status_code == 201 and r.json()["status"] == "nominated"
    eid = r.json()["id"]
    r = client.post(f"{API}/{klass.pk}/nominations", {"person_id": cast.person_a.pk}, content_type="application/json")
    assert r.status_code == 409 and r.json()["error"]["message"] == "王小明 已在本班名单中（待本人确认）。"
    r = client_as(cast.trainee).post(f"{API}/enrolments/{eid}/respond", {"accept": True},
                                     content_type="application/json")
    assert r.json()["status"] == "confirmed"
    r = client_as(cast.liaison_a).post(f"{API}/enrolments/{eid}/decide", {"approve": True},
                                       content_type="application/json")
    assert r.status_code == 403
    r = client_as(head).post(f"{API}/enrolments/{eid}/decide", {"approve": True}, content_type="application/json")
    assert r.json()["status"] == "approved"


def test_api_sign_in_refuses_other_session_and_forged(cast, klass, session, client_as):
    enrol(cast, klass, cast.person_a)
    client = client_as(cast.trainee)
    token = signin.make_token(session.pk, timezone.now())
    r = client.post(f"{API}/sessions/{session.pk + 1}/sign-in", {"token": token}, content_type="application/json")
    assert r.status_code == 400 and r.json()["error"]["message"] == "该二维码属于其他课次，不能用于本课次签到。"
    r = client.post(f"{API}/sessions/{session.pk}/sign-in", {"token": token + "x"}, content_type="application/json")
    assert r.json()["error"]["code"] == "forged"
    r = client.post(f"{API}/sessions/{session.pk}/sign-in", {"token": token}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "present"
    assert Attendance.objects.count() == 1


def test_api_boundary(cast, klass, client_as):
    objects = make_objects(cast)
    client = client_as(cast.liaison_b)
    body = client.get(f"{API}/").content.decode()
    assert "甲镇机密" not in body
    assert client.get(f"{API}/{objects['class_id'].pk}").status_code == 404
    assert client.get(f"{API}/{objects['class_id'].pk}/enrolments").status_code == 404
    assert client.get(f"{API}/plans/{objects['plan_id'].pk}/progress").status_code == 404
    r = client.post(f"{API}/{objects['class_id'].pk}/complete")
    assert r.status_code == 404 and "甲镇机密" not in r.content.decode()
    verified = client.get(f"{API}/certificates/{objects['serial']}/verify").json()
    assert verified["name"] == "甲***人"
    assert not Enrolment.objects.filter(person=cast.person_b).exists()


def test_class_detail_and_plan_progress(cast, klass, session, client_as):
    from jingpei.classes import services

    plan = services.create_plan(actor=cast.officer, org=cast.district, year=klass.start_date.year,
                                title="召陵区扶贫干部培训计划", total_target=2000)
    klass.plan = plan
    klass.save()
    services.set_plan_target(actor=cast.officer, plan=plan, tier="special", target=500)
    services.set_plan_target(actor=cast.officer, plan=plan, tier="key", target=700)
    enrol(cast, klass, cast.person_a)
    enrol(cast, klass, cast.person_b)
    client = client_as(cast.officer)
    detail = client.get(f"{API}/{klass.pk}").json()
    assert detail["total_hours"] == "3.0" and detail["sessions"][0]["subject"] == "壮大村集体经济"
    progress = client.get(f"{API}/plans/{plan.pk}/progress").json()
    assert progress["done"] == 2 and progress["total_target"] == 2000
    assert [(t["tier"], t["done"]) for t in progress["targets"]] == [("special", 2), ("key", 0)]
    r = client.post(f"{API}/", {"organizer_id": cast.district.pk, "title": "", "start_date": "2026-05-01",
                                "end_date": "2026-05-02", "capacity": 10}, content_type="application/json")
    assert r.status_code == 400 and r.json()["error"]["fields"] == [{"field": "title", "message": "请填写班次名称。"}]
