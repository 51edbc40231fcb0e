"""A district class with quotas for both townships and one session running now."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from jingpei.classes import services
from jingpei.classes.models import Enrolment
from jingpei.core.permissions import Role
from tests.factories import make_user


@pytest.fixture
def head(cast):
    return make_user("head", role=Role.CLASS_HEAD, org=cast.town_a)


@pytest.fixture
def klass(cast, head):
    # From yesterday: a session that began minutes ago stays inside the class just after midnight.
    today = timezone.localdate()
    klass = services.create_class(
        actor=cast.officer, organizer=cast.district, title="乡村振兴专题培训班", start_date=today - timedelta(days=1),
        end_date=today, capacity=10, tier="special", head=head, place="区委党校")
    services.set_quota(actor=cast.officer, klass=klass, org=cast.town_a, seats=3)
    services.set_quota(actor=cast.officer, klass=klass, org=cast.town_b, seats=3)
    return klass


@pytest.fixture
def session(klass, cast):
    now = timezone.now()
    return services.add_session(actor=cast.officer, klass=klass, starts_at=now - timedelta(minutes=5),
                                ends_at=now + timedelta(hours=2), subject="壮大村集体经济", hours=Decimal("3"))


def enrol(cast, klass, person, head_user=None) -> Enrolment:
    """Nominate → confirm → approve: the normal path to an approved trainee."""
    from tests.factories import make_user as _make_user

    liaison = cast.liaison_a if person.primary_org.path.startswith(cast.town_a.path) else cast.liaison_b
    enrolment = services.nominate(actor=liaison, klass=klass, person=person)
    user = getattr(person, "user", None) or _make_user(f"u{person.pk}", person=person)
    services.respond(actor=user, enrolment=enrolment, accept=True)
    services.decide(actor=head_user or cast.officer, enrolment=enrolment, approve=True)
    enrolment.refresh_from_db()
    return enrolment
