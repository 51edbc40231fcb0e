"""Long reads stream on PostgreSQL (core.streaming), and a job in a long transaction reports progress
that pages see at once (JobContext.progress_outside_transaction)."""

import threading

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

from jingpei.core.jobs import JobContext
from jingpei.core.models import Job
from jingpei.core.streaming import streaming
from jingpei.orgs.models import Organization

pytestmark = pytest.mark.django_db(transaction=True)


def _holdable_cursors_while_reading() -> list[bool]:
    rows = Organization.objects.order_by("path").iterator(chunk_size=2)
    next(rows)
    with connection.cursor() as cursor:
        cursor.execute("SELECT is_holdable FROM pg_cursors WHERE name LIKE '_django_curs_%%'")
        found = [holdable for (holdable,) in cursor.fetchall()]
    rows.close()
    return found


@pytest.mark.postgres
def test_a_streamed_read_uses_a_cursor_the_server_does_not_compute_in_full_first(pg, cast):
    # Outside a transaction Django holds the cursor, and PostgreSQL computes and stores the whole result
    # before the first row: what streaming() avoids.
    assert _holdable_cursors_while_reading() == [True]
    with streaming():
        assert _holdable_cursors_while_reading() == [False]
    assert not connection.in_atomic_block


def test_streaming_takes_no_transaction_on_sqlite_and_stays_in_the_callers_one(cast):
    with streaming():
        assert connection.in_atomic_block == (connection.vendor == "postgresql")
    with transaction.atomic(), streaming():
        assert list(Organization.objects.filter(name="老窝镇").iterator()) == [cast.town_a]
    assert not connection.in_atomic_block


@pytest.mark.postgres
def test_progress_reported_inside_a_long_transaction_is_seen_before_it_ends(pg, cast):
    job = Job.objects.create(name="test.count", title="计数", created_by=cast.liaison_a)
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with JobContext(job).progress_outside_transaction() as progress, transaction.atomic():
            Organization.objects.filter(pk=cast.town_a.pk).update(name="老窝镇（改）")
            # From another thread, as an export's read-ahead thread reports.
            reporter = threading.Thread(target=progress, args=(40, 100, "第 40 条"), kwargs={"force": True})
            reporter.start()
            reporter.join()
            with other.cursor() as cursor:
                cursor.execute("SELECT done, total, message FROM core_job WHERE id = %s", [job.pk])
                assert cursor.fetchone() == (40, 100, "第 40 条")
            progress(41)  # within PROGRESS_EVERY_SECONDS of the last write: kept, not written
        assert (job.done, job.total) == (41, 100)
    finally:
        other.close()


def test_progress_outside_a_transaction_writes_the_jobs_row(cast):
    job = Job.objects.create(name="test.count", title="计数", created_by=cast.liaison_a)
    with JobContext(job).progress_outside_transaction() as progress:
        progress(7, 9, "第 7 条", force=True)
    job.refresh_from_db()
    assert (job.done, job.total, job.message) == (7, 9, "第 7 条")
