"""What a completed class credits, by the conversion rules: full-time days (6 学时 a day, capped per class),
the hours attended otherwise, and the lecturers' teaching (5× the hours taught)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from jingpei.classes import services
from jingpei.classes.models import Certificate
from jingpei.ledger import services as ledger
from jingpei.ledger.models import ConversionRule, LedgerEntry
from tests.classes.conftest import enrol
from tests.factories import make_user


def earlier_session(klass, cast, hours="2"):
    """A session two days before the running one: always another calendar day, even just after midnight."""
    klass.start_date = timezone.localdate() - timedelta(days=3)
    klass.save(update_fields=["start_date"])
    start = timezone.now() - timedelta(days=2)
    return services.add_session(actor=cast.officer, klass=klass, starts_at=start, ends_at=start + timedelta(hours=2),
                                subject="前天的课", hours=Decimal(hours))


def completion_hours(cast, person):
    return LedgerEntry.objects.get(idempotency_key__startswith="class-completion:", person=person).hours


def test_a_full_time_class_credits_six_hours_a_day_attended(cast, klass, session, head):
    earlier = earlier_session(klass, cast)
    e = enrol(cast, klass, cast.person_a)
    services.sign_in(actor=None, session=session, enrolment=e)
    services.sign_in(actor=head, session=earlier, enrolment=e, method="manual", at=earlier.starts_at)  # 补签
    services.complete_class(actor=head, klass=klass)
    assert completion_hours(cast, cast.person_a) == Decimal("12.0")  # two days, not 2 + 3 hours
    assert Certificate.objects.get(enrolment=e).hours == Decimal("12.0")


def test_the_per_class_cap_of_the_rule_holds(cast, klass, session, head):
    ledger.save_conversion(actor=cast.officer, conversion=ConversionRule.objects.get(code="fulltime-day"),
                           cap_per_source=Decimal("4"))
    e = enrol(cast, klass, cast.person_a)
    services.sign_in(actor=None, session=session, enrolment=e)
    services.complete_class(actor=head, klass=klass)
    assert completion_hours(cast, cast.person_a) == Decimal("4.0")


def test_a_part_time_class_credits_the_hours_attended(cast, klass, session, head):
    klass.full_time = False
    klass.save()
    e = enrol(cast, klass, cast.person_a)
    services.sign_in(actor=None, session=session, enrolment=e)
    services.complete_class(actor=head, klass=klass)
    assert completion_hours(cast, cast.person_a) == Decimal("3.0")


def test_without_a_day_rule_the_hours_attended_count(cast, klass, session, head):
    ledger.save_conversion(actor=cast.officer, conversion=ConversionRule.objects.get(code="fulltime-day"), active=False)
    e = enrol(cast, klass, cast.person_a)
    services.sign_in(actor=None, session=session, enrolment=e)
    services.complete_class(actor=head, klass=klass)
    assert completion_hours(cast, cast.person_a) == Decimal("3.0")


def test_a_lecturer_on_the_roster_is_credited_five_times_the_hours_taught(cast, klass, session, head):
    lecturer = services.create_lecturer(actor=cast.officer, owner_org=cast.district, name="刘教授")
    lecturer.user = make_user("teacher", person=cast.person_b)
    lecturer.save()
    outsider = services.create_lecturer(actor=cast.officer, owner_org=cast.district, name="外请专家")  # not a person
    session.lecturer = lecturer
    session.save()
    other = earlier_session(klass, cast, hours="1")
    other.lecturer = outsider
    other.save()
    e = enrol(cast, klass, cast.person_a)
    services.sign_in(actor=None, session=session, enrolment=e)
    services.complete_class(actor=head, klass=klass)
    taught = LedgerEntry.objects.get(form="teaching")
    assert (taught.person_id, taught.hours) == (cast.person_b.pk, Decimal("15.0"))  # 3 hours taught × 5
    assert taught.idempotency_key == f"class-teaching:{klass.pk}:{cast.person_b.pk}"
    assert LedgerEntry.objects.filter(form="teaching").count() == 1


def test_the_class_page_says_how_completion_credits(cast, klass, client_as):
    page = client_as(cast.officer).get(f"/classes/{klass.pk}/?tab=info").content.decode()
    assert "结业学时按出勤天数折算，每天 6 学时，每班最多 60 学时" in page
    klass.full_time = False
    klass.save()
    assert "结业学时按出勤课次的学时计" in client_as(cast.officer).get(f"/classes/{klass.pk}/?tab=info").content.decode()


def test_completion_reads_the_conversion_rules_once_per_class_not_per_trainee(cast, klass, session, head):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for person in (cast.person_a, cast.person_a2, cast.person_b):
        services.sign_in(actor=None, session=session, enrolment=enrol(cast, klass, person))
    with CaptureQueriesContext(connection) as queries:
        services.complete_class(actor=head, klass=klass)
    assert sum("ledger_conversionrule" in q["sql"] for q in queries.captured_queries) == 2  # day rules, teaching
    assert LedgerEntry.objects.filter(idempotency_key__startswith="class-completion:").count() == 3
