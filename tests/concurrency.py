"""Calls released together at a barrier, each in its own thread and database connection (PostgreSQL's row
locks are what is under test: SQLite serialises writers and ``select_for_update`` does nothing there)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from jingpei.core.errors import DomainError


def at_once(*calls) -> list[str]:
    """Run ``calls`` at the same moment; their outcomes, sorted: "done" or the DomainError's class name."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locking")
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def run(call):
        barrier.wait()
        try:
            call()
            outcomes.append("done")
        except DomainError as exc:
            outcomes.append(type(exc).__name__)
        finally:
            connection.close()  # this thread's own: left open, it holds the test database at teardown

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)
