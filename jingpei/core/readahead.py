"""Reading the database one step ahead of the caller, on a helper thread.

A long export alternates between waiting for the next rows (the server sorts, filters and sends
them) and writing the rows it has (pure Python). ``read_ahead`` produces the next item on a helper
thread while the caller works on the current one; waiting on the server releases the GIL, so the two
overlap on a machine with a spare core.

The helper thread uses the caller's own connection (same transaction, same snapshot; what tests see
inside their transaction too), so while the items are being iterated the CALLER MUST NOT USE THE
DATABASE: everything that needs it, progress reports included, belongs inside ``produce``.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Generator, Iterator
from contextlib import closing
from typing import TypeVar

from django.db import DEFAULT_DB_ALIAS, connections

T = TypeVar("T")
_DONE = object()


def read_ahead(produce: Callable[[], Generator[T, None, None]], *, depth: int = 1) -> Iterator[T]:
    """The items of ``produce()``, at most ``depth`` of them made ahead of the caller."""
    conn = connections[DEFAULT_DB_ALIAS]
    items: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                items.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        connections[DEFAULT_DB_ALIAS] = conn  # the ORM on this thread uses the caller's connection
        try:
            # closing: a cursor left open by a caller that gave up is closed here, on this thread
            with closing(produce()) as produced:
                for item in produced:
                    if not put(item):
                        return
            put(_DONE)
        except BaseException as exc:  # handed to the caller, raised there
            put(exc)

    conn.inc_thread_sharing()
    thread = threading.Thread(target=run, name="read-ahead", daemon=True)
    thread.start()
    try:
        while (item := items.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        # The caller stopped (done, failed or gave up): the helper ends before the connection is
        # the caller's alone again.
        stop.set()
        thread.join()
        conn.dec_thread_sharing()
