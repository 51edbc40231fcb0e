from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from jingpei.classes import services
from jingpei.classes.models import Certificate, Enrolment, LeaveRequest
from jingpei.core.errors import Conflict, DomainError
from jingpei.ledger.models import LedgerEntry
from tests.classes.conftest import enrol


@pytest.fixture
def seven_sessions(klass, cast):
    """7 sessions of 2 hours: 14 hours, so the 1/7 cap is 2 hours (one session)."""
    start = timezone.now().replace(hour=1, minute=0, second=0, microsecond=0)
    return [services.add_session(actor=cast.officer, klass=klass, starts_at=start + timedelta(minutes=30 * i),
                                 ends_at=start + timedelta(minutes=30 * i + 25), subject=f"第{i + 1}讲", hours=2)
            for i in range(7)]


def test_leave_within_cap_then_warning_then_withdrawal(cast, klass, seven_sessions, head):
    e = enrol(cast, klass, cast.person_a)
    first = services.request_leave(actor=cast.trainee, enrolment=e, reason="村里防汛", session=seven_sessions[0])
    assert not services.leave_outlook(e, first.hours).would_withdraw
    services.decide_leave(actor=head, leave=first, approve=True)
    second = services.request_leave(actor=cast.trainee, enrolment=e, reason="家中有事", session=seven_sessions[1])
    outlook = services.leave_outlook(e, second.hours)
    assert outlook.would_withdraw
    assert outlook.warning() == "批准后累计请假 4.0 学时，超过总学时 14.0 的 1/7（2.0 学时），按规定将作退学处理。"
    with pytest.raises(DomainError, match="如确认，请勾选“确认退学”后再批准。"):
        services.decide_leave(actor=head, leave=second, approve=True)
    second.refresh_from_db()
    assert second.status == LeaveRequest.Status.PENDING
    services.decide_leave(actor=head, leave=second, approve=True, confirm_withdrawal=True)
    e.refresh_from_db()
    assert e.status == Enrolment.Status.WITHDRAWN


def test_part_time_class_has_no_cap(cast, klass, seven_sessions, head):
    klass.full_time = False
    klass.save()
    e = enrol(cast, klass, cast.person_a)
    for s in seven_sessions[:3]:
        leave = services.request_leave(actor=cast.trainee, enrolment=e, reason="工作冲突", session=s)
        services.decide_leave(actor=head, leave=leave, approve=True)
    e.refresh_from_db()
    assert e.status == Enrolment.Status.APPROVED


def test_leave_reason_required(cast, klass, seven_sessions):
    e = enrol(cast, klass, cast.person_a)
    with pytest.raises(DomainError, match="请填写请假事由。"):
        services.request_leave(actor=cast.trainee, enrolment=e, reason=" ", session=seven_sessions[0])
    assert not LeaveRequest.objects.exists()


def test_completion_credits_once_and_issues_certificate(cast, klass, session, head):
    e1 = enrol(cast, klass, cast.person_a)
    e2 = enrol(cast, klass, cast.person_b)
    services.sign_in(actor=None, session=session, enrolment=e1)
    result = services.complete_class(actor=head, klass=klass)
    assert [e.pk for e in result.completed] == [e1.pk]
    assert result.not_completed[0][1] == "出勤 0.0 / 3.0 学时，未达 80%"
    entry = LedgerEntry.objects.get()
    assert entry.idempotency_key == f"class-completion:{klass.pk}:{cast.person_a.pk}"
    assert entry.hours == Decimal("6.0") and entry.form == "class"  # a full-time day: 6 学时 (the 3-hour session's day)
    cert = Certificate.objects.get()
    assert cert.pdf.read().startswith(b"%PDF") and cert.person_name == "王小明"
    with pytest.raises(Conflict, match="本班已结业。"):
        services.complete_class(actor=head, klass=klass)
    assert LedgerEntry.objects.count() == 1
    assert e2.pk not in [e.pk for e in result.completed]


def test_completion_waits_for_end_date(cast, klass, session, head):
    klass.end_date = timezone.localdate() + timedelta(days=1)
    klass.save()
    with pytest.raises(DomainError, match="班次尚未结束"):
        services.complete_class(actor=head, klass=klass)


def test_reflection_required(cast, klass, session, head):
    klass.require_reflection = True
    klass.save()
    e = enrol(cast, klass, cast.person_a)
    services.sign_in(actor=None, session=session, enrolment=e)
    with pytest.raises(DomainError, match="心得内容不少于 20 字。"):
        services.submit_reflection(actor=cast.trainee, enrolment=e, text="太短")
    r = services.submit_reflection(actor=cast.trainee, enrolment=e, text="通过学习，我对壮大村集体经济有了更深的理解和认识。")
    with pytest.raises(DomainError, match="退回时请填写修改意见。"):
        services.review_reflection(actor=head, reflection=r, action="return")
    services.review_reflection(actor=head, reflection=r, action="return", comment="请结合本村实际")
    result = services.complete_class(actor=head, klass=klass)
    assert result.not_completed[0][1] == "未提交培训心得"


def test_mark_best_reflection(cast, klass, head):
    e = enrol(cast, klass, cast.person_a)
    r = services.submit_reflection(actor=cast.trainee, enrolment=e, text="通过学习，我对壮大村集体经济有了更深的理解和认识。")
    services.review_reflection(actor=head, reflection=r, action="best")
    r.refresh_from_db()
    assert r.best and r.status == "accepted"


def test_large_class_certificates_come_from_a_job(cast, klass, session, head, monkeypatch,
                                                  django_capture_on_commit_callbacks):
    monkeypatch.setattr(services, "INLINE_CERTIFICATES", 0)
    e = enrol(cast, klass, cast.person_a)
    services.sign_in(actor=None, session=session, enrolment=e)
    with django_capture_on_commit_callbacks(execute=True):
        result = services.complete_class(actor=head, klass=klass)
    assert result.job is not None
    result.job.refresh_from_db()
    assert result.job.status == "done"
    assert Certificate.objects.get().pdf.read().startswith(b"%PDF")
