"""Logging, correcting and merging branch sessions, and their credits in the ledger."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db.models import Sum

from jingpei.activities import services
from jingpei.activities.models import BranchSession, SessionAttendance
from jingpei.core.errors import DomainError, NotAllowed
from jingpei.core.models import AuditLog
from jingpei.ledger.models import LedgerEntry, TrainingForm

pytestmark = pytest.mark.django_db


def balance(person) -> Decimal:
    return LedgerEntry.objects.filter(person=person).aggregate(s=Sum("hours"))["s"] or Decimal(0)


def test_secretary_logs_a_session_and_members_are_credited(cast, log_session):
    session = log_session(guest_names=["张村民", "李村民"])
    assert session.attendee_count == 2 and session.person_times == 4
    entries = LedgerEntry.objects.filter(source_type="activities.session", source_id=str(session.pk))
    assert {e.person_id for e in entries} == {cast.person_a.pk, cast.person_a2.pk}
    assert all(e.form == TrainingForm.BRANCH and e.hours == Decimal("1.5") for e in entries)
    assert {e.idempotency_key for e in entries} == {
        f"branch-session:{session.pk}:{cast.person_a.pk}:v1", f"branch-session:{session.pk}:{cast.person_a2.pk}:v1"}
    assert AuditLog.objects.filter(action="activity.session.create", object_id=str(session.pk)).exists()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("held_on", "future", "日期不能晚于今天"),
    ("hours", "0", "时长须大于 0 小时且不超过 12 小时"),
    ("hours", "-1", "时长须大于 0 小时且不超过 12 小时"),
    ("hours", "12.5", "时长须大于 0 小时且不超过 12 小时"),
    ("hours", "一小时", "时长“一小时”不是有效数字。"),
    ("topic", "  ", "请填写学习主题。"),
    ("attendee_ids", [], "请至少勾选一名参加学习的党员。"),
])
def test_impossible_sessions_are_refused_and_nothing_is_written(cast, log_session, today, field, value, message):
    if value == "future":
        value = today + timedelta(days=1)
    with pytest.raises(DomainError) as exc:
        log_session(**{field: value})
    assert message in exc.value.message
    assert exc.value.field == field
    assert not BranchSession.objects.exists() and not LedgerEntry.objects.exists()


def test_a_person_outside_the_branch_cannot_be_ticked(cast, log_session):
    with pytest.raises(DomainError) as exc:
        log_session(attendee_ids=[cast.person_a.pk, cast.person_b.pk])
    assert exc.value.message.startswith("所选人员中有 1 人不是本支部成员")
    assert not BranchSession.objects.exists() and not LedgerEntry.objects.exists()


def test_guests_alone_are_enough(cast, log_session):
    session = log_session(attendee_ids=[], guest_names=["王大爷，刘大妈、王大爷"])
    assert session.guest_names == ["王大爷", "刘大妈"] and not LedgerEntry.objects.exists()


@pytest.mark.parametrize("who", ["liaison_a", "liaison_b", "trainee"])
def test_only_the_secretary_and_offices_above_may_log(cast, log_session, who):
    with pytest.raises(NotAllowed) as exc:
        log_session(actor=getattr(cast, who))
    assert exc.value.message == "只有本支部书记及上级组织可以登记该支部的学习。"
    assert not BranchSession.objects.exists()


def test_secretary_of_a_cannot_log_for_b_but_the_district_officer_can(cast, log_session):
    with pytest.raises(NotAllowed):
        log_session(branch=cast.branch_b, attendee_ids=[cast.person_b.pk])
    session = log_session(actor=cast.officer, branch=cast.branch_b, attendee_ids=[cast.person_b.pk])
    assert session.branch == cast.branch_b


def test_duplicate_is_detected_and_offered_for_merge_not_double_counted(cast, log_session):
    first = log_session(attendee_ids=[cast.person_a.pk])
    with pytest.raises(services.DuplicateSession) as exc:
        log_session(topic=" 学习乡村振兴 战略", attendee_ids=[cast.person_a.pk, cast.person_a2.pk])
    assert exc.value.existing == first and exc.value.status == 409
    assert "已登记过主题为“学习乡村振兴战略”的学习" in exc.value.message
    assert BranchSession.objects.count() == 1 and LedgerEntry.objects.count() == 1

    result = services.create_session(actor=cast.secretary_a, branch=cast.branch_a, held_on=first.held_on,
                                     topic="学习乡村振兴战略", hours="1.5",
                                     attendee_ids=[cast.person_a.pk, cast.person_a2.pk], guest_names=["张三"],
                                     merge=True)
    assert result.merged and result.session == first
    first.refresh_from_db()
    assert first.attendee_count == 2 and first.guest_names == ["张三"]
    assert BranchSession.objects.count() == 1
    assert balance(cast.person_a) == Decimal("1.5") and balance(cast.person_a2) == Decimal("1.5")


def test_removing_an_attendee_reverses_their_credit_without_rewriting(cast, log_session):
    session = log_session()
    original = LedgerEntry.objects.get(person=cast.person_a2)
    services.update_session(actor=cast.secretary_a, session=session, held_on=session.held_on, topic=session.topic,
                            hours=session.hours, attendee_ids=[cast.person_a.pk], reason="李芳当天请假")
    assert balance(cast.person_a2) == 0 and balance(cast.person_a) == Decimal("1.5")
    reversal = LedgerEntry.objects.get(reverses=original)
    assert reversal.hours == Decimal("-1.5") and reversal.reason == "李芳当天请假"
    original.refresh_from_db()
    assert original.hours == Decimal("1.5")  # untouched
    assert list(session.attendances.values_list("person_id", flat=True)) == [cast.person_a.pk]


def test_changing_hours_reverses_and_recredits_under_a_new_version(cast, log_session):
    session = log_session()
    session = services.update_session(actor=cast.secretary_a, session=session, held_on=session.held_on,
                                      topic=session.topic, hours="2", attendee_ids=[cast.person_a.pk, cast.person_a2.pk])
    assert session.version == 2
    assert balance(cast.person_a) == Decimal("2.0")
    assert LedgerEntry.objects.filter(person=cast.person_a).count() == 3  # credit, reversal, new credit
    assert LedgerEntry.objects.filter(idempotency_key=f"branch-session:{session.pk}:{cast.person_a.pk}:v2").exists()
    # re-adding someone removed earlier credits them again, once
    services.update_session(actor=cast.secretary_a, session=session, held_on=session.held_on, topic=session.topic,
                            hours="2", attendee_ids=[cast.person_a.pk])
    services.update_session(actor=cast.secretary_a, session=session, held_on=session.held_on, topic=session.topic,
                            hours="2", attendee_ids=[cast.person_a.pk, cast.person_a2.pk])
    assert balance(cast.person_a2) == Decimal("2.0") and balance(cast.person_a) == Decimal("2.0")


def test_an_edit_into_an_existing_session_is_a_duplicate(cast, log_session):
    log_session(topic="甲")
    second = log_session(topic="乙")
    with pytest.raises(services.DuplicateSession):
        services.update_session(actor=cast.secretary_a, session=second, held_on=second.held_on, topic="甲",
                                hours="1.5", attendee_ids=[cast.person_a.pk])
    second.refresh_from_db()
    assert second.topic == "乙"


def test_an_edit_to_the_future_is_refused(cast, log_session, today):
    session = log_session()
    with pytest.raises(DomainError) as exc:
        services.update_session(actor=cast.secretary_a, session=session, held_on=today + timedelta(days=3),
                                topic=session.topic, hours="1", attendee_ids=[cast.person_a.pk])
    assert "日期不能晚于今天" in exc.value.message
    assert balance(cast.person_a) == Decimal("1.5")


def test_liaison_may_not_edit(cast, log_session):
    session = log_session()
    with pytest.raises(NotAllowed):
        services.update_session(actor=cast.liaison_a, session=session, held_on=session.held_on, topic="x",
                                hours="1", attendee_ids=[cast.person_a.pk])


def test_merging_two_sessions_moves_credits_once(cast, log_session):
    a = log_session(topic="学习一", attendee_ids=[cast.person_a.pk])
    b = log_session(topic="学习 一（重复）", attendee_ids=[cast.person_a.pk, cast.person_a2.pk])
    services.merge_sessions(actor=cast.secretary_a, source=b, target=a)
    b.refresh_from_db()
    a.refresh_from_db()
    assert b.merged_into == a and a.attendee_count == 2
    assert balance(cast.person_a) == Decimal("1.5") and balance(cast.person_a2) == Decimal("1.5")
    assert BranchSession.objects.live().count() == 1
    assert SessionAttendance.objects.filter(session=b).count() == 0


def test_a_mistyped_year_is_refused_but_an_old_sessions_own_date_may_stay(cast, log_session):
    with time_machine.travel(date(2025, 3, 2), tick=False):
        session = log_session(held_on=date(2025, 3, 1))
    with time_machine.travel(date(2027, 1, 5), tick=False):
        with pytest.raises(DomainError) as exc:  # 2016 typed for 2026
            log_session(held_on=date(2016, 5, 1), topic="年份写错")
        assert exc.value.message == "日期“2016-05-01”早于 2026-01-01：只能登记去年以来的活动，请检查年份。"
        edited = services.update_session(actor=cast.secretary_a, session=session, held_on=date(2025, 3, 1),
                                          topic="学习乡村振兴战略（更正主题）", hours="1.5",
                                          attendee_ids=[cast.person_a.pk, cast.person_a2.pk])
        assert edited.topic.endswith("（更正主题）")
        with pytest.raises(DomainError, match="早于 2026-01-01"):
            services.update_session(actor=cast.secretary_a, session=session, held_on=date(2025, 2, 1),
                                    topic=session.topic, hours="1.5", attendee_ids=[cast.person_a.pk])
