"""Background jobs: one small interface, three ways to run it.

    @task("roster.import")
    def import_roster(ctx: JobContext, *, upload_id: int) -> dict: ...

    job = enqueue("roster.import", user=request.user, title="导入花名册", upload_id=7)

Jobs are rows of :class:`~jingpei.core.models.Job`; a worker claims one with a conditional UPDATE (no
lock held, so any number of workers on PostgreSQL — or the single embedded thread on SQLite — can
poll the same table). ``settings.JOBS_MODE``:

* ``embedded`` (default) — ``jingpei serve`` starts a worker thread in the web process: no extra service;
* ``external`` — only ``jingpei worker`` processes run jobs, on as many machines as needed;
* ``immediate`` — the job runs when the enqueuing transaction commits (tests, management commands).

A job reports progress through ``ctx.progress(done, total, message)``; pages poll it with htmx.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, close_old_connections, connection, connections, transaction
from django.utils import timezone

from jingpei.core.models import Job

log = logging.getLogger(__name__)

_registry: dict[str, Callable[..., Any]] = {}
_wakeup = threading.Event()
STALE_AFTER = timedelta(minutes=10)
PROGRESS_EVERY_SECONDS = 0.5
SCHEDULE_CHECK_SECONDS = 60


def task(name: str):
    def register(fn):
        _registry[name] = fn
        fn.job_name = name
        return fn

    return register


class JobContext:
    def __init__(self, job: Job):
        self.job = job
        self._last_write = 0.0
        self._write = self._write_here

    def progress(self, done: int, total: int | None = None, message: str | None = None, *, force=False):
        job = self.job
        job.done = done
        if total is not None:
            job.total = total
        if message is not None:
            job.message = message[:300]
        now = time.monotonic()
        if force or now - self._last_write >= PROGRESS_EVERY_SECONDS:
            self._last_write = now
            job.heartbeat_at = timezone.now()
            self._write(job)

    @staticmethod
    def _write_here(job: Job) -> None:
        Job.objects.filter(pk=job.pk).update(
            done=job.done, total=job.total, message=job.message, heartbeat_at=job.heartbeat_at
        )

    @contextmanager
    def progress_outside_transaction(self) -> Iterator[Callable[..., None]]:
        """``progress`` for a job that holds one long transaction (an import's commit, an export's
        streamed read): written there, the progress would stay invisible to the page until the end.
        On PostgreSQL a second, autocommit connection reports it live. SQLite takes one writer at a
        time, so there the job's own connection writes it (seen at once outside a transaction, at the
        end inside one)."""
        if connection.vendor != "postgresql":
            yield self.progress
            return
        side = connections.create_connection(DEFAULT_DB_ALIAS)
        side.inc_thread_sharing()  # an export reports from its read-ahead thread

        def write_on_side(job: Job) -> None:
            with side.cursor() as cursor:
                cursor.execute(f"UPDATE {Job._meta.db_table} SET done = %s, total = %s, message = %s, "  # noqa: S608
                               "heartbeat_at = %s WHERE id = %s",
                               [job.done, job.total, job.message, job.heartbeat_at, job.pk])

        self._write = write_on_side
        try:
            yield self.progress
        finally:
            self._write = self._write_here
            side.dec_thread_sharing()
            side.close()


def opening(url: str, label: str, **data) -> dict:
    """The result of a job that makes a page: a page watching the job opens it as soon as the job is done
    (``views.job_status``). A download keeps its button instead: opening one unasked would start it."""
    return {"url": url, "label": label, "open": True, **data}


def enqueue(name: str, *, user=None, title: str = "", reuse: bool = False, **params) -> Job:
    """``reuse``: the user's own job of the same name and parameters that is still queued or running is
    returned instead of a second one (a button pressed twice must not build a district's archive twice)."""
    if name not in _registry:
        raise KeyError(f"unknown job {name!r}")
    if reuse:
        pending = _pending(name, user, params)
        if pending is not None:
            return pending
    job = Job.objects.create(name=name, title=title or name, params=params, created_by=user)
    if settings.JOBS_MODE == "immediate":
        transaction.on_commit(lambda: run_job(job.pk))
    else:
        transaction.on_commit(_wakeup.set)
    return job


def _pending(name: str, user, params: dict) -> Job | None:
    alive, params = timezone.now() - STALE_AFTER, json.loads(json.dumps(params))  # as stored: tuples are lists
    candidates = Job.objects.filter(name=name, created_by=user if getattr(user, "pk", None) else None,
                                    status__in=(Job.Status.QUEUED, Job.Status.RUNNING)).order_by("-created_at")
    # Compared in Python: JSON equality differs between the databases (key order on SQLite).
    return next((job for job in candidates[:20] if job.params == params
                 and (job.status == Job.Status.QUEUED or (job.heartbeat_at and job.heartbeat_at >= alive))), None)


def _claim(worker: str) -> Job | None:
    for candidate in Job.objects.filter(status=Job.Status.QUEUED).order_by("created_at")[:5]:
        now = timezone.now()
        claimed = Job.objects.filter(pk=candidate.pk, status=Job.Status.QUEUED).update(
            status=Job.Status.RUNNING, started_at=now, heartbeat_at=now, worker=worker
        )
        if claimed:
            candidate.refresh_from_db()
            return candidate
    return None


def run_job(job_id) -> Job:
    job = Job.objects.get(pk=job_id)
    if job.status == Job.Status.QUEUED:
        now = timezone.now()
        Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=now, heartbeat_at=now)
        job.refresh_from_db()
    return _execute(job)


def _execute(job: Job) -> Job:
    ctx = JobContext(job)
    try:
        result = _registry[job.name](ctx, **job.params)
    except Exception as exc:  # the job's failure is recorded for its owner, not raised into the worker
        log.exception("job %s failed", job.pk)
        job.status = Job.Status.FAILED
        job.error = getattr(exc, "message", None) or str(exc) or exc.__class__.__name__
        job.result = {"traceback": traceback.format_exc()[-4000:]} if settings.DEBUG else None
    else:
        job.status = Job.Status.DONE
        job.result = result
        if job.total:
            job.done = job.total
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "result", "done", "total", "message", "finished_at"])
    return job


def fail_stale_jobs() -> int:
    """Jobs whose worker stopped reporting (process killed) are marked failed, not left running."""
    limit = timezone.now() - STALE_AFTER
    return Job.objects.filter(status=Job.Status.RUNNING, heartbeat_at__lt=limit).update(
        status=Job.Status.FAILED, error="任务执行进程已中断，请重新提交。", finished_at=timezone.now()
    )


def run_pending(worker: str = "", *, limit: int | None = None) -> int:
    """Run queued jobs until none is left (or ``limit``); return how many ran."""
    worker = worker or f"{socket.gethostname()}:{os.getpid()}"
    ran = 0
    while limit is None or ran < limit:
        job = _claim(worker)
        if job is None:
            break
        _execute(job)
        ran += 1
    return ran


def worker_loop(stop: threading.Event | None = None) -> None:
    stop = stop or threading.Event()
    worker = f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
    fail_stale_jobs()
    next_schedule_check = 0.0
    while not stop.is_set():
        close_old_connections()
        try:
            if time.monotonic() >= next_schedule_check:  # calendar jobs: a cheap check, once a minute
                from jingpei.core.schedule import enqueue_due

                enqueue_due()
                next_schedule_check = time.monotonic() + SCHEDULE_CHECK_SECONDS
            ran = run_pending(worker)
        except Exception:  # a database hiccup must not kill the worker thread
            log.exception("job worker error")
            ran = 0
        finally:
            close_old_connections()
        if not ran:
            _wakeup.wait(settings.JOBS_POLL_SECONDS)
            _wakeup.clear()


def start_embedded_worker() -> threading.Thread:
    thread = threading.Thread(target=worker_loop, name="jingpei-jobs", daemon=True)
    thread.start()
    return thread
