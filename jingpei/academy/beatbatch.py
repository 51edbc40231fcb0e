"""Group commit for the heartbeat's fast-path writes: one UPDATE for the beats of a worker that meet there.

A fast-path beat (beatstate.py) is one guarded UPDATE. Under load, the beats a worker process serves on
its threads reach that write close together, and each one's statement costs the database more in
per-statement work (parse/bind, executor start, commit) and the worker more in its round trip than the
row itself. So a beat hands its row to the process's :class:`GroupCommit` and waits; the first to arrive
(the leader) waits — at most ``window`` seconds, and only while other beats are still on their way — for
the others, then writes every waiting row in ONE ``UPDATE … FROM (VALUES …) WHERE <each row's own
guards> RETURNING id`` on its own connection and wakes them. A beat is answered only after its row was
written (or not): the guards are exactly the single write's, per row, and a row the batch did not
return takes the slow path (read, judge again, write), so correctness never depends on the batch.

PostgreSQL only, in autocommit outside a transaction (beatstore decides); two beats of one progress row
never share a batch (one UPDATE changes a row once), the second waits for the next.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

MAX_BATCH = 32
WAIT_LIMIT = 2.0  # seconds a queued beat waits before it gives up its place and takes the slow path


@dataclass(eq=False)
class _Row:
    progress_id: int
    values: list  # in beatstore.BATCH_COLUMNS order
    taken: bool = False  # in a statement now: its outcome will come
    done: bool = False
    written: bool = False
    lead: bool = False  # handed the lead: flush the queue
    error: BaseException | None = field(default=None, repr=False)


class GroupCommit:
    """The process's queue of fast-path writes. ``execute(rows)`` runs one statement for ``rows`` on the
    calling thread's connection and returns the set of progress ids it changed."""

    def __init__(self, execute, window: float):
        self._execute = execute
        self.window = window
        self._cond = threading.Condition(threading.Lock())
        self._queue: list[_Row] = []
        self._leading = False
        self._closing = False  # the worker is exiting: write what is queued without gathering
        self._coming = 0  # beats on their way to :meth:`write` (see :meth:`coming`)
        self._local = threading.local()
        self.statements = 0  # counters, for tests and the benchmark
        self.rows = 0

    @contextmanager
    def coming(self):
        """Around a beat that may write through :meth:`write`: until it does (or leaves), a leader waits
        for it."""
        with self._cond:
            self._coming += 1
        self._local.coming = True
        try:
            yield
        finally:
            if self._local.coming:  # left without writing
                with self._cond:
                    self._arrived()

    def _arrived(self) -> None:
        """This thread's beat is no longer on its way (holding the condition)."""
        self._local.coming = False
        self._coming -= 1
        if self._leading and self._coming == 0:
            self._cond.notify_all()  # the leader may be waiting for it

    def write(self, progress_id: int, values: list) -> bool:
        """Queue one row and return once a statement wrote it (True) or did not match it (False)."""
        row = _Row(progress_id, values)
        with self._cond:
            self._queue.append(row)
            if getattr(self._local, "coming", False):
                self._arrived()
            lead = not self._leading
            if lead:
                self._leading = True
            else:
                lead = self._follow(row)
        if lead:
            self._lead(row)
        if row.error is not None:
            raise row.error
        return row.written

    def _follow(self, row: _Row) -> bool:
        """Wait (holding the condition) for the row's outcome; True when handed the lead instead."""
        deadline = time.monotonic() + WAIT_LIMIT
        while not row.done and not row.lead:
            left = deadline - time.monotonic()
            if left <= 0 and not row.taken:
                self._queue.remove(row)  # give up: the slow path judges against the row itself
                row.done = True
                break
            self._cond.wait(max(left, 0.05))
        return row.lead and not row.done

    def _lead(self, own: _Row) -> None:
        """Gather while beats are still coming (bounded), write one batch, wake its rows, pass the lead on."""
        with self._cond:
            end = time.monotonic() + self.window
            while self._coming > 0 and len(self._queue) < MAX_BATCH and not self._closing:
                left = end - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            batch, seen = [], set()
            for row in self._queue:
                if row.progress_id not in seen and len(batch) < MAX_BATCH:
                    seen.add(row.progress_id)
                    batch.append(row)
                    row.taken = True
            self._queue = [row for row in self._queue if not row.taken]
        try:
            written = self._execute(batch)
            error = None
        except BaseException as exc:  # noqa: BLE001 - every waiting beat must be released
            written, error = set(), exc
        with self._cond:
            self.statements += 1
            self.rows += len(batch)
            for row in batch:
                row.done, row.written = True, row.progress_id in written
                if error is not None and row is own:
                    row.error = error  # the leader raises it; the others take the slow path
            if self._queue:
                self._queue[0].lead = True
            else:
                self._leading = False
            self._cond.notify_all()
        if not own.done:  # own row waits for the next batch (one of its row's beats went first)
            with self._cond:
                if not self._follow(own):
                    return
            self._lead(own)

    def close(self) -> None:
        """At worker exit: stop gathering and wait (bounded) until every queued row is written."""
        deadline = time.monotonic() + WAIT_LIMIT
        with self._cond:
            self._closing = True
            self._cond.notify_all()
            while (self._queue or self._leading) and time.monotonic() < deadline:
                self._cond.wait(0.05)
