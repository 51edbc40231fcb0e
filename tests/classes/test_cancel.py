"""Calling a class off: who may, what it does to the list, the inbox, the pages and the API."""

from __future__ import annotations

import pytest
from django.utils import timezone

from jingpei.classes import services, signin
from jingpei.classes.models import Attendance, Enrolment, LeaveRequest, Session, TrainingClass
from jingpei.core.errors import Conflict, DomainError, NotAllowed
from jingpei.core.models import AuditLog
from jingpei.ledger.models import Notification
from tests.classes.conftest import enrol
from tests.factories import make_person, make_user, numbered

S = Enrolment.Status
API = "/api/v1/classes"


@pytest.fixture
def listed(cast, klass, session):
    """An admitted trainee with a pending leave request, a nominee, and two waiting (town_a's 3 seats full)."""
    admitted = enrol(cast, klass, cast.person_a)
    services.request_leave(actor=cast.trainee, enrolment=admitted, reason="家中有事", session=session)
    nominee = services.nominate(actor=cast.liaison_b, klass=klass, person=cast.person_b)
    others = [services.nominate(actor=cast.liaison_a, klass=klass, person=make_person(cast.branch_a, numbered("甲", i)))
              for i in range(4)]
    return admitted, nominee, others


def test_cancel_takes_everyone_off_and_tells_them_once(cast, klass, listed):
    admitted, nominee, others = listed
    assert [e.status for e in others] == [S.NOMINATED, S.NOMINATED, S.WAITLISTED, S.WAITLISTED]
    declined_user = make_user("declines", person=others[0].person)
    services.respond(actor=declined_user, enrolment=others[0], accept=False)  # a waiting one moves up

    n = services.cancel_class(actor=cast.officer, klass=klass, reason="  暴雨红色预警，  延期举办 ")

    klass.refresh_from_db()
    assert n == 5
    assert klass.status == TrainingClass.Status.CANCELLED and klass.cancel_reason == "暴雨红色预警， 延期举办"
    assert klass.cancelled_at is not None
    statuses = dict(Enrolment.objects.filter(klass=klass).values_list("pk", "status"))
    assert statuses[admitted.pk] == statuses[nominee.pk] == S.CANCELLED
    assert statuses[others[0].pk] == S.DECLINED  # what was already decided stays
    assert sorted(statuses.values()).count(S.CANCELLED) == 5
    assert not Enrolment.objects.filter(klass=klass, status__in=Enrolment.LIVE).exists()
    assert LeaveRequest.objects.get().status == LeaveRequest.Status.REJECTED
    # The trainee with an account and the two liaisons who nominated; not the officer who cancelled.
    told = Notification.objects.filter(title__endswith="已取消").order_by("user__username")
    assert [note.user.username for note in told] == ["liaison_a", "liaison_b", "trainee"]
    assert told[0].title == "培训班“乡村振兴专题培训班”已取消"
    assert "原因：暴雨红色预警， 延期举办" in told[0].body and told[0].url == f"/classes/{klass.pk}/"
    entry = AuditLog.objects.get(action="class.cancel")
    assert entry.actor == cast.officer and entry.org_path == cast.district.path
    assert entry.after == {"status": "cancelled", "reason": "暴雨红色预警， 延期举办", "enrolments": 5, "leaves": 1,
                           "attendances": 0}
    assert AuditLog.objects.filter(action="class.enrolment_cancel").count() == 5


def test_what_may_not_be_cancelled_or_changed_after(cast, klass, session):
    with pytest.raises(DomainError, match="请填写取消原因") as exc:
        services.cancel_class(actor=cast.officer, klass=klass, reason="   ")
    assert exc.value.field == "reason"
    with pytest.raises(DomainError, match="取消原因不能超过 300 个字"):
        services.cancel_class(actor=cast.officer, klass=klass, reason="因" * 301)
    with pytest.raises(NotAllowed):
        services.cancel_class(actor=cast.liaison_a, klass=klass, reason="不想办了")
    assert TrainingClass.objects.get(pk=klass.pk).status == TrainingClass.Status.OPEN
    assert not AuditLog.objects.filter(action="class.cancel").exists()

    services.cancel_class(actor=cast.officer, klass=klass, reason="计划调整")
    with pytest.raises(Conflict, match="本班已取消。"):
        services.cancel_class(actor=cast.officer, klass=klass, reason="再取消一次")
    with pytest.raises(Conflict, match="本班已取消，不能再修改"):
        services.update_class(actor=cast.officer, klass=klass, title="改名")
    with pytest.raises(Conflict, match="本班已取消，不能再修改"):
        services.set_quota(actor=cast.officer, klass=klass, org=cast.town_a, seats=5)
    with pytest.raises(Conflict, match="本班已取消，不能再修改"):
        services.add_session(actor=cast.officer, klass=klass, starts_at=session.starts_at, ends_at=session.ends_at,
                             subject="补一课", hours=2)
    with pytest.raises(Conflict, match="不在调训阶段（已取消）"):
        services.nominate(actor=cast.liaison_a, klass=klass, person=cast.person_a)
    with pytest.raises(Conflict, match="本班已取消"):
        services.complete_class(actor=cast.officer, klass=klass)
    fresh = Session.objects.select_related("klass").get(pk=session.pk)
    assert services.self_sign_in_window_error(fresh, timezone.now()) == "本班已取消，无需签到。"


def test_completed_class_cannot_be_cancelled(cast, klass, session):
    enrol(cast, klass, cast.person_a)
    services.complete_class(actor=cast.officer, klass=klass)
    with pytest.raises(Conflict, match="本班已结业，不能取消"):
        services.cancel_class(actor=cast.officer, klass=klass, reason="补办手续")
    with pytest.raises(Conflict, match="本班已结业，不能再修改"):
        services.set_quota(actor=cast.officer, klass=klass, org=cast.town_a, seats=5)


def test_attendance_is_kept_and_nothing_is_credited(cast, klass, session):
    from jingpei.ledger.models import LedgerEntry

    admitted = enrol(cast, klass, cast.person_a)
    services.sign_in(actor=cast.trainee, session=session, enrolment=admitted)
    services.cancel_class(actor=cast.officer, klass=klass, reason="上级通知停办")
    assert Attendance.objects.count() == 1
    assert not LedgerEntry.objects.exists()
    assert AuditLog.objects.get(action="class.cancel").after["attendances"] == 1


def test_cancel_page_warns_then_cancels(cast, klass, session, listed, client_as):
    admitted, _nominee, _others = listed
    services.sign_in(actor=cast.trainee, session=session, enrolment=admitted)
    client = client_as(cast.officer)
    page = client.get(f"/classes/{klass.pk}/?tab=info").content.decode()
    assert f'href="/classes/{klass.pk}/cancel/"' in page
    page = client.get(f"/classes/{klass.pk}/cancel/").content.decode()
    assert "名单上 6 人（已录取 1、待确认或审核 3、候补 2）的调训将全部撤销" in page
    assert "已有 1 人次签到，签到记录保留，但不计学时" in page and "确认取消班次" in page

    r = client.post(f"/classes/{klass.pk}/cancel/", {"reason": ""})
    assert r.status_code == 200 and "请填写取消原因。" in r.content.decode()
    assert TrainingClass.objects.get(pk=klass.pk).status == TrainingClass.Status.OPEN
    r = client.post(f"/classes/{klass.pk}/cancel/", {"reason": "计划调整，并入下期"}, follow=True)
    page = r.content.decode()
    assert "班次已取消，已撤销 6 人的调训并通知本人及推荐人。" in page
    assert "本班已于" in page and "原因：计划调整，并入下期" in page
    assert f'href="/classes/{klass.pk}/cancel/"' not in page
    r = client.get(f"/classes/{klass.pk}/cancel/", follow=True)
    assert "本班已取消。" in r.content.decode() and "确认取消班次" not in r.content.decode()

    mine = client_as(cast.trainee).get("/classes/mine/").content.decode()
    assert "本班已取消。原因：计划调整，并入下期" in mine


def test_cancel_page_is_not_for_liaisons_or_other_districts(cast, klass, client_as):
    assert client_as(cast.liaison_a).get(f"/classes/{klass.pk}/cancel/").status_code == 403
    assert client_as(cast.liaison_a).post(f"/classes/{klass.pk}/cancel/", {"reason": "x"}).status_code == 403
    assert client_as(cast.trainee).post(f"/classes/{klass.pk}/cancel/", {"reason": "x"}).status_code in (403, 404)
    assert TrainingClass.objects.get(pk=klass.pk).status == TrainingClass.Status.OPEN


def test_cancel_via_api(cast, klass, session, client_as):
    enrol(cast, klass, cast.person_a)
    r = client_as(cast.liaison_a).post(f"{API}/{klass.pk}/cancel", {"reason": "x"}, content_type="application/json")
    assert r.status_code == 403
    client = client_as(cast.officer)
    r = client.post(f"{API}/{klass.pk}/cancel", {"reason": " "}, content_type="application/json")
    assert r.status_code == 400 and r.json()["error"]["fields"] == [{"field": "reason", "message": "请填写取消原因。"}]
    r = client.post(f"{API}/{klass.pk}/cancel", {"reason": "并班"}, content_type="application/json")
    body = r.json()
    assert r.status_code == 200 and body["cancelled_enrolments"] == 1
    assert body["class"]["status"] == "cancelled" and body["class"]["cancel_reason"] == "并班"
    r = client.post(f"{API}/{klass.pk}/cancel", {"reason": "并班"}, content_type="application/json")
    assert r.status_code == 409 and r.json()["error"]["message"] == "本班已取消。"
    token = signin.make_token(session.pk, timezone.now())
    r = client_as(cast.trainee).post(f"{API}/sessions/{session.pk}/sign-in", {"token": token},
                                     content_type="application/json")
    assert r.status_code in (400, 403) and not Attendance.objects.exists()
    mine = client_as(cast.trainee).get(f"{API}/mine").json()
    assert [e["status"] for e in mine] == ["cancelled"]
