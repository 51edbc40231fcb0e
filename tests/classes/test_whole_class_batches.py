"""Completing or cancelling a class writes the whole list in a fixed number of statements, not a few per
trainee, and every row it writes is the one the per-trainee path wrote (credits, audit rows, verdicts)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jingpei.classes import services
from jingpei.classes.models import Attendance, Certificate, Enrolment
from jingpei.core.models import AuditLog
from jingpei.ledger.models import LedgerEntry
from tests.factories import make_person


def admitted_class(cast, head, title: str, trainees: int, *, attend: bool = True):
    """A class that ended today with ``trainees`` admitted (set up directly: the path in is tested elsewhere),
    all but the last having attended its one session."""
    today = timezone.localdate()
    klass = services.create_class(actor=cast.officer, organizer=cast.district, title=title, capacity=trainees,
                                  start_date=today - timedelta(days=1), end_date=today, head=head)
    start = timezone.now() - timedelta(hours=3)
    session = services.add_session(actor=cast.officer, klass=klass, starts_at=start, ends_at=start + timedelta(hours=2),
                                   subject="乡村振兴政策", hours=Decimal("2"))
    people = [make_person(cast.village_a, "学员" + title + "甲乙丙丁戊己庚辛壬癸"[i % 10] + "子丑寅卯辰"[i // 10]) for i in range(trainees)]
    Enrolment.objects.bulk_create(Enrolment(klass=klass, person=p, org=cast.town_a, status="approved") for p in people)
    if attend:
        Attendance.objects.bulk_create(
            Attendance(session=session, enrolment=e, status="present", method="scan", signed_at=start)
            for e in Enrolment.objects.filter(klass=klass).order_by("pk")[: trainees - 1])
    return klass


def statements(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def test_completing_a_class_takes_the_same_statements_for_4_or_40(cast, head):
    small, large = admitted_class(cast, head, "甲", 4), admitted_class(cast, head, "乙", 40)
    few = statements(lambda: services.complete_class(actor=head, klass=small, inline_pdfs=False))
    many = statements(lambda: services.complete_class(actor=head, klass=large, inline_pdfs=False))
    assert many == few < 45


def test_a_batched_completion_writes_what_the_per_trainee_path_did(cast, head):
    klass = admitted_class(cast, head, "丙", 5)
    result = services.complete_class(actor=head, klass=klass, inline_pdfs=False)
    assert (len(result.completed), len(result.not_completed)) == (4, 1)
    done = Enrolment.objects.filter(klass=klass, completed=True)
    # A full-time class (the default) credits 6 学时 for each day attended, by the preset day rule.
    assert sorted(done.values_list("credited_hours", flat=True)) == [Decimal("6.0")] * 4
    assert Enrolment.objects.get(klass=klass, completed=False).completion_note == "出勤 0.0 / 2.0 学时，未达 80%"
    entries = LedgerEntry.objects.filter(source_type="class", source_id=str(klass.pk))
    assert entries.count() == 4 and {e.idempotency_key for e in entries} == {
        f"class-completion:{klass.pk}:{e.person_id}" for e in done}
    # The credits' audit rows carry the person's organisation, as a single credit's row does.
    assert set(AuditLog.objects.filter(action="ledger.credit", object_id__in=[str(e.pk) for e in entries])
               .values_list("org_path", flat=True)) == {cast.village_a.path}
    serials = list(Certificate.objects.filter(klass=klass).order_by("serial").values_list("serial", flat=True))
    assert len(serials) == 4 and all(s.startswith(f"JP{klass.end_date.year}-{klass.pk:05d}-") for s in serials)


def test_cancelling_a_class_takes_the_same_statements_for_4_or_40_and_audits_each(cast, head):
    small = admitted_class(cast, head, "丁", 4, attend=False)
    large = admitted_class(cast, head, "戊", 40, attend=False)
    few = statements(lambda: services.cancel_class(actor=cast.officer, klass=small, reason="天气原因"))
    many = statements(lambda: services.cancel_class(actor=cast.officer, klass=large, reason="天气原因"))
    assert many == few < 25
    rows = AuditLog.objects.filter(action="class.enrolment_cancel", object_id__in=[
        str(pk) for pk in Enrolment.objects.filter(klass=large).values_list("pk", flat=True)])
    assert rows.count() == 40
    row = rows.first()
    assert (row.before, row.after, row.org_path, row.actor_id) == (
        {"status": "approved"}, {"status": "cancelled"}, cast.town_a.path, cast.officer.pk)
    assert set(Enrolment.objects.filter(klass=large).values_list("status", flat=True)) == {"cancelled"}
