from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from jingpei.classes import services, signin
from jingpei.classes.models import Attendance
from jingpei.core.errors import DomainError
from tests.classes.conftest import enrol


def test_token_roundtrip_and_rotation():
    now = datetime.fromtimestamp(signin.slot_of(timezone.now()) * signin.SLOT_SECONDS, tz=UTC)  # slot start
    token = signin.make_token(7, now)
    assert signin.check_token(token, now).session_id == 7
    assert signin.check_token(token, now + timedelta(seconds=signin.SLOT_SECONDS)).ok  # grace
    assert signin.make_token(7, now + timedelta(seconds=15)) != token


def test_expired_forged_other_session_future():
    now = timezone.now()
    token = signin.make_token(7, now)
    late = signin.check_token(token, now + timedelta(seconds=60))
    assert late.code == "expired" and "二维码已过期" in late.error
    forged = signin.check_token(token[:-2] + "xx", now)
    assert forged.code == "forged" and forged.error == "二维码无效（校验失败），请扫描现场投影的二维码。"
    assert signin.check_token("7.1:abc", now).code == "forged"
    other = signin.check_token(token, now, expected_session_id=8)
    assert other.error == "该二维码属于其他课次，不能用于本课次签到。"
    future = signin.check_token(signin.make_token(7, now + timedelta(minutes=5)), now)
    assert future.code == "forged"


def test_sign_in_is_idempotent_and_late(cast, klass, session):
    e = enrol(cast, klass, cast.person_a)
    a, created = services.sign_in(actor=cast.trainee, session=session, enrolment=e)
    assert created and a.status == Attendance.Status.PRESENT
    again, created = services.sign_in(actor=cast.trainee, session=session, enrolment=e)
    assert not created and again.pk == a.pk
    e2 = enrol(cast, klass, cast.person_a2)
    late, _c = services.sign_in(actor=None, session=session, enrolment=e2,
                                at=session.starts_at + timedelta(minutes=11))
    assert late.status == Attendance.Status.LATE


def test_only_approved_trainees_sign_in(cast, klass, session):
    e = services.nominate(actor=cast.liaison_a, klass=klass, person=cast.person_a)
    with pytest.raises(DomainError, match="王小明 不在本班已录取学员名单中，不能签到。"):
        services.sign_in(actor=cast.trainee, session=session, enrolment=e)
    assert not Attendance.objects.exists()


def test_window_refuses_future_and_ended_sessions(session):
    assert "尚未开始" in services.self_sign_in_window_error(session, session.starts_at - timedelta(hours=1))
    assert services.self_sign_in_window_error(session, session.starts_at) == ""
    assert "已结束" in services.self_sign_in_window_error(session, session.ends_at + timedelta(seconds=1))


def test_manual_sign_in_only_by_head(cast, klass, session, head):
    e = enrol(cast, klass, cast.person_a)
    with pytest.raises(Exception, match="只有主办单位或本班班主任"):
        services.sign_in(actor=cast.liaison_a, session=session, enrolment=e, method=Attendance.Method.MANUAL)
    a, created = services.sign_in(actor=head, session=session, enrolment=e, method=Attendance.Method.MANUAL)
    assert created and a.recorded_by == head


def test_import_paper_sheet(cast, klass, session, head):
    from tests.factories import make_person

    services.set_quota(actor=cast.officer, klass=klass, org=cast.town_a, seats=5)
    enrol(cast, klass, cast.person_a)
    enrol(cast, klass, cast.person_a2)
    twin1, twin2 = make_person(cast.branch_a, "张伟"), make_person(cast.branch_a, "张伟")
    enrol(cast, klass, twin1)
    enrol(cast, klass, twin2)
    result = services.import_sheet(actor=head, session=session, text="王小明\n李芳 迟到\n\n赵无名\n张伟\n王小明")
    assert result.signed == ["王小明", "李芳"] and result.already == ["王小明"]
    assert result.unknown == ["赵无名"] and result.ambiguous == ["张伟"]
    assert Attendance.objects.get(enrolment__person=cast.person_a2).status == Attendance.Status.LATE
    assert Attendance.objects.count() == 2
