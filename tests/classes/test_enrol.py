from __future__ import annotations

import pytest

from jingpei.classes import services
from jingpei.classes.models import Enrolment
from jingpei.core.errors import Conflict, DomainError, NotAllowed
from jingpei.core.permissions import Role
from tests.factories import make_org, make_person, make_user, numbered

S = Enrolment.Status


def test_nominate_confirm_approve(cast, klass, head):
    e = services.nominate(actor=cast.liaison_a, klass=klass, person=cast.person_a)
    assert e.status == S.NOMINATED and e.quota.org == cast.town_a
    services.respond(actor=cast.trainee, enrolment=e, accept=True)
    e.refresh_from_db()
    assert e.status == S.CONFIRMED
    services.decide(actor=head, enrolment=e, approve=True)
    e.refresh_from_db()
    assert e.status == S.APPROVED


def test_liaison_cannot_nominate_other_township(cast, klass):
    with pytest.raises(NotAllowed, match="只能推荐本单位"):
        services.nominate(actor=cast.liaison_b, klass=klass, person=cast.person_a)
    assert not Enrolment.objects.exists()


def test_duplicate_nomination_refused(cast, klass):
    services.nominate(actor=cast.liaison_a, klass=klass, person=cast.person_a)
    with pytest.raises(Conflict, match="王小明 已在本班名单中（待本人确认）"):
        services.nominate(actor=cast.liaison_a, klass=klass, person=cast.person_a)
    assert Enrolment.objects.count() == 1


def test_quota_full_goes_to_waitlist_and_is_promoted_in_order(cast, klass):
    people = [make_person(cast.branch_a, numbered("甲", i)) for i in range(5)]
    es = [services.nominate(actor=cast.liaison_a, klass=klass, person=p) for p in people]
    assert [e.status for e in es] == [S.NOMINATED] * 3 + [S.WAITLISTED] * 2
    user = make_user("p0", person=people[0])
    services.respond(actor=user, enrolment=es[0], accept=False)
    es[3].refresh_from_db()
    es[4].refresh_from_db()
    assert es[3].status == S.NOMINATED and es[4].status == S.WAITLISTED


def test_capacity_is_never_exceeded(cast, klass):
    klass.capacity = 4
    klass.save()
    a = [services.nominate(actor=cast.liaison_a, klass=klass, person=make_person(cast.branch_a, numbered("甲", i)))
         for i in range(3)]
    b = [services.nominate(actor=cast.liaison_b, klass=klass, person=make_person(cast.branch_b, numbered("乙", i)))
         for i in range(2)]
    assert [e.status for e in a + b] == [S.NOMINATED] * 4 + [S.WAITLISTED]


def test_no_quota_for_org(cast, klass):
    other = make_org(cast.district, "邓襄镇")
    liaison = make_user("liaison_c", role=Role.LIAISON, org=other)
    with pytest.raises(DomainError, match="本班没有给 邓襄镇 分配名额。"):
        services.nominate(actor=liaison, klass=klass, person=make_person(other, "丙"))


def test_only_person_may_respond(cast, klass):
    e = services.nominate(actor=cast.liaison_a, klass=klass, person=cast.person_a)
    with pytest.raises(NotAllowed, match="只能由本人确认"):
        services.respond(actor=cast.liaison_a, enrolment=e, accept=True)


def test_approve_needs_confirmation_and_head(cast, klass, head):
    e = services.nominate(actor=cast.liaison_a, klass=klass, person=cast.person_a)
    with pytest.raises(Conflict, match="只能录取本人已确认的学员（当前：待本人确认）"):
        services.decide(actor=head, enrolment=e, approve=True)
    services.respond(actor=cast.trainee, enrolment=e, accept=True)
    with pytest.raises(NotAllowed, match="只有主办单位或本班班主任"):
        services.decide(actor=cast.liaison_a, enrolment=e, approve=True)


def test_reject_frees_seat_for_waitlist(cast, klass, head):
    es = [services.nominate(actor=cast.liaison_a, klass=klass, person=make_person(cast.branch_a, numbered("甲", i)))
          for i in range(4)]
    services.decide(actor=head, enrolment=es[1], approve=False)
    es[3].refresh_from_db()
    assert es[3].status == S.NOMINATED


def test_class_without_quotas_is_open_to_organizer_subtree(cast):
    from datetime import date

    from jingpei.classes import access

    klass = services.create_class(actor=cast.officer, organizer=cast.district, title="常规班", capacity=5,
                                  start_date=date(2026, 6, 1), end_date=date(2026, 6, 2))
    assert list(access.visible_classes(cast.liaison_b)) == [klass]
    services.nominate(actor=cast.liaison_b, klass=klass, person=cast.person_b)


def test_audience_orgs_limit_nominations(cast):
    from datetime import date

    from jingpei.classes import access

    klass = services.create_class(actor=cast.officer, organizer=cast.district, title="老窝镇专场", capacity=5,
                                  start_date=date(2026, 6, 1), end_date=date(2026, 6, 2), audience_orgs=[cast.town_a])
    assert list(access.visible_classes(cast.liaison_b)) == []
    with pytest.raises(DomainError, match="本班面向老窝镇，刘庄村党支部 不在范围内。"):
        services.nominate(actor=cast.officer, klass=klass, person=cast.person_b)


def test_lecturer_sees_classes_taught_but_no_roster(cast, klass, session):
    from jingpei.classes import access

    lecturer_user = make_user("prof", role=Role.LECTURER, org=cast.district)
    lecturer = services.create_lecturer(actor=cast.officer, owner_org=cast.district, name="陈教授", subjects="乡村振兴")
    lecturer.user = lecturer_user
    lecturer.save()
    assert list(access.visible_classes(lecturer_user)) == []
    session.lecturer = lecturer
    session.save()
    services.nominate(actor=cast.liaison_a, klass=klass, person=cast.person_a)
    assert list(access.visible_classes(lecturer_user)) == [klass]
    assert not access.visible_enrolments(lecturer_user, klass).exists()
