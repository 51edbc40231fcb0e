"""Jobs that run by the calendar — the daily compliance rebuild, the monthly reminders — started by the job
worker itself, so an install needs no cron (and an install with cron changes nothing: the runs are once
per period either way).

    schedule.daily("ledger.standing", at=time(2, 0), title=..., full=True)
    schedule.monthly("ledger.reminders", day=20, at=time(9, 0), title=...)

The worker calls :func:`enqueue_due` about once a minute. A run is due once its day and time (China time)
have come in the current period; a worker that was down at that moment starts it when it comes back (a
late run beats no run). A :class:`~jingpei.core.models.ScheduledRun` row with a unique (job, period) is
inserted in the enqueuing transaction, so two workers never start the same period twice. Set
``SCHEDULED_JOBS=off`` when cron runs the management commands instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from jingpei.core.jobs import enqueue
from jingpei.core.models import ScheduledRun


@dataclass(frozen=True)
class Schedule:
    job_name: str
    at: time
    day: int | None  # day of the month; None: every day
    title: str
    params: dict = field(default_factory=dict)

    def period(self, now: datetime) -> str | None:
        """The period whose run is due at local time ``now``, or None before this period's moment."""
        if self.day is None:
            return now.date().isoformat() if now.time() >= self.at else None
        if (now.day, now.time()) < (self.day, self.at):
            return None
        return f"{now.year:04d}-{now.month:02d}"


_schedules: dict[str, Schedule] = {}  # by job name: registering again (a second ready()) replaces


def daily(job_name: str, *, at: time, title: str, **params) -> None:
    _schedules[job_name] = Schedule(job_name, at, None, title, params)


def monthly(job_name: str, *, day: int, at: time, title: str, **params) -> None:
    if not 1 <= day <= 28:  # every month has the day
        raise ValueError("monthly jobs run on a day from 1 to 28")
    _schedules[job_name] = Schedule(job_name, at, day, title, params)


def schedules() -> list[Schedule]:
    return list(_schedules.values())


def enqueue_due(now: datetime | None = None) -> list[str]:
    """Enqueue every scheduled job due and not yet started in its period; returns their "job period"s."""
    if not settings.SCHEDULED_JOBS:
        return []
    local = timezone.localtime(now or timezone.now())
    started = []
    for s in _schedules.values():
        period = s.period(local)
        if period is None or ScheduledRun.objects.filter(job_name=s.job_name, period=period).exists():
            continue
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(job_name=s.job_name, period=period)
                run.job = enqueue(s.job_name, title=str(s.title), **s.params)
                run.save(update_fields=["job"])
        except IntegrityError:  # another worker started this period's run first
            continue
        started.append(f"{s.job_name} {period}")
    return started
