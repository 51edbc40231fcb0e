"""Two phones submit the same session at the same moment: one session, credited once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from jingpei.activities import services
from jingpei.activities.models import BranchSession
from jingpei.ledger.models import LedgerEntry


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_duplicates_count_once(cast):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locking")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit():
        barrier.wait()
        try:
            services.create_session(actor=cast.secretary_a, branch=cast.branch_a,
                                    held_on=timezone.localdate() - timedelta(days=1), topic="同一次学习", hours="2",
                                    attendee_ids=[cast.person_a.pk, cast.person_a2.pk])
            outcomes.append("created")
        except services.DuplicateSession:
            outcomes.append("duplicate")
        finally:
            close_old_connections()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["created", "duplicate"]
    assert BranchSession.objects.count() == 1 and LedgerEntry.objects.count() == 2
