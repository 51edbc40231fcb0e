"""The demo training year on a small demo district: the plan, every class state, the rules kept (capacity,
quotas, one ledger credit per completion) and what each demo account sees when it logs in."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Count, Q, Sum
from django.utils import timezone

from jingpei.accounts.models import User
from jingpei.classes import queries, services
from jingpei.classes.access import can_run
from jingpei.classes.demo import CANCEL_REASON, PLAN_TARGET, build_classes_demo
from jingpei.classes.models import (
    AnnualPlan,
    Certificate,
    ClassForm,
    Enrolment,
    Session,
    Tier,
    TrainingClass,
)
from jingpei.demo.builder import build
from jingpei.ledger.models import LedgerEntry, Notification
from jingpei.orgs.models import Organization, Person

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)
MORNING = "2026-11-23 10:00 +0800"  # inside the running class's morning session


@pytest.fixture
def demo():
    with time_machine.travel(MORNING, tick=True):
        build(people=400)
        return build_classes_demo(today=TODAY)


def users():
    return {u.username: u for u in User.objects.all()}


def test_plan_classes_in_every_state_and_the_rules_kept(demo, capsys):
    plan = AnnualPlan.objects.get(pk=demo["plan_id"])
    assert plan.total_target == PLAN_TARGET == 2000 and plan.year == 2026 and plan.org.name == "召陵区"
    for topic in ("乡村振兴", "扶贫产业", "壮大村集体经济", "干部能力提升"):
        assert topic in plan.topics
    tiers = dict(plan.targets.exclude(tier="").values_list("tier", "target"))
    assert set(tiers) == set(Tier.values) and sum(tiers.values()) == 2000

    classes = TrainingClass.objects.all()
    assert 8 <= classes.count() <= 12
    finished = classes.filter(status=TrainingClass.Status.COMPLETED)
    assert finished.count() >= 6 and all(k.end_date < TODAY for k in finished)
    running = classes.get(pk=demo["running_id"])
    assert running.status == TrainingClass.Status.OPEN and running.start_date <= TODAY <= running.end_date
    upcoming = classes.get(pk=demo["upcoming_id"])
    assert upcoming.status == TrainingClass.Status.OPEN and upcoming.start_date > TODAY
    assert classes.filter(status=TrainingClass.Status.DRAFT).exists()
    # One called off before it began: its nominees were taken off the list and told why.
    called_off = classes.get(status=TrainingClass.Status.CANCELLED)
    assert called_off.start_date > TODAY and called_off.cancel_reason == CANCEL_REASON
    assert set(called_off.enrolments.values_list("status", flat=True)) == {Enrolment.Status.CANCELLED}
    assert Notification.objects.filter(title__contains=called_off.title, body__contains="雨雪冰冻").count() >= 2  # the two liaisons
    tour = finished.get(form=ClassForm.STUDY_TOUR)
    assert "梁家河" in tour.itinerary and "袁家村" in tour.itinerary
    assert finished.filter(form=ClassForm.MOBILE_LECTURE).exists()

    head = users()["head"]
    assert not classes.exclude(head=head).exists()
    assert Session.objects.filter(lecturer__user=users()["lecturer"]).values("klass").distinct().count() >= 3
    assert 6 <= demo["lecturers"] <= 8

    progress = queries.plan_progress(plan)
    assert 200 <= progress["total"] <= 1000 and progress["total"] == demo["person_times"]

    # Capacity and quotas never exceeded; one ledger credit per completion, the same hours.
    for klass in TrainingClass.objects.annotate(seated=Count("enrolments", filter=Q(
            enrolments__status__in=Enrolment.SEATED))):
        assert klass.seated <= klass.capacity
        for quota in klass.quotas.annotate(n=Count("enrolments", filter=Q(enrolments__status__in=Enrolment.SEATED))):
            assert quota.n <= quota.seats
    completed = Enrolment.objects.filter(completed=True)
    credits = LedgerEntry.objects.filter(source_type="class")
    assert credits.count() == completed.count() == Certificate.objects.count() == demo["completed"] > 200
    assert credits.aggregate(h=Sum("hours"))["h"] == completed.aggregate(h=Sum("credited_hours"))["h"]
    assert not Enrolment.objects.filter(completed=True).exclude(klass__status=TrainingClass.Status.COMPLETED).exists()
    # Some did not complete (attendance or reflection), some were withdrawn, some wait: a realistic year.
    assert Enrolment.objects.filter(klass__status="completed", status="approved", completed=False).exists()
    assert Enrolment.objects.filter(status=Enrolment.Status.WITHDRAWN).exists()
    assert Enrolment.objects.filter(status=Enrolment.Status.WAITLISTED).exists()

    # A second run adds nothing.
    assert build_classes_demo(today=TODAY) == {"skipped": True}
    with time_machine.travel(MORNING, tick=True):
        call_command("build_classes_demo")
    assert "跳过" in capsys.readouterr().out


def test_each_demo_account_has_something_to_see(demo, client_as):
    u = users()
    trainee = u["trainee"]
    mine = Enrolment.objects.filter(person=trainee.person)
    cert = Certificate.objects.filter(enrolment__person=trainee.person).first()
    assert cert is not None and mine.filter(klass_id=demo["running_id"], status="approved").exists()

    running = TrainingClass.objects.get(pk=demo["running_id"])
    with time_machine.travel(MORNING, tick=True):
        now = timezone.now()
        current = running.sessions.get(starts_at__lte=now, ends_at__gte=now)
        assert current.lecturer.user == u["lecturer"] and can_run(u["head"], running)
        page = client_as(u["head"]).get(f"/classes/sessions/{current.pk}/projector/code/")
        assert page.status_code == 200 and b"<svg" in page.content
        assert client_as(trainee).get("/classes/mine/").status_code == 200
        pdf = client_as(trainee).get(f"/classes/certificates/{cert.pk}/pdf/")
        assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
        assert client_as(u["officer"]).get(f"/classes/plans/{demo['plan_id']}/").status_code == 200
        assert client_as(u["liaison_laowo"]).get(f"/classes/{demo['upcoming_id']}/").status_code == 200

    # The upcoming class still has 老窝镇 seats: its liaison can nominate one more.
    upcoming = TrainingClass.objects.get(pk=demo["upcoming_id"])
    towns = {q.org.name for q in upcoming.quotas.select_related("org")}
    assert {"老窝镇", "万金镇"} <= towns
    laowo = Organization.objects.get(name="老窝镇")
    taken = upcoming.enrolments.values("person_id")
    person = Person.objects.filter(primary_org__path__startswith=laowo.path).exclude(pk__in=taken).first()
    enrolment = services.nominate(actor=u["liaison_laowo"], klass=upcoming, person=person)
    assert enrolment.status == Enrolment.Status.NOMINATED


def test_built_late_at_night_a_session_is_still_open_for_sign_in(client_as):
    """Built outside the timetable's slots, the running class gets a session around now, so the head's
    projector shows a code whenever the demo is tried (here just before midnight)."""
    with time_machine.travel("2026-11-23 23:50 +0800", tick=True):
        build(people=120)
        demo = build_classes_demo()
        now = timezone.now()
        current = Session.objects.get(klass_id=demo["running_id"], starts_at__lte=now, ends_at__gte=now)
        assert current.lecturer.user == users()["lecturer"]
        page = client_as(users()["head"]).get(f"/classes/sessions/{current.pk}/projector/code/")
        assert page.status_code == 200 and b"<svg" in page.content
        assert current.attendances.exists()  # people are scanning in
