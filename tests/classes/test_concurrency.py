"""Capacity, quotas and sign-ins under concurrent requests (PostgreSQL: real row locks)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from jingpei.classes import services
from jingpei.classes.models import Attendance, Enrolment
from tests.classes.conftest import enrol
from tests.factories import make_person, numbered

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")


def run_at_barrier(fns):
    barrier = threading.Barrier(len(fns))
    errors: list[Exception] = []
    results: list[object] = []

    def worker(fn):
        try:
            barrier.wait()
            results.append(fn())
        except Exception as exc:  # noqa: BLE001 — collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(fn,)) for fn in fns]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def test_concurrent_nominations_never_exceed_quota_or_capacity(cast, klass):
    klass.capacity = 5
    klass.save()
    a = [make_person(cast.branch_a, numbered("甲", i)) for i in range(8)]
    b = [make_person(cast.branch_b, numbered("乙", i)) for i in range(8)]
    fns = [lambda p=p: services.nominate(actor=cast.liaison_a, klass=klass, person=p) for p in a]
    fns += [lambda p=p: services.nominate(actor=cast.liaison_b, klass=klass, person=p) for p in b]
    results, errors = run_at_barrier(fns)
    assert not errors
    seated = Enrolment.objects.filter(klass=klass, status__in=Enrolment.SEATED)
    assert seated.count() == 5
    assert seated.filter(quota__org=cast.town_a).count() <= 3
    assert seated.filter(quota__org=cast.town_b).count() <= 3
    assert Enrolment.objects.filter(klass=klass, status=Enrolment.Status.WAITLISTED).count() == 11


def test_concurrent_duplicate_sign_ins_make_one_row(cast, klass, session):
    e = enrol(cast, klass, cast.person_a)
    results, errors = run_at_barrier(
        [lambda: services.sign_in(actor=None, session=session, enrolment=e) for _i in range(8)])
    assert not errors
    assert Attendance.objects.filter(session=session).count() == 1
    assert sum(1 for _a, created in results if created) == 1
