"""Objects owned by township A (老窝镇) for the lead's global leak test: liaison_b visits every URL and
API route with these ids and must never see the marker 甲镇机密.

``serial`` is special: /verify/<serial>/ is public by design (anyone holding the paper may check it), so
the marker sits in the person's name, which the page shows masked, and never in what it shows whole.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from jingpei.classes import services, signin
from jingpei.classes.models import LeaveRequest
from jingpei.core.permissions import Role
from tests.factories import make_person, make_user

MARKER = "甲镇机密"


def make_objects(cast) -> dict[str, object]:
    today = timezone.localdate()
    head = make_user("classes_leak_head", role=Role.CLASS_HEAD, org=cast.town_a)
    plan = services.create_plan(actor=None, org=cast.town_a, year=today.year, title=f"{MARKER}年度计划",
                                total_target=100)
    lecturer = services.create_lecturer(actor=None, owner_org=cast.town_a, name=f"{MARKER}专家")
    klass = services.create_class(actor=None, organizer=cast.town_a, title=f"{MARKER}培训班", start_date=today,
                                  end_date=today, capacity=5, head=head, plan=plan)
    services.set_quota(actor=None, klass=klass, org=cast.village_a, seats=5)
    now = timezone.now()
    session = services.add_session(actor=None, klass=klass, starts_at=now - timedelta(minutes=5),
                                   ends_at=now + timedelta(hours=1), subject=f"{MARKER}课", hours=2,
                                   lecturer=lecturer)
    person = make_person(cast.branch_a, f"{MARKER}人")
    user = make_user("classes_leak_trainee", person=person)
    enrolment = services.nominate(actor=None, klass=klass, person=person)
    services.respond(actor=user, enrolment=enrolment, accept=True)
    enrolment = services.decide(actor=None, enrolment=enrolment, approve=True)
    services.sign_in(actor=None, session=session, enrolment=enrolment)
    leave = services.request_leave(actor=None, enrolment=enrolment, reason=f"{MARKER}事由", session=session)
    reflection = services.submit_reflection(actor=None, enrolment=enrolment,
                                            text=f"{MARKER}：通过学习，我对壮大村集体经济有了更深的理解。")
    services.complete_class(actor=None, klass=klass)
    enrolment.refresh_from_db()
    # The public verification page shows the class title whole: the serial's certificate comes from a
    # class without the marker in its title, issued to the marked (and there masked) person.
    other = services.create_class(actor=None, organizer=cast.town_a, title="老窝镇常规培训班", start_date=today,
                                  end_date=today, capacity=5)
    other_session = services.add_session(actor=None, klass=other, starts_at=now - timedelta(minutes=5),
                                         ends_at=now + timedelta(hours=1), subject="常规课", hours=1)
    other_enrolment = services.nominate(actor=None, klass=other, person=person)
    services.respond(actor=user, enrolment=other_enrolment, accept=True)
    other_enrolment = services.decide(actor=None, enrolment=other_enrolment, approve=True)
    services.sign_in(actor=None, session=other_session, enrolment=other_enrolment)
    services.complete_class(actor=None, klass=other)
    other_enrolment.refresh_from_db()
    certificate = enrolment.certificate
    return {
        "class_id": klass, "session_id": session, "enrolment_id": enrolment,
        "leave_id": LeaveRequest.objects.get(pk=leave.pk), "reflection_id": reflection,
        "certificate_id": certificate, "plan_id": plan, "lecturer_id": lecturer,
        "token": signin.make_token(session.pk, timezone.now()), "serial": other_enrolment.certificate.serial,
    }

# The certificate verification page is public by design: it shows a verifier the masked name, class,
# dates, hours and issuer, and nothing more (tested in tests/classes).
PUBLIC = {"classes:verify", "api:verify"}
