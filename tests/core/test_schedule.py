"""Calendar jobs started by the worker: once per period, late rather than never, never twice."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from jingpei.core import schedule
from jingpei.core.models import Job, ScheduledRun

CN = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=CN)


def started(now) -> set[str]:
    return set(schedule.enqueue_due(now))


def test_the_ledgers_jobs_are_scheduled():
    by_name = {s.job_name: s for s in schedule.schedules()}
    assert by_name["ledger.standing"].day is None and by_name["ledger.standing"].params == {"full": True, "unless_current": True}
    assert by_name["ledger.reminders"].day == 20


def test_daily_and_monthly_runs_start_once_per_period(db):
    assert started(at(2026, 12, 6, 1, 59)) == set()  # before 02:00: nothing due
    assert started(at(2026, 12, 6, 2, 0)) == {"ledger.standing 2026-12-06"}
    # same day: already started (the surveys' reminders come due at 09:00)
    assert started(at(2026, 12, 6, 23, 0)) == {"surveys.reminders 2026-12-06"}
    assert started(at(2026, 12, 6, 23, 30)) == set()
    assert Job.objects.filter(name="ledger.standing").count() == 1
    assert started(at(2026, 12, 20, 8, 59)) == {"ledger.standing 2026-12-20"}
    assert started(at(2026, 12, 20, 9, 0)) == {"ledger.reminders 2026-12", "surveys.reminders 2026-12-20"}
    # the worker was down on the 20th: the month's reminders go out when it is back, once
    assert started(at(2027, 1, 25, 7, 0)) == {"ledger.standing 2027-01-25", "ledger.reminders 2027-01"}
    assert started(at(2027, 1, 31, 7, 0)) == {"ledger.standing 2027-01-31"}
    run = ScheduledRun.objects.get(job_name="ledger.reminders", period="2027-01")
    assert run.job.name == "ledger.reminders" and run.job.status == Job.Status.QUEUED


def test_a_period_claimed_by_another_worker_is_not_started_again(db, monkeypatch):
    ScheduledRun.objects.create(job_name="ledger.standing", period="2026-12-06")
    exists = ScheduledRun.objects.filter

    class Racing:  # the other worker's row lands between this one's check and its insert
        def __init__(self, **kwargs):
            self.kwargs = kwargs

        def exists(self):
            return False

    monkeypatch.setattr(ScheduledRun.objects, "filter", lambda **kw: Racing(**kw))
    assert started(at(2026, 12, 6, 3, 0)) == set()
    monkeypatch.setattr(ScheduledRun.objects, "filter", exists)
    assert not Job.objects.filter(name="ledger.standing").exists()


def test_scheduled_jobs_can_be_switched_off(db, settings):
    settings.SCHEDULED_JOBS = False
    assert started(at(2026, 12, 20, 10, 0)) == set() and not ScheduledRun.objects.exists()


def test_a_monthly_day_every_month_has():
    with pytest.raises(ValueError):
        schedule.monthly("x", day=31, at=datetime(2026, 1, 1).time(), title="x")
